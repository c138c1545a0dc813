package dev.vigil.ingest.config;

import dev.vigil.ingest.relabel.RelabelConfig;
import java.util.List;

/** The {@code alerting} section: relabeling applied to every alert, and where alerts go. */
public record AlertingConfig(List<RelabelConfig> alertRelabelConfigs, List<AlertmanagerConfig> alertmanagers) {
    public static final AlertingConfig NONE = new AlertingConfig(List.of(), List.of());

    /**
     * One {@code alertmanagers} entry (defaults: scheme http, timeout 10s, api_version v2).
     *
     * @param pathPrefix prefix of {@code /api/v2/alerts}; empty when absent
     */
    public record AlertmanagerConfig(
            List<TargetGroup> staticConfigs,
            List<FileSdConfig> fileSdConfigs,
            List<HttpSdConfig> httpSdConfigs,
            List<DnsSdConfig> dnsSdConfigs,
            HttpClientConfig http,
            String scheme,
            String pathPrefix,
            long timeoutMs,
            String apiVersion,
            List<RelabelConfig> relabelConfigs,
            List<RelabelConfig> alertRelabelConfigs) {}
}
