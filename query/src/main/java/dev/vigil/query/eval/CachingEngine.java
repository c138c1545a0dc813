package dev.vigil.query.eval;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AggregateOp;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.query.parse.QueryTimes;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Range queries with a Caffeine cache of results over the immutable past, so that a dashboard refreshing the same
 * query over a window shifted by a few steps recomputes only the new tail.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Buckets.</b> A range query's steps are {@code start + i * step}. The step grid of all queries with the same
 *   step and phase ({@code start mod step}) is cut into buckets of {@link #bucketSteps} consecutive steps, aligned to
 *   the epoch, so a window shifted by whole steps reuses the same buckets. A bucket is cached when its last step, plus
 *   whatever the query reads after a step (negative offsets, smoothed selectors), is older than {@code now -
 *   freshnessMs}: data that recent may still arrive. Missing buckets are evaluated in one engine run over all of them,
 *   the rest of the window (the fresh tail) in another, both on one querier so the parts see one snapshot.</li>
 *   <li><b>Exactness.</b> Only step-invariant queries are cached: the value at a step depends on that step's time and
 *   the data, never on the query's start or end. That excludes {@code @} (and so {@code start()}/{@code end()}),
 *   queries whose text parses differently for another window ({@code range()}), and tie-breaking or first-k
 *   aggregations ({@code topk}, {@code bottomk}, {@code limitk}, whose choice among equal values follows series order,
 *   which depends on which series the window holds), as well as order-sensitive float aggregations over the output of
 *   another aggregation (group order follows first appearance in the window, and float sums are not associative).
 *   Everything else evaluates each step independently (subquery steps are aligned to absolute multiples of their
 *   step), so merged parts equal one evaluation, value bits included. Annotations are the union of the parts'; the
 *   first bucket may start before the query and then contribute annotations of its earlier steps.</li>
 *   <li><b>Invalidation.</b> The storage tells this cache of every change ({@link Storage#addChangeListener}) after
 *   the change is readable. A change that reaches back to {@code now - freshnessMs} or earlier bumps a generation that
 *   is part of every key, so older entries are never read again (and are dropped). A query reads the generation before
 *   opening its querier, so a result computed on a snapshot that misses a change is filed under the generation the
 *   change retired. Storages that cannot report changes get no caching.</li>
 *   <li><b>Limits.</b> Each part is its own engine run, with its own timeout and sample budget; a part that fails
 *   makes the whole query fall back to one uncached run, so errors are the engine's own.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class CachingEngine {
    /** Ten minutes covers scrape intervals, timeouts and remote-write batching; later data is a "late write". */
    public static final long DEFAULT_FRESHNESS_MS = 10 * 60_000L;
    /** About an hour of steps per bucket: few engine runs per dashboard window, little recomputed at its start. */
    static final long BUCKET_TARGET_MS = 3_600_000L;
    /** 256 MiB of cached points (16 bytes each), about 16M points. */
    public static final long DEFAULT_MAX_BYTES = 256L << 20;

    private record Key(String query, long stepMs, long phase, long bucket, long generation) {}

    /** One bucket's result: series sorted by labels, points inside the bucket only. */
    private record Bucket(List<Value.Series> series, List<String> warnings, List<String> infos) {
        int weight() {
            long w = 64;
            for (Value.Series s : series) w += 64 + 16L * s.ts().length;
            return (int) Math.min(Integer.MAX_VALUE, w);
        }
    }

    private final Engine engine;
    private final Storage storage;
    private final LongSupplier clockMs;
    private final long freshnessMs;
    private final boolean enabled;
    private final AtomicLong generation = new AtomicLong();
    private final Cache<Key, Bucket> cache;
    private final AtomicLong cachedRuns = new AtomicLong();

    /**
     * @param clockMs wall-clock epoch millis; what counts as the immutable past is relative to it
     * @param freshnessMs steps newer than {@code now - freshnessMs} are never cached
     * @param maxBytes bound on the cached points' size
     */
    public CachingEngine(Engine engine, Storage storage, LongSupplier clockMs, long freshnessMs, long maxBytes) {
        this.engine = engine;
        this.storage = storage;
        this.clockMs = clockMs;
        this.freshnessMs = freshnessMs;
        this.cache = Caffeine.newBuilder().maximumWeight(maxBytes).weigher((Key k, Bucket b) -> b.weight())
                .recordStats().build();
        this.enabled = storage.addChangeListener(this::dataChanged);
    }

    /** With the system clock, {@link #DEFAULT_FRESHNESS_MS} and {@link #DEFAULT_MAX_BYTES}. */
    public CachingEngine(Engine engine, Storage storage) {
        this(engine, storage, System::currentTimeMillis, DEFAULT_FRESHNESS_MS, DEFAULT_MAX_BYTES);
    }

    public Engine engine() {
        return engine;
    }

    /** Like {@link Engine#range(Storage, String, long, long, long)}, served from the cache where possible. */
    public QueryResult range(String query, long start, long end, long stepMs) {
        return range(query, start, end, stepMs, () -> false);
    }

    /**
     * A range query over this engine's storage: {@code start, start + step, ...} up to {@code end} (inclusive, epoch
     * millis); same result, errors and validation as {@link Engine#range(Querier, Expr, String, long, long, long,
     * BooleanSupplier)}.
     */
    public QueryResult range(String query, long start, long end, long stepMs, BooleanSupplier canceled) {
        return range(Engine.parse(query, new QueryTimes(start, end, stepMs)), query, start, end, stepMs, canceled);
    }

    /** As {@link #range(String, long, long, long, BooleanSupplier)} for a query the caller parsed already. */
    public QueryResult range(Expr expr, String query, long start, long end, long stepMs, BooleanSupplier canceled) {
        QueryTimes times = new QueryTimes(start, end, stepMs);
        // the generation before the snapshot: see the design notes
        long gen = generation.get();
        try (Querier q = storage.querier()) {
            if (!enabled || stepMs <= 0 || end < start || !cacheable(expr, query, times)) {
                return engine.range(q, expr, query, start, end, stepMs, canceled);
            }
            long lookahead = lookahead(expr, engine.options().lookbackDeltaMs());
            long horizon = clockMs.getAsLong() - freshnessMs - lookahead; // newest step that may be cached
            long phase = Math.floorMod(start, stepMs);
            long bucketSteps = bucketSteps(stepMs);
            long firstBucket = Math.floorDiv(stepNumber(start, phase, stepMs), bucketSteps);
            long endStep = stepNumber(end, phase, stepMs);
            long lastBucket = Math.min(Math.floorDiv(endStep, bucketSteps),
                    Math.floorDiv(stepNumber(horizon, phase, stepMs) + 1, bucketSteps) - 1);
            if (lastBucket < firstBucket) return engine.range(q, expr, query, start, end, stepMs, canceled);
            try {
                return cachedRange(q, expr, query, start, end, stepMs, phase, bucketSteps, firstBucket, lastBucket, gen,
                        canceled);
            } catch (QueryException e) {
                if (e.kind() == QueryException.Kind.CANCELED) throw e;
                return engine.range(q, expr, query, start, end, stepMs, canceled);
            }
        }
    }

    private QueryResult cachedRange(Querier q, Expr expr, String query, long start, long end, long stepMs, long phase,
            long bucketSteps, long firstBucket, long lastBucket, long gen, BooleanSupplier canceled) {
        // the engine's own validation first, on the whole window, so errors do not depend on the cache
        if ((end - start) / stepMs + 1 > engine.options().maxPointsPerSeries()) {
            return engine.range(q, expr, query, start, end, stepMs, canceled);
        }
        int n = (int) (lastBucket - firstBucket + 1);
        Bucket[] parts = new Bucket[n];
        for (int i = 0; i < n; i++) {
            parts[i] = cache.getIfPresent(new Key(query, stepMs, phase, firstBucket + i, gen));
        }
        for (int i = 0; i < n; ) {
            if (parts[i] != null) {
                i++;
                continue;
            }
            int j = i;
            while (j + 1 < n && parts[j + 1] == null) j++;
            // one run over a stretch of missing buckets, split afterwards
            long from = stepTime(firstBucket + i, 0, bucketSteps, phase, stepMs);
            long to = stepTime(firstBucket + j, bucketSteps - 1, bucketSteps, phase, stepMs);
            QueryResult r = engine.range(q, expr, query, from, to, stepMs, canceled);
            cachedRuns.incrementAndGet();
            for (int b = i; b <= j; b++) {
                long bFrom = stepTime(firstBucket + b, 0, bucketSteps, phase, stepMs);
                long bTo = stepTime(firstBucket + b, bucketSteps - 1, bucketSteps, phase, stepMs);
                parts[b] = new Bucket(slice(asMatrix(r.value()).series(), bFrom, bTo), r.warnings(), r.infos());
                cache.put(new Key(query, stepMs, phase, firstBucket + b, gen), parts[b]);
            }
            i = j + 1;
        }
        long tailStart = stepTime(lastBucket + 1, 0, bucketSteps, phase, stepMs);
        List<List<Value.Series>> pieces = new ArrayList<>(n + 1);
        LinkedHashSet<String> warnings = new LinkedHashSet<>(), infos = new LinkedHashSet<>();
        for (Bucket b : parts) {
            pieces.add(slice(b.series(), start, end));
            warnings.addAll(b.warnings());
            infos.addAll(b.infos());
        }
        if (tailStart <= end) {
            QueryResult tail = engine.range(q, expr, query, tailStart, end, stepMs, canceled);
            pieces.add(asMatrix(tail.value()).series());
            warnings.addAll(tail.warnings());
            infos.addAll(tail.infos());
        }
        Value.Matrix merged = new Value.Matrix(merge(pieces));
        // each part had its own budget: the whole result must still fit one, as it does uncached
        Engine.checkResultSamples(merged, engine.options().maxSamples());
        return new QueryResult(merged, List.copyOf(warnings), List.copyOf(infos));
    }

    private static Value.Matrix asMatrix(Value v) {
        if (v instanceof Value.Matrix m) return m;
        throw new IllegalStateException("a range query returned " + v);
    }

    /** The points of each series within {@code [from, to]}; series left without points are dropped. */
    private static List<Value.Series> slice(List<Value.Series> in, long from, long to) {
        List<Value.Series> out = new ArrayList<>(in.size());
        for (Value.Series s : in) {
            long[] ts = s.ts();
            int lo = lowerBound(ts, from), hi = lowerBound(ts, to + 1);
            if (lo == hi) continue;
            if (lo == 0 && hi == ts.length) {
                out.add(s);
            } else {
                out.add(new Value.Series(s.labels(), Arrays.copyOfRange(ts, lo, hi), Arrays.copyOfRange(s.vs(), lo, hi)));
            }
        }
        return out;
    }

    private static int lowerBound(long[] ts, long t) {
        int lo = 0, hi = ts.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /**
     * Concatenates the series of time-ordered, disjoint pieces by label set; the result is sorted by labels like the
     * engine's range results.
     */
    static List<Value.Series> merge(List<List<Value.Series>> pieces) {
        if (pieces.size() == 1) return pieces.get(0);
        Map<Labels, List<Value.Series>> byLabels = new HashMap<>();
        for (List<Value.Series> piece : pieces) {
            for (Value.Series s : piece) byLabels.computeIfAbsent(s.labels(), k -> new ArrayList<>(pieces.size())).add(s);
        }
        List<Value.Series> out = new ArrayList<>(byLabels.size());
        for (var e : byLabels.entrySet()) {
            List<Value.Series> parts = e.getValue();
            if (parts.size() == 1) {
                out.add(parts.get(0));
                continue;
            }
            int total = 0;
            for (Value.Series s : parts) total += s.ts().length;
            long[] ts = new long[total];
            double[] vs = new double[total];
            int k = 0;
            for (Value.Series s : parts) {
                System.arraycopy(s.ts(), 0, ts, k, s.ts().length);
                System.arraycopy(s.vs(), 0, vs, k, s.vs().length);
                k += s.ts().length;
            }
            out.add(new Value.Series(e.getKey(), ts, vs));
        }
        out.sort((a, b) -> a.labels().compareTo(b.labels()));
        return out;
    }

    static long bucketSteps(long stepMs) {
        return Math.max(1, BUCKET_TARGET_MS / stepMs);
    }

    /** The number of the last step at or before {@code t} on the grid {@code phase + i * step}. */
    private static long stepNumber(long t, long phase, long stepMs) {
        return Math.floorDiv(t - phase, stepMs);
    }

    private static long stepTime(long bucket, long offsetInBucket, long bucketSteps, long phase, long stepMs) {
        return (bucket * bucketSteps + offsetInBucket) * stepMs + phase;
    }

    // ---- invalidation --------------------------------------------------------------------------------------------

    private void dataChanged(long minT, long maxT) {
        // in-order ingestion appends near "now" and never gets here; see the design notes for why this is enough
        if (minT > clockMs.getAsLong() - freshnessMs) return;
        generation.incrementAndGet();
        cache.invalidateAll();
    }

    /** Times the cache served a bucket, for tests and self-monitoring. */
    public long hits() {
        return cache.stats().hitCount();
    }

    /** Engine runs made to fill buckets. */
    public long fillRuns() {
        return cachedRuns.get();
    }

    /** The current generation (bumped by every change to the past). */
    public long generation() {
        return generation.get();
    }

    // ---- what may be cached --------------------------------------------------------------------------------------

    /** Whether each step's value depends only on its own time and the data; see the design notes. */
    static boolean cacheable(Expr expr, String query, QueryTimes times) {
        if (!stepInvariant(expr, false)) return false;
        // duration expressions such as range() are resolved at parse time: a shifted window must parse the same
        long shift = times.stepMs() * 7919;
        Expr shifted = Engine.parse(query, new QueryTimes(times.startMs() + shift, times.endMs() + 2 * shift,
                times.stepMs()));
        return shifted.equals(expr);
    }

    private static boolean stepInvariant(Expr e, boolean insideAggregation) {
        return switch (e) {
            case NumberLiteral n -> true;
            case StringLiteral s -> true;
            case VectorSelector vs -> vs.at() == null;
            case MatrixSelector m -> m.selector().at() == null;
            case SubqueryExpr sq -> sq.at() == null && stepInvariant(sq.expr(), insideAggregation);
            case ParenExpr p -> stepInvariant(p.expr(), insideAggregation);
            case UnaryExpr u -> stepInvariant(u.expr(), insideAggregation);
            case BinaryExpr b -> stepInvariant(b.lhs(), insideAggregation) && stepInvariant(b.rhs(), insideAggregation);
            case Call c -> c.args().stream().allMatch(a -> stepInvariant(a, insideAggregation));
            case AggregateExpr a -> {
                if (a.op() == AggregateOp.TOPK || a.op() == AggregateOp.BOTTOMK || a.op() == AggregateOp.LIMITK) {
                    yield false;
                }
                boolean orderSensitive = a.op() == AggregateOp.SUM || a.op() == AggregateOp.AVG
                        || a.op() == AggregateOp.STDDEV || a.op() == AggregateOp.STDVAR;
                if (orderSensitive && containsAggregation(a.expr())) yield false;
                yield stepInvariant(a.expr(), true) && (a.param() == null || stepInvariant(a.param(), true));
            }
        };
    }

    private static boolean containsAggregation(Expr e) {
        return switch (e) {
            case AggregateExpr a -> true;
            case NumberLiteral n -> false;
            case StringLiteral s -> false;
            case VectorSelector vs -> false;
            case MatrixSelector m -> false;
            case SubqueryExpr sq -> containsAggregation(sq.expr());
            case ParenExpr p -> containsAggregation(p.expr());
            case UnaryExpr u -> containsAggregation(u.expr());
            case BinaryExpr b -> containsAggregation(b.lhs()) || containsAggregation(b.rhs());
            case Call c -> c.args().stream().anyMatch(CachingEngine::containsAggregation);
        };
    }

    /** How far after a step's time the query reads data: negative offsets and smoothed selectors look ahead. */
    static long lookahead(Expr e, long lookbackMs) {
        return switch (e) {
            case NumberLiteral n -> 0;
            case StringLiteral s -> 0;
            case VectorSelector vs -> Math.max(0, -vs.offsetMs())
                    + (vs.extension() == VectorSelector.Extension.SMOOTHED ? lookbackMs : 0);
            case MatrixSelector m -> lookahead(m.selector(), lookbackMs);
            case SubqueryExpr sq -> Math.max(0, -sq.offsetMs()) + lookahead(sq.expr(), lookbackMs);
            case ParenExpr p -> lookahead(p.expr(), lookbackMs);
            case UnaryExpr u -> lookahead(u.expr(), lookbackMs);
            case BinaryExpr b -> Math.max(lookahead(b.lhs(), lookbackMs), lookahead(b.rhs(), lookbackMs));
            case Call c -> c.args().stream().mapToLong(a -> lookahead(a, lookbackMs)).max().orElse(0);
            case AggregateExpr a -> Math.max(lookahead(a.expr(), lookbackMs),
                    a.param() == null ? 0 : lookahead(a.param(), lookbackMs));
        };
    }
}
