package dev.vigil.ingest.config;

/**
 * {@code http_sd_configs}: a URL answering with a JSON list of target groups, polled every {@code
 * refresh_interval} (default 60s).
 */
public record HttpSdConfig(String url, long refreshIntervalMs, HttpClientConfig http) {
    public static final long DEFAULT_REFRESH_INTERVAL_MS = 60_000;
}
