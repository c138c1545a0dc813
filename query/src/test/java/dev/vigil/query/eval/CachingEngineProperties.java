package dev.vigil.query.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The range-result cache against the engine itself: for random queries and random windows, a cached evaluation, and
 * one over a window shifted by whole steps that reuses the first one's buckets, equal an uncached evaluation: the
 * same series, timestamps and value bits, and at least the same annotations. Then the invalidation cases: deletes,
 * late (out-of-window) writes, retention dropping a block.
 */
class CachingEngineProperties {
    /** All data lies in [0, 3h); "now" is later, so the whole range is the immutable past unless a test moves it. */
    private static final long DATA_END = 3 * 3_600_000L;
    private static final List<String> EXTRA = List.of("sum by (job) (rate(c_total[5m]))",
            "histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))", "count({__name__=~\".+\"})",
            "avg_over_time(g[10m]) > bool 0", "max_over_time(rate(c_total[2m])[10m:1m])", "time() - timestamp(g)",
            "c_total offset 30m", "g smoothed", "g offset -5m", "topk(2, g)", "sum(sum by (job) (g))",
            "g @ 3000", "g[5m]", "scalar(sum(g))", "absent(nothing)", "sum(rate(c_total[range()]))");

    @TempDir
    Path dir;
    private Storage storage;
    private final AtomicLong now = new AtomicLong(DATA_END + 3_600_000L);

