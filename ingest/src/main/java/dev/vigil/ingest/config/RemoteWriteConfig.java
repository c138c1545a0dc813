package dev.vigil.ingest.config;

import dev.vigil.ingest.relabel.RelabelConfig;
import java.util.List;
import java.util.Map;

/**
 * One {@code remote_write} entry with Prometheus's defaults (30s timeout, remote write 1.0
 * messages, the default queue and metadata settings).
 *
 * @param protobufMessage {@code prometheus.WriteRequest} (1.0) or {@code io.prometheus.write.v2.Request}
 */
public record RemoteWriteConfig(
        String url,
        String name,
        long remoteTimeoutMs,
        Map<String, String> headers,
        List<RelabelConfig> writeRelabelConfigs,
        boolean sendExemplars,
        boolean sendNativeHistograms,
        boolean roundRobinDns,
        String protobufMessage,
        HttpClientConfig http,
        QueueConfig queue,
        MetadataConfig metadata) {

    public static final String WRITE_V1 = "prometheus.WriteRequest";
    public static final String WRITE_V2 = "io.prometheus.write.v2.Request";

    /** {@code queue_config}. */
    public record QueueConfig(int capacity, int maxShards, int minShards, int maxSamplesPerSend,
            long batchSendDeadlineMs, long minBackoffMs, long maxBackoffMs, boolean retryOnHttp429, long sampleAgeLimitMs) {
        public static final QueueConfig DEFAULT = new QueueConfig(10_000, 50, 1, 2000, 5000, 30, 5000, false, 0);
    }

    /** {@code metadata_config}. */
    public record MetadataConfig(boolean send, long sendIntervalMs, int maxSamplesPerSend) {
        public static final MetadataConfig DEFAULT = new MetadataConfig(true, 60_000, 2000);
    }
}
