package dev.vigil.ingest.config;

import java.util.List;

/**
 * A parsed and validated {@code prometheus.yml}. Immutable; a reload builds a new one and the
 * running one stays in force when that fails.
 *
 * @param file the path it was read from
 * @param ruleFiles rule file globs, resolved against the config file's directory
 * @param scrapeConfigFiles scrape config file globs, resolved likewise
 * @param scrapeConfigs the file's own scrape configs followed by those of {@code scrape_config_files}
 * @param ignoredSettings settings the parser met that Vigil accepts but does not act on, one
 *     sentence each (see {@link #unsupportedSettings})
 */
public record PrometheusConfig(
        String file,
        GlobalConfig global,
        List<String> ruleFiles,
        List<String> scrapeConfigFiles,
        List<ScrapeConfig> scrapeConfigs,
        AlertingConfig alerting,
        List<RemoteWriteConfig> remoteWrite,
        List<RemoteReadConfig> remoteRead,
        StorageConfig storage,
        List<String> ignoredSettings) {

    public PrometheusConfig {
        ruleFiles = List.copyOf(ruleFiles);
        scrapeConfigFiles = List.copyOf(scrapeConfigFiles);
        scrapeConfigs = List.copyOf(scrapeConfigs);
        remoteWrite = List.copyOf(remoteWrite);
        remoteRead = List.copyOf(remoteRead);
        ignoredSettings = List.copyOf(ignoredSettings);
    }

    /** The scrape config of {@code jobName}, or null. */
    public ScrapeConfig scrapeConfig(String jobName) {
        for (ScrapeConfig c : scrapeConfigs) {
            if (c.jobName().equals(jobName)) return c;
        }
        return null;
    }

    /**
     * Settings this file asks for that Vigil accepts (so that a Prometheus config loads) but does
     * not act on, one sentence each, for the log: accepted silently they would look applied.
     */
    public List<String> unsupportedSettings() {
        List<String> out = new java.util.ArrayList<>();
        List<HttpClientConfig> https = new java.util.ArrayList<>();
        for (ScrapeConfig c : scrapeConfigs) {
            https.add(c.http());
            for (HttpSdConfig h : c.httpSdConfigs()) https.add(h.http());
        }
        for (var am : alerting.alertmanagers()) https.add(am.http());
        for (RemoteWriteConfig w : remoteWrite) https.add(w.http());
        for (RemoteReadConfig r : remoteRead) https.add(r.http());
        if (https.stream().anyMatch(h -> h != null && h.proxyConnectHeader())) {
            out.add("proxy_connect_header is not supported by Vigil: a proxy CONNECT request carries no extra headers");
        }
        out.addAll(ignoredSettings);
        return out;
    }
}
