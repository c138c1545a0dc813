package dev.vigil.ingest.remotewrite;

/**
 * A snapshot of one remote's queue, for {@code /metrics} and a status page.
 *
 * @param samplesSent samples in requests the remote acknowledged with 2xx
 * @param samplesFailed samples in requests the remote refused with a non-retryable status (4xx,
 *     and 429 unless {@code retry_on_http_429}); they are dropped, not retried
 * @param samplesRetried samples in attempts that failed with 5xx, 429 or a network error and were retried
 * @param samplesDropped samples never sent for local reasons: dropped by write_relabel_configs,
 *     older than {@code sample_age_limit}, or whose series ref could not be resolved to labels
 * @param samplesPending samples read from the WAL and queued in shards, not yet acknowledged
 * @param backlogBytes WAL bytes after the read position, not read yet
 * @param lagSeconds how far the remote is behind: 0 when caught up, else wall-clock now minus the
 *     newest sample timestamp acknowledged (or minus the queue's start when none was)
 * @param walSegmentsSkipped WAL segments deleted before this queue read them (data lost to the remote)
 * @param segment the persisted resume position: segment index
 * @param offset the persisted resume position: byte offset in {@code segment}
 * @param metadataSent metric families whose metadata the remote acknowledged (1.0, metadata_config)
 * @param metadataFailed metadata entries refused for good (4xx)
 * @param metadataRetried metadata entries in attempts that were retried
 */
public record RemoteWriteStats(
        String name,
        String url,
        int shards,
        long samplesSent,
        long samplesFailed,
        long samplesRetried,
        long samplesDropped,
        long samplesPending,
        long backlogBytes,
        double lagSeconds,
        long bytesSent,
        long walSegmentsSkipped,
        int segment,
        long offset,
        String lastError,
        long metadataSent,
        long metadataFailed,
        long metadataRetried) {}
