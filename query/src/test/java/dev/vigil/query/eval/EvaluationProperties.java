package dev.vigil.query.eval;

import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.query.promqltest.MemStore;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.StaleMarker;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random queries (valid and invalid, built from a seed) evaluated over a small store with NaN, infinities, stale
 * markers and counter resets: the engine only ever returns a result or throws a {@link QueryException} that is not
 * {@code INTERNAL}.
 */
class EvaluationProperties {
    private static final List<String> SELECTORS = List.of("a_total", "b", "a_total{i=\"1\"}", "{__name__=~\"a.*|b\"}",
            "nonexistent", "b offset 1m", "b @ 100", "a_total offset -30s", "b smoothed");
    private static final List<String> RANGE_FUNCS = List.of("rate", "increase", "delta", "irate", "idelta", "changes",
            "resets", "deriv", "avg_over_time", "sum_over_time", "min_over_time", "max_over_time", "count_over_time",
            "stddev_over_time", "last_over_time", "first_over_time", "mad_over_time", "present_over_time",
            "absent_over_time", "ts_of_max_over_time");
    private static final List<String> FUNCS = List.of("abs", "ceil", "floor", "exp", "ln", "sqrt", "sgn", "sort",
            "sort_desc", "timestamp", "absent", "acosh", "atanh", "log2", "round", "hour", "days_in_month");
    private static final List<String> AGGS = List.of("sum", "avg", "min", "max", "count", "stddev", "stdvar", "group");
    private static final List<String> OPS = List.of("+", "-", "*", "/", "%", "^", "==", "!=", ">", "<=", "and", "or",
            "unless", "atan2", "> bool");
    private static final List<String> MATCHING = List.of("", " on(i)", " ignoring(i)", " on(i) group_left",
            " ignoring(i) group_right", " fill(0)", " on() group_left");

    private static String pick(Random r, List<String> l) {
        return l.get(r.nextInt(l.size()));
    }

    static String query(Random r, int depth) {
        if (depth <= 0) return r.nextInt(5) == 0 ? Double.toString(r.nextInt(7) - 3) : pick(r, SELECTORS);
        return switch (r.nextInt(9)) {
            case 0 -> {
                // a range selector: the modifiers go after the brackets
                String sel = pick(r, SELECTORS);
                int sp = sel.indexOf(' ');
                yield pick(r, RANGE_FUNCS) + "(" + (sp < 0 ? sel + "[2m]" : sel.substring(0, sp) + "[2m]"
                        + sel.substring(sp)) + ")";
            }
            case 1 -> pick(r, RANGE_FUNCS) + "((" + query(r, depth - 1) + ")[3m:" + (r.nextBoolean() ? "" : "20s") + "])";
            case 2 -> pick(r, FUNCS) + "(" + query(r, depth - 1) + ")";
            case 3 -> pick(r, AGGS) + (r.nextBoolean() ? " by (i) " : " without (i) ") + "(" + query(r, depth - 1) + ")";
            case 4 -> "(" + query(r, depth - 1) + ") " + pick(r, OPS) + pick(r, MATCHING) + " (" + query(r, depth - 1) + ")";
            case 5 -> (r.nextBoolean() ? "topk" : "quantile") + "(" + (r.nextInt(4) - 1) + ", " + query(r, depth - 1) + ")";
            case 6 -> "histogram_quantile(" + r.nextDouble() + ", " + query(r, depth - 1) + ")";
            case 7 -> "label_replace(" + query(r, depth - 1) + ", \"x\", \"$1\", \"i\", \"(.*)\")";
            default -> "-" + query(r, depth - 1);
        };
    }

    private static MemStore store() {
        MemStore s = new MemStore();
        for (int i = 0; i < 3; i++) {
            Labels a = Labels.of("__name__", "a_total", "i", Integer.toString(i));
            Labels b = Labels.of("__name__", "b", "i", Integer.toString(i), "le", i == 2 ? "+Inf" : Integer.toString(i));
            for (int k = 0; k < 40; k++) {
                s.add(a, k * 15_000L, k % 13 == 12 ? 0 : k * (i + 1.5));
                double v = switch (k % 11) {
                    case 3 -> Double.NaN;
                    case 5 -> Double.POSITIVE_INFINITY;
                    case 7 -> StaleMarker.STALE_NAN;
                    default -> k - 20.0 * i;
                };
                s.add(b, k * 15_000L + i, v);
            }
        }
        return s;
    }

    @Test
    void random_queries_give_a_result_or_a_query_error() {
        MemStore store = store();
        Engine engine = new Engine(EngineOptions.defaults().withDelayedNameRemoval(true));
        qt().withExamples(400).forAll(longs().all()).checkAssert(seed -> {
            String q = query(new Random(seed), 3);
            try (Querier querier = store.querier()) {
                try {
                    engine.range(querier, Engine.parse(q), q, 0, 600_000, 30_000, () -> false);
                    engine.instant(querier, Engine.parse(q), q, 300_000, () -> false);
                } catch (QueryException e) {
                    if (e.kind() == QueryException.Kind.INTERNAL) throw new AssertionError(q + ": " + e.getMessage(), e);
                }
            }
        });
    }
}
