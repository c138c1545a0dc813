package dev.vigil.ingest.config;

import java.util.Map;

/** One {@code remote_read} entry; parsed so that such configs load, not yet used by Vigil. */
public record RemoteReadConfig(String url, String name, long remoteTimeoutMs, Map<String, String> headers,
        boolean readRecent, Map<String, String> requiredMatchers, boolean filterExternalLabels, HttpClientConfig http) {}
