package dev.vigil.ingest.config;

import dev.vigil.ingest.relabel.NameValidationScheme;
import dev.vigil.tsdb.Labels;
import java.util.List;

/**
 * The {@code global} section, defaults applied as Prometheus does: scrape every 1m, time out after
 * 10s (or the interval when shorter), evaluate rules every 1m.
 *
 * @param externalLabels environment references ({@code $VAR}, {@code ${VAR}}) already expanded
 * @param limits the job-level limits every scrape config inherits where its own is 0
 * @param scrapeProtocols what jobs without their own {@code scrape_protocols} offer; empty when
 *     unset (then Prometheus's default list applies)
 * @param extraScrapeMetrics {@code extra_scrape_metrics}, the default of every scrape config
 */
public record GlobalConfig(
        long scrapeIntervalMs,
        long scrapeTimeoutMs,
        long evaluationIntervalMs,
        long ruleQueryOffsetMs,
        Labels externalLabels,
        String queryLogFile,
        String scrapeFailureLogFile,
        ScrapeLimits limits,
        NameValidationScheme nameValidation,
        List<String> scrapeProtocols,
        boolean extraScrapeMetrics) {

    public static final long DEFAULT_SCRAPE_INTERVAL_MS = 60_000;
    public static final long DEFAULT_SCRAPE_TIMEOUT_MS = 10_000;
    public static final long DEFAULT_EVALUATION_INTERVAL_MS = 60_000;

    public static final GlobalConfig DEFAULT = new GlobalConfig(DEFAULT_SCRAPE_INTERVAL_MS, DEFAULT_SCRAPE_TIMEOUT_MS,
            DEFAULT_EVALUATION_INTERVAL_MS, 0, Labels.EMPTY, "", "", ScrapeLimits.NONE, NameValidationScheme.UTF8, List.of(), false);

    public GlobalConfig {
        scrapeProtocols = List.copyOf(scrapeProtocols);
    }
}
