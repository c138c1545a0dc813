package dev.vigil.ingest.scrape;

import dev.vigil.tsdb.Labels;

/**
 * What {@code /api/v1/targets} shows of an active target; a snapshot.
 *
 * @param lastScrapeMs epoch millis of the last scrape, 0 before the first
 * @param lastScrapeDurationSeconds time to fetch the page
 * @param lastError empty when the last scrape succeeded
 */
public record TargetStatus(
        String scrapePool,
        String scrapeUrl,
        Labels labels,
        Labels discoveredLabels,
        ScrapeLoop.Health health,
        String lastError,
        long lastScrapeMs,
        double lastScrapeDurationSeconds,
        int lastSamples,
        long intervalMs,
        long timeoutMs) {}
