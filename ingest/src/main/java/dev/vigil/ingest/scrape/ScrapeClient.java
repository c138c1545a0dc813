package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.discovery.HttpClients;
import java.net.http.HttpClient;

/**
 * A scrape pool's JDK HTTP client, built on first use. Plain-http targets fetch over connections
 * of their own ({@link Http1Connection}) and never need it, and a JDK client keeps a selector
 * thread that wakes up even when no request is in flight.
 */
final class ScrapeClient {
    private final ScrapeConfig cfg;
    private HttpClient client;
    private boolean closed;

    ScrapeClient(ScrapeConfig cfg) {
        this.cfg = cfg;
    }

    synchronized HttpClient get() {
        if (closed) throw new ScrapeFailure("the scrape pool was stopped");
        if (client == null) {
            try {
                client = HttpClients.build(cfg.http(), cfg.scrapeTimeoutMs(), cfg.scheme().equals("https"));
            } catch (IllegalArgumentException e) {
                // an unreadable CA, certificate or key file: the target's error (up 0), tried again next scrape
                throw new ScrapeFailure(e.getMessage());
            }
        }
        return client;
    }

    /** Whether the client was built (tests). */
    synchronized boolean built() {
        return client != null;
    }

    synchronized void close() {
        closed = true;
        if (client != null) client.shutdownNow();
    }
}
