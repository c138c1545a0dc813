package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.log.JsonLogFile;
import dev.vigil.ingest.parse.ExpositionFormat;
import dev.vigil.ingest.parse.ExpositionParser;
import dev.vigil.ingest.parse.MetricType;
import dev.vigil.ingest.parse.ParseException;
import dev.vigil.ingest.parse.SampleSink;
import dev.vigil.ingest.relabel.Relabel;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Scrapes one target on its interval and appends what it exposes, as Prometheus's {@code
 * scrapeLoop} does.
 *
 * <h2>Design notes</h2>
 * One virtual thread per target. It waits for the target's deterministic offset ({@link
 * Target#offsetMs}), then scrapes every interval; a scrape that overruns skips the missed ticks.
 * Each scrape is one appender transaction: the samples, the stale markers of series that vanished
 * and the five report series ({@code up}, {@code scrape_duration_seconds}, {@code
 * scrape_samples_scraped}, {@code scrape_samples_post_metric_relabeling}, {@code
 * scrape_series_added}) commit together. A failed scrape (fetch error, parse error, a breached
 * limit) rolls back what it appended and counts as an empty scrape: every series of the previous
 * scrape gets a stale marker and {@code up} is 0.
 *
 * <p>The hot path is {@link Sink#sample}: a {@link ScrapeCache} hit appends with the cached ref and
 * labels and allocates nothing. Only a miss parses labels, merges target labels, runs metric
 * relabeling and checks label limits.
 *
 * <p>The loop thread is never interrupted: storage I/O may run on it, and an interrupt would close
 * its file channels. Stopping sets a flag, cancels the HTTP exchange and unparks the thread.
 */
public final class ScrapeLoop {
    private static final Logger LOG = Logger.getLogger(ScrapeLoop.class.getName());
    // the last three only with extra_scrape_metrics
    private static final String[] REPORT_NAMES = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added", "scrape_timeout_seconds", "scrape_sample_limit",
            "scrape_body_size_bytes"};
    private static final String EXPORTED_PREFIX = "exported_";
    static final long TIMESTAMP_TOLERANCE_MS = 2;

    private final Target target;
    private final ScrapeConfig cfg;
    private final String pool;
    private final Storage storage;
    private final HttpScraper scraper;
    private final LongSupplier clock;
    private final long offsetSeed;
    final ScrapeCache cache;
    private final Labels targetLabels;
    private final ExpositionParser promParser = ExpositionFormat.PROMETHEUS_TEXT.newParser();
    private ExpositionParser omParser;
    private final Sink sink;
    // Family -> metadata, replaced per entry only when a TYPE/HELP/UNIT line changes it.
    private final ConcurrentHashMap<String, MetricMetadata> metadata = new ConcurrentHashMap<>();
    private final int reportCount; // report series this loop writes
    private final long[] reportRefs = new long[REPORT_NAMES.length];
    private final Labels[] reportLabels = new Labels[REPORT_NAMES.length];
    private final ScrapeMetrics metrics;

    private volatile boolean stopped;
    private volatile Thread thread;
    private volatile String forcedError;
    private volatile JsonLogFile failureLog;
    // What /api/v1/targets shows; written by the loop thread only.
    private volatile Health health = Health.UNKNOWN;
    private volatile String lastError = "";
    private volatile long lastScrapeMs;
    private volatile long lastDurationNanos;
    private volatile int lastSamples;

    /** A target's health as the targets API reports it. */
    public enum Health {
        UNKNOWN, UP, DOWN;

        public String apiName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param cache the target's cache from a previous loop (a reload that kept the target), or null
     */
    ScrapeLoop(Target target, ScrapeConfig cfg, Storage storage, ScrapeClient client, BufferPool buffers, ScrapeMetrics metrics,
            LongSupplier clock, long offsetSeed, ScrapeCache cache) {
        this.metrics = metrics;
        this.target = target;
        this.cfg = cfg;
        this.pool = cfg.jobName();
        this.storage = storage;
        this.scraper = new HttpScraper(client, target, cfg, buffers);
        this.clock = clock;
        this.offsetSeed = offsetSeed;
        this.cache = cache != null ? cache : new ScrapeCache();
        this.targetLabels = target.publicLabels();
        this.reportCount = cfg.extraScrapeMetrics() ? REPORT_NAMES.length : 5;
        for (int i = 0; i < reportCount; i++) {
            reportLabels[i] = targetLabels.toBuilder().set(Labels.METRIC_NAME, REPORT_NAMES[i]).build();
        }
        this.sink = new Sink(); // reads cfg
        this.staleWriter = (ref, labels) -> appendStale(sink.app, ref, labels, sink.defaultT);
    }

    public Target target() {
        return target;
    }

    /** The config this loop scrapes with (its cache's labels were made under it). */
    ScrapeConfig configForCache() {
        return cfg;
    }

    /** Starts the loop thread. */
    void start() {
        thread = Thread.ofVirtual().name("scrape " + target.url()).start(this::run);
    }

    private void run() {
        try {
            scrapeEveryInterval();
        } finally {
            scraper.close();
        }
    }

    private void scrapeEveryInterval() {
        long intervalMs = target.intervalMs();
        long intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        long offsetMs = target.offsetMs(clock.getAsLong(), intervalMs, offsetSeed);
        long next = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(offsetMs);
        long scheduledMs = clock.getAsLong() + offsetMs;
        while (!stopped) {
            parkUntil(next);
            if (stopped) return;
            long t = clock.getAsLong();
            // As Prometheus (scrape.timestamp-tolerance): a scrape that starts within 2ms of its tick
            // is stamped with the tick, so timestamps stay exactly one interval apart and the
            // head's delta-of-delta timestamp encoding spends one bit per sample on them.
            if (Math.abs(t - scheduledMs) <= TIMESTAMP_TOLERANCE_MS) t = scheduledMs;
            try {
                scrapeAndReport(t);
            } catch (RuntimeException e) {
                // A bug, not a target's fault: keep the loop alive and say so.
                LOG.log(Level.SEVERE, "scrape loop error [target=" + target.url() + "]", e);
            }
            next += intervalNanos;
            scheduledMs += intervalMs;
            long now = System.nanoTime();
            if (now - next > 0) { // overran: skip the missed ticks
                long skipped = (now - next) / intervalNanos + 1;
                next += skipped * intervalNanos;
                scheduledMs += skipped * intervalMs;
            }
        }
    }

    private void parkUntil(long deadlineNanos) {
        while (!stopped) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) return;
            LockSupport.parkNanos(this, left);
        }
    }

    /** Where failed fetches are logged (scrape_failure_log_file), or null. */
    void setFailureLog(JsonLogFile log) {
        failureLog = log;
    }

    /** Fails every scrape with {@code error} (target_limit exceeded), or clears it with null. */
    void forceError(String error) {
        forcedError = error;
    }

    /**
     * One scrape at time {@code t}: fetch, parse and append, staleness, report, commit.
     *
     * @return the error, or null when the scrape succeeded
     */
    String scrapeAndReport(long t) {
        long start = System.nanoTime();
        String err = forcedError;
        if (err == null) {
            try {
                scraper.fetch();
            } catch (ScrapeFailure f) {
                err = f.getMessage();
                // as Prometheus: fetch failures only, not parse errors or limits, with the scrape URL
                JsonLogFile log = failureLog;
                if (log != null) log.log("ERROR", err, Map.of("target", target.url()));
            }
        }
        long durationNanos = System.nanoTime() - start;
        try {
            err = append(err == null ? scraper.body() : null, scraper.bodyLength(), scraper.contentType(), t, durationNanos, err);
        } finally {
            scraper.release();
        }
        metrics.scrape(err != null, err, err == null ? sink.added : 0);
        health = err == null ? Health.UP : Health.DOWN;
        lastError = err == null ? "" : err;
        lastScrapeMs = t;
        lastDurationNanos = durationNanos;
        lastSamples = sink.scraped;
        return err;
    }

    /**
     * Parses a fetched body and appends it with staleness and report series, in one transaction;
     * a {@code fetchError} (or a null body) appends an empty scrape with {@code up 0}.
     *
     * @return the scrape's error, or null
     */
    String append(byte[] body, int length, String contentType, long t, long durationNanos, String fetchError) {
        String err = fetchError;
        Appender app = storage.appender();
        sink.reset(app, t);
        try {
            if (err == null && body != null) {
                try {
                    ExpositionParser parser = parserFor(contentType);
                    sink.parser = parser;
                    sink.om = parser.format() == ExpositionFormat.OPENMETRICS_TEXT;
                    parser.parse(body, length, sink);
                    cache.forEachStale(staleWriter);
                } catch (ParseException | ScrapeFailure e) {
                    err = e.getMessage();
                } catch (IllegalArgumentException e) {
                    err = "invalid series: " + e.getMessage(); // relabeling produced an invalid label set
                }
            }
            if (err != null) {
                app.rollback();
                app = storage.appender();
                sink.app = app;
                cache.failIteration(staleWriter);
            }
            long bodyBytes = fetchError == null ? (body == null ? 0 : length)
                    : fetchError.startsWith(ScrapeMetrics.BODY_SIZE_LIMIT_ERROR) ? -1 : 0;
            report(app, t, durationNanos, err, bodyBytes);
            app.commit();
        } catch (StorageException e) {
            app.rollback();
            if (err == null) err = "storage: " + e.getMessage();
        } finally {
            sink.app = null;
        }
        cache.endIteration();
        return err;
    }

    // Writes a stale marker through the current scrape's appender at its time; one instance, no
    // capturing lambda per scrape.
    private final ScrapeCache.StaleSink staleWriter;

    private ExpositionParser parserFor(String contentType) {
        boolean om = ExpositionFormat.forContentType(contentType) == ExpositionFormat.OPENMETRICS_TEXT;
        if (!om && !isTextPlain(contentType)) om = cfg.fallbackScrapeProtocol().startsWith("OpenMetrics");
        if (om) {
            if (omParser == null) omParser = ExpositionFormat.OPENMETRICS_TEXT.newParser();
            return omParser;
        }
        return promParser;
    }

    /** A Content-Type naming the Prometheus text format; anything else takes the fallback protocol. */
    private static boolean isTextPlain(String contentType) {
        return contentType != null && contentType.trim().toLowerCase(Locale.ROOT).startsWith("text/plain");
    }

    private void appendStale(Appender app, long ref, Labels labels, long t) {
        count(app.append(ref, labels, t, StaleMarker.STALE_NAN));
    }

    /**
     * @param bodyBytes the uncompressed body's size, 0 when the fetch failed, -1 when it failed on
     *     {@code body_size_limit} (Prometheus's {@code scrape_body_size_bytes})
     */
    private void report(Appender app, long t, long durationNanos, String err, long bodyBytes) {
        for (int i = 0; i < reportCount; i++) {
            double v = switch (i) {
                case 0 -> err == null ? 1 : 0;
                case 1 -> durationNanos / 1e9;
                case 2 -> sink.scraped;
                case 3 -> sink.added;
                case 4 -> sink.seriesAdded;
                case 5 -> target.timeoutMs() / 1000.0;
                case 6 -> cfg.limits().sampleLimit();
                default -> bodyBytes;
            };
            long r = app.append(reportRefs[i], reportLabels[i], t, v);
            if (r > 0) reportRefs[i] = r;
            count(r);
        }
    }

    private void count(long r) {
        if (r < 0) metrics.countRejected(r);
    }

    /**
     * Stops the loop and waits for it. With {@code staleness} (the target went away), every series
     * of the last scrape and the report series get a stale marker at the current time.
     */
    void stop(boolean staleness) {
        stopped = true;
        scraper.cancel();
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!staleness) return;
        long now = clock.getAsLong();
        Appender app = storage.appender();
        try {
            cache.forEachStale((ref, labels) -> appendStale(app, ref, labels, now));
            if (health != Health.UNKNOWN) {
                for (int i = 0; i < reportCount; i++) appendStale(app, reportRefs[i], reportLabels[i], now);
            }
            app.commit();
        } catch (StorageException e) {
            app.rollback();
            LOG.log(Level.WARNING, "cannot write stale markers of a removed target [target=" + target.url() + "]", e);
        }
    }

    /**
     * The metadata this target has exposed, by metric family (a live, thread-safe view; families
     * that disappear from the target stay until the loop ends, as in Prometheus's scrape cache).
     */
    public Map<String, MetricMetadata> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    /** A snapshot for the targets API. */
    public TargetStatus status() {
        return new TargetStatus(pool, target.url(), target.publicLabels(), target.discoveredLabels(), health, lastError,
                lastScrapeMs, lastDurationNanos / 1e9, lastSamples, target.intervalMs(), target.timeoutMs());
    }

    // ------------------------------------------------------------------ the hot path

    /** Appends one scrape's samples; reset per scrape, reused across scrapes. */
    private final class Sink implements SampleSink {
        Appender app;
        ExpositionParser parser;
        long defaultT;
        int scraped;
        int added;
        int seriesAdded;
        private final boolean honorTimestamps = cfg.honorTimestamps();
        private final boolean trackTimestampsStaleness = cfg.trackTimestampsStaleness();
        private final long sampleLimit = cfg.limits().sampleLimit();

        void reset(Appender app, long t) {
            this.app = app;
            this.defaultT = t;
            knownStart = -1;
            scraped = 0;
            added = 0;
            seriesAdded = 0;
        }

        // The entry known() found for the series starting at knownStart, or -1.
        private int knownEntry = -1;
        private int knownStart = -1;
        // The format being parsed: a cached text counts as known only when a parser of this
        // format validated it (a target may switch formats; their syntax differs in details).
        boolean om;

        @Override
        public boolean known(byte[] buf, int s, int e, long hash) {
            int entry = cache.find(buf, s, e, hash);
            if (entry < 0 || !cache.validatedAs(entry, om)) return false;
            knownEntry = entry;
            knownStart = s;
            return true;
        }

        @Override
        public int predict(byte[] buf, int s, int limit) {
            int entry = cache.predicted(buf, s, limit);
            if (entry < 0 || !cache.validatedAs(entry, om)) return -1;
            knownEntry = entry;
            knownStart = s;
            return cache.keyLength(entry);
        }

        @Override
        public void sample(byte[] buf, int s, int e, long hash, double v, long ts) {
            scraped++;
            boolean explicit = ts != NO_TIMESTAMP && honorTimestamps;
            long t = explicit ? ts : defaultT;
            boolean track = !explicit || trackTimestampsStaleness;
            int slot;
            if (knownStart == s) {
                slot = knownEntry;
                knownStart = -1;
            } else {
                slot = cache.find(buf, s, e, hash);
                if (slot >= 0) cache.markValidated(slot, om); // the parser just validated the text
            }
            if (slot >= 0) {
                long ref = cache.ref(slot);
                if (ref == ScrapeCache.DROPPED) {
                    cache.markSeen(slot, false);
                    return;
                }
                countAdded();
                long r = app.append(ref, cache.labels(slot), t, v);
                if (r > 0) {
                    if (r != ref) cache.ref(slot, r);
                } else {
                    count(r);
                }
                cache.markSeen(slot, track);
                return;
            }
            miss(buf, s, e, hash, v, t, track);
        }

        private void miss(byte[] buf, int s, int e, long hash, double v, long t, boolean track) {
            ExpositionParser p = parser != null ? parser : promParser;
            Labels l = mutateSampleLabels(p.labels(buf, s, e));
            if (l == null || l.isEmpty()) {
                int dropped = cache.insert(buf, s, e, hash, ScrapeCache.DROPPED, null);
                cache.markValidated(dropped, om);
                cache.markSeen(dropped, false);
                return;
            }
            checkLabelLimits(l);
            if (!l.has(Labels.METRIC_NAME)) throw new ScrapeFailure("missing metric name (__name__ label)");
            // The head keeps interned labels; interning here first lets it keep this very instance,
            // so the cache and the head share one label set per series instead of two.
            l = l.interned();
            countAdded();
            long r = app.append(0, l, t, v);
            int slot = cache.insert(buf, s, e, hash, Math.max(r, 0), l);
            cache.markValidated(slot, om);
            if (r > 0) {
                seriesAdded++;
            } else {
                count(r);
            }
            cache.markSeen(slot, track);
        }

        @Override
        public void type(String family, MetricType type) {
            MetricMetadata m = metadata.getOrDefault(family, MetricMetadata.NONE);
            MetricMetadata n = m.withType(type);
            if (n != m || m == MetricMetadata.NONE) metadata.put(family, n); // a family exposed as unknown and bare is listed too
        }

        @Override
        public void help(String family, String help) {
            MetricMetadata m = metadata.getOrDefault(family, MetricMetadata.NONE);
            MetricMetadata n = m.withHelp(help);
            if (n != m || m == MetricMetadata.NONE) metadata.put(family, n); // a family exposed as unknown and bare is listed too
        }

        @Override
        public void unit(String family, String unit) {
            MetricMetadata m = metadata.getOrDefault(family, MetricMetadata.NONE);
            MetricMetadata n = m.withUnit(unit);
            if (n != m || m == MetricMetadata.NONE) metadata.put(family, n); // a family exposed as unknown and bare is listed too
        }

        private void countAdded() {
            if (++added > sampleLimit && sampleLimit > 0) throw new ScrapeFailure("sample limit exceeded");
        }
    }

    /**
     * Target labels onto a scraped series, as Prometheus's mutateSampleLabels: with honor_labels the
     * series' own labels win; otherwise the target's win and a clashing exposed label is kept as
     * {@code exported_<name>} (prefixed again while that name is taken). Then metric relabeling.
     *
     * @return null when relabeling dropped the series
     */
    Labels mutateSampleLabels(Labels exposed) {
        Labels.Builder b = exposed.toBuilder();
        if (cfg.honorLabels()) {
            for (int i = 0; i < targetLabels.size(); i++) {
                if (!exposed.has(targetLabels.name(i))) b.set(targetLabels.name(i), targetLabels.value(i));
            }
        } else {
            List<String[]> conflicts = null;
            for (int i = 0; i < targetLabels.size(); i++) {
                String existing = exposed.get(targetLabels.name(i));
                if (!existing.isEmpty()) {
                    if (conflicts == null) conflicts = new ArrayList<>();
                    conflicts.add(new String[] {targetLabels.name(i), existing});
                }
                b.set(targetLabels.name(i), targetLabels.value(i));
            }
            if (conflicts != null) {
                conflicts.sort((x, y) -> x[0].length() - y[0].length());
                for (String[] c : conflicts) {
                    String name = c[0];
                    do {
                        name = EXPORTED_PREFIX + name;
                    } while (!b.get(name).isEmpty());
                    b.set(name, c[1]);
                }
            }
        }
        Labels res = b.build();
        return cfg.metricRelabelConfigs().isEmpty() ? res : Relabel.process(res, cfg.metricRelabelConfigs());
    }

    private void checkLabelLimits(Labels l) {
        var lim = cfg.limits();
        String metric = truncate(l.metricName());
        if (lim.labelLimit() > 0 && l.size() > lim.labelLimit()) {
            throw new ScrapeFailure("label_limit exceeded (metric: " + metric + ", number of labels: " + l.size() + ", limit: " + lim.labelLimit() + ")");
        }
        if (lim.labelNameLengthLimit() == 0 && lim.labelValueLengthLimit() == 0) return;
        for (int i = 0; i < l.size(); i++) {
            int nameLen = utf8Length(l.name(i));
            if (lim.labelNameLengthLimit() > 0 && nameLen > lim.labelNameLengthLimit()) {
                throw new ScrapeFailure("label_name_length_limit exceeded (metric: " + metric + ", label name: " + truncate(l.name(i))
                        + ", length: " + nameLen + ", limit: " + lim.labelNameLengthLimit() + ")");
            }
            int valueLen = utf8Length(l.value(i));
            if (lim.labelValueLengthLimit() > 0 && valueLen > lim.labelValueLengthLimit()) {
                throw new ScrapeFailure("label_value_length_limit exceeded (metric: " + metric + ", label name: " + truncate(l.name(i))
                        + ", value: \"" + truncate(l.value(i)) + "\", length: " + valueLen + ", limit: " + lim.labelValueLengthLimit() + ")");
            }
        }
    }

    private static String truncate(String s) {
        return s.length() <= 50 ? s : s.substring(0, 50);
    }

    private static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) n++;
            else if (c < 0x800) n += 2;
            else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else n += 3;
        }
        return n;
    }
}
