package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.discovery.TargetGroupSet;
import dev.vigil.ingest.log.LogFiles;
import dev.vigil.tsdb.Storage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Runs the scrape pools of a configuration and applies new configurations by difference
 * (Prometheus's {@code scrape.Manager}): a job whose config is unchanged keeps its discovery and
 * its loops untouched; a changed job reloads (its loops restart, keeping caches where they can); a
 * removed job stops and its series get stale markers; a new job starts.
 *
 * <p>Validation happens before: {@link dev.vigil.ingest.config.ConfigParser} throws on a bad file,
 * so a failed reload never reaches {@link #apply} and the running config stays in force.
 * Thread-safe.
 */
public final class ScrapeManager implements AutoCloseable {
    private final Storage storage;
    private final LongSupplier clock;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final BufferPool buffers = new BufferPool();
    private final ScrapeMetrics metrics = new ScrapeMetrics();
    private long offsetSeed;

    private record Job(ScrapeConfig config, ScrapePool pool, TargetGroupSet discovery) {}

    /**
     * @param clock epoch millis for sample timestamps (injected by tests)
     */
    public ScrapeManager(Storage storage, LongSupplier clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /** Applies {@code config} without failure logs: see the class comment. */
    public void apply(PrometheusConfig config) {
        apply(config, LogFiles.NONE);
    }

    /**
     * Applies {@code config}: see the class comment. Every job, changed or not, logs failed fetches
     * to its {@code scrape_failure_log_file} in {@code logs} (reopened by each load, as Prometheus
     * promises); the caller closes the previous set.
     */
    public synchronized void apply(PrometheusConfig config, LogFiles logs) {
        // Prometheus seeds offsets with the external labels so that HA replicas scrape out of phase.
        offsetSeed = config.global().externalLabels().hash();
        Set<String> names = new HashSet<>();
        for (ScrapeConfig c : config.scrapeConfigs()) {
            names.add(c.jobName());
            Job old = jobs.get(c.jobName());
            if (old != null) old.pool().setFailureLog(logs.get(c.scrapeFailureLogFile()));
            if (old != null && old.config().equals(c)) continue;
            ScrapePool pool;
            if (old != null) {
                old.discovery().close();
                pool = old.pool();
                // Only the target list changed: the next sync keeps the loops of unchanged targets.
                if (withoutDiscovery(old.config()).equals(withoutDiscovery(c))) {
                    pool.update(c);
                } else {
                    pool.reload(c);
                }
            } else {
                pool = new ScrapePool(c, storage, buffers, metrics, clock, offsetSeed);
                pool.setFailureLog(logs.get(c.scrapeFailureLogFile()));
            }
            TargetGroupSet d = TargetGroupSet.forScrapeConfig(c, pool::sync);
            jobs.put(c.jobName(), new Job(c, pool, d));
            d.start();
        }
        for (var it = jobs.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (names.contains(e.getKey())) continue;
            e.getValue().discovery().close();
            e.getValue().pool().stop(true);
            it.remove();
        }
    }

    private static ScrapeConfig withoutDiscovery(ScrapeConfig c) {
        return new ScrapeConfig(c.jobName(), c.scrapeIntervalMs(), c.scrapeTimeoutMs(), c.metricsPath(), c.scheme(), c.params(),
                c.honorLabels(), c.honorTimestamps(), c.trackTimestampsStaleness(), c.enableCompression(), c.limits(), c.http(),
                List.of(), List.of(), List.of(), List.of(), c.relabelConfigs(), c.metricRelabelConfigs(), c.scrapeProtocols(),
                c.fallbackScrapeProtocol(), c.nameValidation(), "", c.extraScrapeMetrics());
    }

    /** Counters over every loop this manager ran. */
    public ScrapeMetrics metrics() {
        return metrics;
    }

    /** The pool of a job, or null. */
    public synchronized ScrapePool pool(String jobName) {
        Job j = jobs.get(jobName);
        return j == null ? null : j.pool();
    }

    /** The loops of a job (tests, diagnostics); empty when the job is unknown. */
    synchronized List<ScrapeLoop> loopsOf(String jobName) {
        Job j = jobs.get(jobName);
        return j == null ? List.of() : j.pool().loops();
    }

    /** Every active target, by job in config order. */
    /** The job names (scrape pools) of the running configuration, in configuration order. */
    public synchronized List<String> jobNames() {
        return new ArrayList<>(jobs.keySet());
    }

    public synchronized List<TargetStatus> activeTargets() {
        List<TargetStatus> out = new ArrayList<>();
        for (Job j : jobs.values()) out.addAll(j.pool().activeTargets());
        return out;
    }

    /** Stops everything without stale markers (a shutdown: the data is not known to be stale). */
    @Override
    public synchronized void close() {
        for (Job j : jobs.values()) {
            j.discovery().close();
            j.pool().stop(false);
        }
        jobs.clear();
    }
}