    @BeforeEach
    void open() {
        storage = Tsdb.open(dir, TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis));
        Random r = new Random(42);
        Appender app = storage.appender();
        for (long t = 0; t < DATA_END; t += 15_000) {
            for (int i = 0; i < 6; i++) {
                String job = "j" + (i % 2);
                // counters with resets, gauges with gaps, NaN and a stale marker, classic histogram buckets
                if (t % 2_700_000 != 15_000 * i) {
                    app.append(0, Labels.of("__name__", "c_total", "i", Integer.toString(i), "job", job), t,
                            (t / 15_000 % 500) * (i + 1) + r.nextInt(3));
                }
                double g = t % 1_200_000 == 0 && i == 1 ? StaleMarker.STALE_NAN
                        : t % 700_000 == 0 && i == 2 ? Double.NaN : r.nextGaussian() * 10 + i;
                if (!(i == 3 && t > 3_600_000 && t < 5_400_000)) {
                    app.append(0, Labels.of("__name__", "g", "i", Integer.toString(i), "job", job), t, g);
                }
                String le = i == 5 ? "+Inf" : Double.toString(0.1 * (1 << i));
                app.append(0, Labels.of("__name__", "h_bucket", "le", le, "job", job), t, t / 15_000 * (i + 1) * 3);
            }
        }
        app.commit();
    }

    @AfterEach
    void close() {
        storage.close();
    }

    private CachingEngine cachingEngine(Engine engine) {
        return new CachingEngine(engine, storage, now::get, CachingEngine.DEFAULT_FRESHNESS_MS, 64L << 20);
    }

    private static String query(Random r) {
        return r.nextInt(3) == 0 ? EXTRA.get(r.nextInt(EXTRA.size())) : EvaluationProperties.query(r, 2)
                .replace("a_total", "c_total").replace("\"b\"", "\"g\"").replace("b ", "g ").replace("(b)", "(g)");
    }

    @Test
    void cached_and_shifted_results_equal_uncached_ones() {
        Engine engine = new Engine(EngineOptions.defaults());
        CachingEngine cached = cachingEngine(engine);
        qt().withExamples(150).forAll(longs().all()).checkAssert(seed -> checkSeed(engine, cached, seed));
        assertTrue(cached.hits() > 0, "shifted windows reused buckets");
    }

    @Test
    void an_average_summed_in_another_order_may_differ_in_the_last_place() {
        Engine engine = new Engine(EngineOptions.defaults());
        // falsified the bit-exact comparison once: avg without (i) ((g offset 1m) != on(i) (g))
        checkSeed(engine, cachingEngine(engine), -148977143687895177L);
    }

    private void checkSeed(Engine engine, CachingEngine cached, long seed) {
        long[] steps = {15_000, 30_000, 60_000, 7_000, 3_600_000};
        Random r = new Random(seed);
        String q = query(r);
        long step = steps[r.nextInt(steps.length)];
        long start = r.nextLong(-600_000, DATA_END) / 1000 * 1000;
        long end = start + step * r.nextInt(1, 400);
        long shift = step * r.nextInt(0, 200);
        // now may fall inside the window: then only its older part is cached
        now.set(r.nextInt(4) == 0 ? start + (end - start) / 2 : DATA_END + 3_600_000L);
        check(engine, cached, q, start, end, step);
        check(engine, cached, q, start + shift, end + shift, step);
    }

    private void check(Engine engine, CachingEngine cached, String q, long start, long end, long step) {
        QueryResult want;
        try {
            want = engine.range(storage, q, start, end, step);
        } catch (QueryException e) {
            QueryException got = null;
            try {
                cached.range(q, start, end, step);
            } catch (QueryException c) {
                got = c;
            }
            assertTrue(got != null && got.kind() == e.kind(), q + ": uncached fails with " + e.getMessage()
                    + ", cached with " + (got == null ? "nothing" : got.getMessage()));
            return;
        }
        QueryResult got = cached.range(q, start, end, step);
        String where = q + " [" + start + ", " + end + ", " + step + "]";
        if (!sameWithinUlps(want.value(), got.value())) assertEquals(render(want.value()), render(got.value()), where);
        assertTrue(got.warnings().containsAll(want.warnings()), where + " warnings " + got.warnings());
        assertTrue(got.infos().containsAll(want.infos()), where + " infos " + got.infos());
    }

    /**
     * Same series, timestamps and value bits, except that two finite values may differ by a few
     * units in the last place: an aggregation sums its series in the order they arrive, and a range
     * evaluated in cached pieces may see them in another order (Prometheus's sums are just as
     * order-dependent). NaN payloads, infinities and -0.0 must match exactly.
     */
    static boolean sameWithinUlps(Value want, Value got) {
        var ws = ((Value.Matrix) want).series();
        var gs = ((Value.Matrix) got).series();
        if (ws.size() != gs.size()) return false;
        for (int k = 0; k < ws.size(); k++) {
            Value.Series w = ws.get(k);
            Value.Series g = gs.get(k);
            if (!w.labels().equals(g.labels()) || !java.util.Arrays.equals(w.ts(), g.ts())) return false;
            for (int i = 0; i < w.ts().length; i++) {
                double a = w.vs()[i];
                double b = g.vs()[i];
                if (Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b)) continue;
                if (!Double.isFinite(a) || !Double.isFinite(b) || a == 0 || b == 0) return false;
                if (Math.abs(a - b) > 4 * Math.ulp(Math.max(Math.abs(a), Math.abs(b)))) return false;
            }
        }
        return true;
    }

    /** Series, timestamps and raw value bits, so that a NaN payload or -0.0 counts. */
    static String render(Value v) {
        StringBuilder sb = new StringBuilder();
        for (Value.Series s : ((Value.Matrix) v).series()) {
            sb.append(s.labels()).append(':');
            for (int i = 0; i < s.ts().length; i++) {
                sb.append(' ').append(s.ts()[i]).append('=').append(Long.toHexString(Double.doubleToRawLongBits(s.vs()[i])));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    // ---- invalidation ------------------------------------------------------------------------------------------

    private static final String Q = "sum by (job) (rate(c_total[5m]))";

    private void assertCachedMatches(Engine engine, CachingEngine cached, long start, long end, long step) {
        assertEquals(render(engine.range(storage, Q, start, end, step).value()),
                render(cached.range(Q, start, end, step).value()));
    }

    @Test
    void a_repeated_query_is_served_from_buckets_and_only_the_tail_is_recomputed() {
        Engine engine = new Engine(EngineOptions.defaults());
        CachingEngine cached = cachingEngine(engine);
        now.set(DATA_END);
        long end = DATA_END - 60_000, start = end - 2 * 3_600_000L;
        assertCachedMatches(engine, cached, start, end, 15_000);
        long runs = cached.fillRuns(), hits = cached.hits();
        assertEquals(1, runs, "all missing buckets filled by one engine run");
        now.addAndGet(60_000);
        assertCachedMatches(engine, cached, start + 60_000, end + 60_000, 15_000);
        assertTrue(cached.hits() > hits, "the shifted window reused buckets");
    }

    @Test
    void a_result_put_together_from_buckets_still_fits_one_sample_budget() {
        CachingEngine cached = cachingEngine(new Engine(EngineOptions.defaults().withMaxSamples(300)));
        long hour = CachingEngine.BUCKET_TARGET_MS;
        long step = hour / 240;
        // one bucket (240 points) fits and is cached
        assertEquals(240, ((Value.Matrix) cached.range("vector(1)", 0, hour - step, step).value()).series().getFirst().ts().length);
        // the cached bucket and a newly filled one fit one by one, not together
        var ex = assertThrows(QueryException.class, () -> cached.range("vector(1)", 0, 2 * hour - step, step));
        assertEquals(QueryException.Kind.TOO_MANY_SAMPLES, ex.kind());
        assertTrue(cached.hits() > 0, "the first bucket came from the cache");
    }

    @Test
    void deleting_inside_a_cached_range_invalidates() {
        Engine engine = new Engine(EngineOptions.defaults());
        CachingEngine cached = cachingEngine(engine);
        long start = 3_600_000, end = 7_200_000;
        assertCachedMatches(engine, cached, start, end, 60_000);
        long gen = cached.generation();
        storage.deleteSeries(4_000_000, 5_000_000, Matcher.equal("job", "j0"));
        assertTrue(cached.generation() > gen);
        assertCachedMatches(engine, cached, start, end, 60_000);
        storage.cleanTombstones();
        assertCachedMatches(engine, cached, start, end, 60_000);
    }

    @Test
    void a_late_write_into_a_cached_range_invalidates_and_a_fresh_one_does_not() {
        Engine engine = new Engine(EngineOptions.defaults());
        CachingEngine cached = cachingEngine(engine);
        long start = 3_600_000, end = 7_200_000;
        QueryResult before = cached.range(Q, start, end, 60_000);
        long gen = cached.generation();

        // a new series written into the past (what remote-write catching up after an outage does): accepted by the
        // head, out of the freshness window, so the cached buckets over it are stale
        Appender app = storage.appender();
        Labels late = Labels.of("__name__", "c_total", "i", "late", "job", "j9");
        for (long t = 4_000_000; t < 5_000_000; t += 15_000) app.append(0, late, t, t / 1000.0);
        app.commit();
        assertTrue(cached.generation() > gen, "a write older than now - freshness bumps the generation");
        QueryResult after = cached.range(Q, start, end, 60_000);
        assertFalse(render(before.value()).equals(render(after.value())), "the late series shows up");
        assertCachedMatches(engine, cached, start, end, 60_000);

        // an in-order write near "now" leaves the cache alone
        gen = cached.generation();
        Appender fresh = storage.appender();
        fresh.append(0, late, now.get() - 1_000, 1);
        fresh.commit();
        assertEquals(gen, cached.generation());

        // a late sample of an existing series (out_of_order_time_window) changes the past too
        storage.setOutOfOrderTimeWindow(86_400_000L);
        QueryResult cachedBefore = cached.range(Q, start, end, 60_000);
        Appender ooo = storage.appender();
        assertTrue(ooo.append(0, Labels.of("__name__", "c_total", "i", "0", "job", "j0"), 4_500_007, 1e9) > 0);
        assertEquals(1, ooo.commit());
        assertTrue(cached.generation() > gen, "a late sample bumps the generation");
        assertFalse(render(cachedBefore.value()).equals(render(cached.range(Q, start, end, 60_000).value())), "the late sample shows");
        assertCachedMatches(engine, cached, start, end, 60_000);
    }

    @Test
    void queries_that_depend_on_the_window_are_not_cached() {
        Engine engine = new Engine(EngineOptions.defaults());
        for (String q : List.of("g @ 3000", "g @ start()", "rate(c_total[range()])", "topk(2, g)", "limitk(1, g)",
                "sum(sum by (job) (g))", "avg(count by (job) (g))")) {
            CachingEngine cached = cachingEngine(engine);
            cached.range(q, 0, 3_600_000, 60_000);
            cached.range(q, 0, 3_600_000, 60_000);
            assertEquals(0, cached.hits(), q);
        }
        for (String q : List.of("g", "sum by (job) (rate(c_total[5m]))", "max(count by (job) (g))",
                "max_over_time(g[10m:1m])", "time()", "g offset -10m")) {
            CachingEngine cached = cachingEngine(engine);
            cached.range(q, 0, 3_600_000, 60_000);
            cached.range(q, 0, 3_600_000, 60_000);
            assertTrue(cached.hits() > 0, q);
        }
    }

    @Test
    void merge_concatenates_series_by_labels_in_time_order() {
        Labels a = Labels.of("x", "a"), b = Labels.of("x", "b");
        List<List<Value.Series>> pieces = new ArrayList<>();
        pieces.add(List.of(new Value.Series(b, new long[] {1}, new double[] {-0.0})));
        pieces.add(List.of(new Value.Series(a, new long[] {2, 3}, new double[] {1, 2}),
                new Value.Series(b, new long[] {3}, new double[] {Double.NaN})));
        List<Value.Series> out = CachingEngine.merge(pieces);
        assertEquals(List.of(a, b), out.stream().map(Value.Series::labels).toList());
        assertEquals(2, out.get(1).ts().length);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(out.get(1).vs()[0]));
    }
}
