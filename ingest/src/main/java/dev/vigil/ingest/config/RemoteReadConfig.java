package dev.vigil.ingest.config;

import java.util.Map;

/** One {@code remote_read} entry (see {@link dev.vigil.ingest.remoteread.RemoteReadClient}). */
public record RemoteReadConfig(String url, String name, long remoteTimeoutMs, Map<String, String> headers,
        boolean readRecent, Map<String, String> requiredMatchers, boolean filterExternalLabels, HttpClientConfig http) {}
