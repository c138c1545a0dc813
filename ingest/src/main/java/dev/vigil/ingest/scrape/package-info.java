/**
 * Scraping: {@link dev.vigil.ingest.scrape.ScrapeManager} runs one {@link
 * dev.vigil.ingest.scrape.ScrapePool} per job and applies new configurations by difference; a pool
 * turns discovered target groups into {@link dev.vigil.ingest.scrape.Target}s ({@link
 * dev.vigil.ingest.scrape.TargetBuilder}, Prometheus's PopulateLabels) and runs a {@link
 * dev.vigil.ingest.scrape.ScrapeLoop} per target. A loop fetches, parses and appends one scrape
 * per interval as one appender transaction, with staleness markers and the {@code up}/{@code
 * scrape_*} series; its scrape cache maps raw series text to series refs so that a steady-state
 * scrape neither parses labels nor allocates per sample.
 */
package dev.vigil.ingest.scrape;
