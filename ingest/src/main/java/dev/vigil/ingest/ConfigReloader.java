package dev.vigil.ingest;

import dev.vigil.ingest.config.ConfigException;
import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.scrape.ScrapeManager;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Loads {@code prometheus.yml} and applies it to the scrape manager, keeping the running config
 * when a reload fails, as Prometheus does (SIGHUP, {@code POST /-/reload}). Exposes what {@code
 * prometheus_config_last_reload_successful} and {@code ..._success_timestamp_seconds} report.
 * Thread-safe: reloads are serialized.
 */
public final class ConfigReloader {
    private static final Logger LOG = Logger.getLogger(ConfigReloader.class.getName());

    private final Path file;
    private final ScrapeManager scrapes;
    private final LongSupplier clock;
    private volatile PrometheusConfig current;
    private volatile boolean lastSuccessful;
    private volatile long lastSuccessMs;
    private volatile String lastError = "";

    public ConfigReloader(Path file, ScrapeManager scrapes, LongSupplier clock) {
        this.file = file;
        this.scrapes = scrapes;
        this.clock = clock;
    }

    /**
     * Reads the file and applies it.
     *
     * @return null on success, else why the file was refused (the previous config keeps running)
     */
    public synchronized String reload() {
        PrometheusConfig next;
        try {
            next = ConfigParser.load(file);
        } catch (ConfigException e) {
            lastSuccessful = false;
            lastError = e.getMessage();
            LOG.warning("config reload failed, the running configuration stays in force: " + e.getMessage());
            return lastError;
        }
        scrapes.apply(next);
        current = next;
        lastSuccessful = true;
        lastSuccessMs = clock.getAsLong();
        lastError = "";
        return null;
    }

    /** The config in force, or null before the first successful load. */
    public PrometheusConfig current() {
        return current;
    }

    public boolean lastReloadSuccessful() {
        return lastSuccessful;
    }

    /** Epoch millis of the last successful reload, 0 before. */
    public long lastSuccessMs() {
        return lastSuccessMs;
    }

    /** Why the last reload failed, or empty. */
    public String lastError() {
        return lastError;
    }
}
