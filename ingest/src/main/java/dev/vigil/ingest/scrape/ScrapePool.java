package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.log.JsonLogFile;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * The scrape loops of one job (Prometheus's {@code scrapePool}). {@link #sync} takes the job's
 * current target groups and applies the difference: loops of unchanged targets keep running,
 * vanished targets stop with stale markers, new ones start. {@link #reload} swaps the config:
 * every target then gets a new loop, which inherits the old loop's cache when the settings that
 * shape series labels did not change. Thread-safe (all methods synchronized).
 */
public final class ScrapePool {
    private final Storage storage;
    private final LongSupplier clock;
    private final long offsetSeed;
    private ScrapeConfig cfg;
    private ScrapeClient client;
    private ScrapeClient retiredClient; // replaced by a reload, closed once no loop uses it
    private boolean reloadPending;
    private final Map<Long, ScrapeLoop> loops = new LinkedHashMap<>();
    private List<Labels> dropped = List.of();
    private List<String> failures = List.of();
    private JsonLogFile failureLog;

    private final BufferPool buffers;

    private final ScrapeMetrics metrics;

    ScrapePool(ScrapeConfig cfg, Storage storage, BufferPool buffers, ScrapeMetrics metrics, LongSupplier clock, long offsetSeed) {
        this.metrics = metrics;
        this.cfg = cfg;
        this.buffers = buffers;
        this.storage = storage;
        this.clock = clock;
        this.offsetSeed = offsetSeed;
        this.client = new ScrapeClient(cfg);
    }

    public synchronized ScrapeConfig config() {
        return cfg;
    }

    /** Applies a new config for the same job; the loops are renewed on the next {@link #sync}. */
    synchronized void reload(ScrapeConfig next) {
        if (!next.http().equals(cfg.http()) || next.scrapeTimeoutMs() != cfg.scrapeTimeoutMs() || !next.scheme().equals(cfg.scheme())) {
            if (retiredClient != null) retiredClient.close();
            retiredClient = client;
            client = new ScrapeClient(next);
        }
        cfg = next;
        reloadPending = true;
    }

    /** Where the loops log failed fetches from now on (null: nowhere). */
    synchronized void setFailureLog(JsonLogFile log) {
        failureLog = log;
        for (ScrapeLoop l : loops.values()) l.setFailureLog(log);
    }

    /** Takes a config that differs only in its discovery sections: running loops stay. */
    synchronized void update(ScrapeConfig next) {
        cfg = next;
    }

    /** Replaces the job's targets with those built from {@code groups}. */
    public synchronized void sync(List<TargetGroup> groups) {
        Map<Long, Target> wanted = new LinkedHashMap<>();
        List<Labels> drop = new ArrayList<>();
        List<String> errs = new ArrayList<>();
        for (TargetGroup g : groups) {
            for (TargetBuilder.Result r : TargetBuilder.fromGroup(g, cfg)) {
                if (r.target() != null) {
                    wanted.putIfAbsent(r.target().hash(), r.target());
                } else if (r.dropped() != null) {
                    if (cfg.limits().keepDroppedTargets() == 0 || drop.size() < cfg.limits().keepDroppedTargets()) drop.add(r.dropped());
                } else {
                    errs.add(r.error());
                }
            }
        }
        dropped = List.copyOf(drop);
        failures = List.copyOf(errs);
        // Stop vanished targets first, so their stale markers precede anything new.
        for (var it = loops.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!wanted.containsKey(e.getKey())) {
                e.getValue().stop(true);
                it.remove();
            }
        }
        List<ScrapeLoop> started = new ArrayList<>();
        for (Map.Entry<Long, Target> e : wanted.entrySet()) {
            ScrapeLoop old = loops.get(e.getKey());
            if (old != null && !reloadPending) continue;
            ScrapeCache cache = null;
            if (old != null) {
                old.stop(false);
                if (cacheReusable(old)) cache = old.cache;
            }
            ScrapeLoop l = new ScrapeLoop(e.getValue(), cfg, storage, client, buffers, metrics, clock, offsetSeed, cache);
            l.setFailureLog(failureLog);
            loops.put(e.getKey(), l);
            started.add(l);
        }
        reloadPending = false;
        if (retiredClient != null) { // every loop now runs on the new client
            retiredClient.close();
            retiredClient = null;
        }
        long limit = cfg.limits().targetLimit();
        String forced = limit > 0 && loops.size() > limit
                ? "target_limit exceeded (number of targets: " + loops.size() + ", limit: " + limit + ")" : null;
        for (ScrapeLoop l : loops.values()) l.forceError(forced);
        // Started only now, so that not even a first scrape escapes the target limit.
        for (ScrapeLoop l : started) l.start();
    }

    /** Whether series labels come out the same under the new config as under the old loop's. */
    private boolean cacheReusable(ScrapeLoop old) {
        ScrapeConfig a = old.configForCache();
        return a.honorLabels() == cfg.honorLabels() && a.honorTimestamps() == cfg.honorTimestamps()
                && a.trackTimestampsStaleness() == cfg.trackTimestampsStaleness()
                && a.metricRelabelConfigs().equals(cfg.metricRelabelConfigs())
                // cached series passed the label limits when they were added
                && a.limits().labelLimit() == cfg.limits().labelLimit()
                && a.limits().labelNameLengthLimit() == cfg.limits().labelNameLengthLimit()
                && a.limits().labelValueLengthLimit() == cfg.limits().labelValueLengthLimit();
    }

    /** Stops every loop; with {@code staleness}, their series get stale markers (the job was removed). */
    synchronized void stop(boolean staleness) {
        for (ScrapeLoop l : loops.values()) l.stop(staleness);
        loops.clear();
        client.close();
        if (retiredClient != null) retiredClient.close();
    }

    public synchronized List<TargetStatus> activeTargets() {
        List<TargetStatus> out = new ArrayList<>(loops.size());
        for (ScrapeLoop l : loops.values()) out.add(l.status());
        return out;
    }

    /** Metadata per active target, keyed by scrape URL (for the metadata APIs). */
    public synchronized Map<String, Map<String, MetricMetadata>> metadata() {
        Map<String, Map<String, MetricMetadata>> out = new LinkedHashMap<>();
        for (ScrapeLoop l : loops.values()) out.put(l.target().url(), l.metadata());
        return out;
    }

    /** Discovered label sets of targets that relabeling dropped (at most keep_dropped_targets). */
    public synchronized List<Labels> droppedTargets() {
        return dropped;
    }

    /** Targets that could not be built (no address, bad interval), with the reason. */
    public synchronized List<String> targetErrors() {
        return failures;
    }

    synchronized ScrapeLoop loop(long targetHash) {
        return loops.get(targetHash);
    }

    synchronized List<ScrapeLoop> loops() {
        return List.copyOf(loops.values());
    }

    /** The pool's JDK client (tests). */
    synchronized ScrapeClient client() {
        return client;
    }

    @Override
    public String toString() {
        return "ScrapePool[" + Objects.requireNonNull(cfg).jobName() + "]";
    }
}
