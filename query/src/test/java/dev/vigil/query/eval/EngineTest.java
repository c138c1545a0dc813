package dev.vigil.query.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.query.promqltest.MemStore;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.StaleMarker;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class EngineTest {
    private final MemStore store = new MemStore();

    @BeforeEach
    void load() {
        // c_total{i="0..9"}: 0, 10, 20 ... every 15s for 10 minutes; g: a gauge that goes stale at 60s
        for (int i = 0; i < 10; i++) {
            Labels l = Labels.of("__name__", "c_total", "i", Integer.toString(i));
            for (int k = 0; k <= 40; k++) store.add(l, k * 15_000L, k * 10.0 * (i + 1));
        }
        Labels g = Labels.of("__name__", "g");
        store.add(g, 0, 1);
        store.add(g, 30_000, 2);
        store.add(g, 60_000, StaleMarker.STALE_NAN);
    }

    record Case(String query, long t, String expected) {}

    static Stream<Case> instantCases() {
        return Stream.of(
                new Case("g", 45_000, "g{} 2.0"),
                new Case("g", 60_000, ""),
                new Case("g offset 30s", 60_000, "g{} 2.0"),
                new Case("g @ 30", 600_000, "g{} 2.0"),
                new Case("rate(c_total{i=\"0\"}[1m])", 600_000, "{i=\"0\"} 0.6666666666666666"),
                new Case("sum(rate(c_total[1m]))", 600_000, "{} 36.666666666666664"),
                new Case("count(c_total > 3000)", 600_000, "{} 3.0"),
                new Case("c_total{i=\"1\"} - c_total{i=\"1\"} offset 1m", 600_000, "{i=\"1\"} 80.0"),
                new Case("-g", 45_000, "{} -2.0"),
                new Case("1 + 2 * 3", 0, "scalar 7.0"),
                new Case("time()", 90_000, "scalar 90.0"),
                new Case("\"hello\"", 0, "string hello"));
    }

    private static String render(Value v) {
        return switch (v) {
            case Value.Scalar s -> "scalar " + s.v();
            case Value.StringValue s -> "string " + s.s();
            case Value.Vector vec -> {
                List<String> out = new ArrayList<>();
                for (int i = 0; i < vec.size(); i++) out.add(vec.labels()[i] + " " + vec.vs()[i]);
                yield String.join("\n", out);
            }
            case Value.Matrix m -> m.series().toString();
        };
    }

    @ParameterizedTest
    @MethodSource("instantCases")
    void instant_query_table(Case c) {
        Engine e = new Engine(EngineOptions.defaults());
        try (Querier q = store.querier()) {
            var r = e.instant(q, Engine.parse(c.query()), c.query(), c.t(), () -> false);
            assertEquals(c.expected(), render(r.value()), c.query());
        }
    }

    @Test
    void range_query_gives_one_point_per_step_and_sorts_series() {
        Engine e = new Engine(EngineOptions.defaults());
        try (Querier q = store.querier()) {
            var r = e.range(q, Engine.parse("g"), "g", 0, 90_000, 30_000, () -> false);
            var m = (Value.Matrix) r.value();
            assertEquals(1, m.series().size());
            assertArrayEquals(new long[] {0, 30_000}, m.series().get(0).ts());
            assertArrayEquals(new double[] {1, 2}, m.series().get(0).vs());
        }
    }

    @Test
    void too_many_points_per_series_is_bad_data() {
        Engine e = new Engine(EngineOptions.defaults());
        try (Querier q = store.querier()) {
            var ex = assertThrows(QueryException.class,
                    () -> e.range(q, Engine.parse("g"), "g", 0, 11_000_000, 1000, () -> false));
            assertEquals(QueryException.Kind.BAD_DATA, ex.kind());
            assertTrue(ex.getMessage().contains("11,000 points"), ex.getMessage());
        }
    }

    @Test
    void max_samples_is_enforced() {
        Engine e = new Engine(EngineOptions.defaults().withMaxSamples(100));
        try (Querier q = store.querier()) {
            var ex = assertThrows(QueryException.class,
                    () -> e.instant(q, Engine.parse("c_total[10m]"), "c_total[10m]", 600_000, () -> false));
            assertEquals(QueryException.Kind.TOO_MANY_SAMPLES, ex.kind());
        }
    }

    @Test
    void a_result_larger_than_max_samples_fails_whatever_produced_it() {
        // Prometheus 2.42 with --query.max-samples=10, query_range start=0 end=1000 step=1 (1,001 steps):
        // each of these failed with "query processing would load too many samples into memory"
        Engine e = new Engine(EngineOptions.defaults().withMaxSamples(10));
        String[] queries = {"1", "vector(1)", "time()", "absent(nope)", "scalar(vector(1))", "abs(vector(1))",
            "label_replace(vector(1), \"a\", \"b\", \"\", \"\")", "vector(1) + 1", "sum(vector(1))"};
        try (Querier q = store.querier()) {
            for (String query : queries) {
                var ex = assertThrows(QueryException.class,
                        () -> e.range(q, Engine.parse(query), query, 0, 1_000_000, 1000, () -> false), query);
                assertEquals(QueryException.Kind.TOO_MANY_SAMPLES, ex.kind(), query);
                // ten steps fit, as they did on Prometheus
                assertEquals(1, ((Value.Matrix) e.range(q, Engine.parse(query), query, 0, 9_000, 1000, () -> false).value())
                        .series().size(), query);
            }
        }
    }

    @Test
    void cancellation_and_timeout_stop_the_query() {
        try (Querier q = store.querier()) {
            var canceled = assertThrows(QueryException.class, () -> new Engine(EngineOptions.defaults())
                    .range(q, Engine.parse("sum(c_total)"), "sum(c_total)", 0, 600_000, 1000, () -> true));
            assertEquals(QueryException.Kind.CANCELED, canceled.kind());
            var timeout = assertThrows(QueryException.class, () -> new Engine(EngineOptions.defaults().withTimeout(-1))
                    .range(q, Engine.parse("sum(c_total)"), "sum(c_total)", 0, 600_000, 1000, () -> false));
            assertEquals(QueryException.Kind.TIMEOUT, timeout.kind());
        }
    }

    @Test
    void parse_errors_are_bad_data_with_a_position() {
        var ex = assertThrows(QueryException.class, () -> Engine.parse("sum(x"));
        assertEquals(QueryException.Kind.BAD_DATA, ex.kind());
        assertTrue(ex.getMessage().matches("^1:\\d+: .*"), ex.getMessage());
    }

    @Test
    void lookback_delta_is_configurable() {
        Engine e = new Engine(EngineOptions.defaults().withLookbackDelta(10_000));
        try (Querier q = store.querier()) {
            var r = e.instant(q, Engine.parse("g"), "g", 45_000, () -> false);
            assertEquals("", render(r.value()));
        }
    }

    @Test
    void max_series_per_selector_is_an_execution_error_naming_the_selector() {
        Engine e = new Engine(EngineOptions.defaults().withMaxSeriesPerSelector(9));
        try (Querier q = store.querier()) {
            String query = "sum(rate(c_total{i=~\".+\"}[1m]))";
            var ex = assertThrows(QueryException.class, () -> e.instant(q, Engine.parse(query), query, 600_000, () -> false));
            assertEquals(QueryException.Kind.EXECUTION, ex.kind());
            assertTrue(ex.getMessage().contains("limit of 9") && ex.getMessage().contains("c_total{i=~\".+\"}"),
                    ex.getMessage());
            // at the limit it evaluates: 9 series of the 10
            String nine = "count(c_total{i!=\"0\"})";
            assertEquals("{} 9.0", render(e.instant(q, Engine.parse(nine), nine, 600_000, () -> false).value()));
        }
    }
}
