package dev.vigil.ingest.config;

/**
 * The {@code storage} section.
 *
 * @param outOfOrderTimeWindowMs {@code tsdb.out_of_order_time_window}; 0 when absent
 * @param retentionTimeMs {@code tsdb.retention.time}; 0 when absent (the flag decides)
 * @param retentionSizeBytes {@code tsdb.retention.size}; 0 when absent
 * @param maxExemplars {@code exemplars.max_exemplars}, default 100000
 */
public record StorageConfig(long outOfOrderTimeWindowMs, long retentionTimeMs, long retentionSizeBytes, long maxExemplars) {
    public static final StorageConfig DEFAULT = new StorageConfig(0, 0, 0, 100_000);
}
