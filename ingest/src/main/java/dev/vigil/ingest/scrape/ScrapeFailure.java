package dev.vigil.ingest.scrape;

/**
 * Why a scrape failed: fetch errors, limits, parse errors. The target reports it as its last
 * error and gets {@code up 0}; nothing of that scrape is stored.
 */
final class ScrapeFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ScrapeFailure(String message) {
        super(message, null, false, false); // an expected outcome: no stack trace to fill
    }
}
