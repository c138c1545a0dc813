package dev.vigil.ingest.config;

import dev.vigil.ingest.relabel.NameValidationScheme;
import dev.vigil.ingest.relabel.RelabelConfig;
import java.util.List;
import java.util.Map;

/**
 * One {@code scrape_configs} entry, validated and with the global defaults filled in (interval,
 * timeout, limits, name validation), so consumers never look at {@link GlobalConfig} again.
 *
 * @param params query parameters in document order; a name may repeat values
 * @param scrapeProtocols the protocols offered in the Accept header, most wanted first
 * @param fallbackScrapeProtocol used when the response has no usable Content-Type; empty when unset
 * @param scrapeFailureLogFile where failed fetches are logged (the job's, else the global one, joined
 *     to the config file's directory); empty for none
 * @param extraScrapeMetrics {@code extra_scrape_metrics}: report {@code scrape_timeout_seconds},
 *     {@code scrape_sample_limit} and {@code scrape_body_size_bytes} too
 */
public record ScrapeConfig(
        String jobName,
        long scrapeIntervalMs,
        long scrapeTimeoutMs,
        String metricsPath,
        String scheme,
        Map<String, List<String>> params,
        boolean honorLabels,
        boolean honorTimestamps,
        boolean trackTimestampsStaleness,
        boolean enableCompression,
        ScrapeLimits limits,
        HttpClientConfig http,
        List<TargetGroup> staticConfigs,
        List<FileSdConfig> fileSdConfigs,
        List<HttpSdConfig> httpSdConfigs,
        List<DnsSdConfig> dnsSdConfigs,
        List<RelabelConfig> relabelConfigs,
        List<RelabelConfig> metricRelabelConfigs,
        List<String> scrapeProtocols,
        String fallbackScrapeProtocol,
        NameValidationScheme nameValidation,
        String scrapeFailureLogFile,
        boolean extraScrapeMetrics) {

    public static final List<String> DEFAULT_SCRAPE_PROTOCOLS =
            List.of("OpenMetricsText1.0.0", "OpenMetricsText0.0.1", "PrometheusText1.0.0", "PrometheusText0.0.4");
    public static final List<String> KNOWN_SCRAPE_PROTOCOLS = List.of("PrometheusProto", "PrometheusText0.0.4",
            "PrometheusText1.0.0", "OpenMetricsText0.0.1", "OpenMetricsText1.0.0");

    public ScrapeConfig {
        params = Map.copyOf(params);
        staticConfigs = List.copyOf(staticConfigs);
        fileSdConfigs = List.copyOf(fileSdConfigs);
        httpSdConfigs = List.copyOf(httpSdConfigs);
        dnsSdConfigs = List.copyOf(dnsSdConfigs);
        relabelConfigs = List.copyOf(relabelConfigs);
        metricRelabelConfigs = List.copyOf(metricRelabelConfigs);
        scrapeProtocols = List.copyOf(scrapeProtocols);
    }
}
