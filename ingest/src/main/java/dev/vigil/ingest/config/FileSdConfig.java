package dev.vigil.ingest.config;

import java.util.List;

/**
 * {@code file_sd_configs}: JSON or YAML files of target groups, re-read when they change and every
 * {@code refresh_interval} (default 5m).
 *
 * @param files absolute glob patterns; only the last path element may hold a {@code *}; each must
 *     end in {@code .json}, {@code .yml} or {@code .yaml}
 */
public record FileSdConfig(List<String> files, long refreshIntervalMs) {
    public static final long DEFAULT_REFRESH_INTERVAL_MS = 5 * 60_000;

    public FileSdConfig {
        files = List.copyOf(files);
    }
}
