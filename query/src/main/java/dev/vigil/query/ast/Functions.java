package dev.vigil.query.ast;

import static dev.vigil.query.ast.ValueType.MATRIX;
import static dev.vigil.query.ast.ValueType.SCALAR;
import static dev.vigil.query.ast.ValueType.STRING;
import static dev.vigil.query.ast.ValueType.VECTOR;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The signatures of every PromQL function of Prometheus 3.x, transcribed from Prometheus's
 * {@code promql/parser/functions.go}. Experimental functions (behind {@code promql-experimental-functions} in
 * Prometheus) are flagged; Vigil parses them all. Left out: the newest experimental {@code start()}, {@code end()},
 * {@code range()} and {@code step()}, whose names are keywords in the {@code @} modifier grammar. Immutable.
 */
public final class Functions {
    private static final Map<String, Function> BY_NAME;

    static {
        var m = new TreeMap<String, Function>();
        for (String name : List.of("abs", "absent", "acos", "acosh", "asin", "asinh", "atan", "atanh", "ceil", "cos",
                "cosh", "deg", "exp", "floor", "histogram_avg", "histogram_count", "histogram_sum", "histogram_stddev",
                "histogram_stdvar", "ln", "log10", "log2", "rad", "scalar", "sgn", "sin", "sinh", "sort", "sort_desc",
                "sqrt", "tan", "tanh", "timestamp")) {
            add(m, name, List.of(VECTOR), 0, name.equals("scalar") ? SCALAR : VECTOR, false);
        }
        for (String name : List.of("absent_over_time", "avg_over_time", "changes", "count_over_time", "delta", "deriv",
                "idelta", "increase", "irate", "last_over_time", "max_over_time", "min_over_time",
                "present_over_time", "rate", "resets", "stddev_over_time", "stdvar_over_time", "sum_over_time")) {
            add(m, name, List.of(MATRIX), 0, VECTOR, false);
        }
        for (String name : List.of("first_over_time", "mad_over_time", "ts_of_first_over_time", "ts_of_last_over_time",
                "ts_of_max_over_time", "ts_of_min_over_time")) {
            add(m, name, List.of(MATRIX), 0, VECTOR, true);
        }
        for (String name : List.of("days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute",
                "month", "year")) {
            add(m, name, List.of(VECTOR), 1, VECTOR, false);
        }
        add(m, "clamp", List.of(VECTOR, SCALAR, SCALAR), 0, VECTOR, false);
        add(m, "clamp_max", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add(m, "clamp_min", List.of(VECTOR, SCALAR), 0, VECTOR, false);
        add(m, "double_exponential_smoothing", List.of(MATRIX, SCALAR, SCALAR), 0, VECTOR, true);
        add(m, "histogram_fraction", List.of(SCALAR, SCALAR, VECTOR), 0, VECTOR, false);
        add(m, "histogram_quantile", List.of(SCALAR, VECTOR), 0, VECTOR, false);
        add(m, "histogram_quantiles", List.of(VECTOR, STRING, SCALAR, SCALAR), 9, VECTOR, true);
        add(m, "info", List.of(VECTOR, VECTOR), 1, VECTOR, true);
        add(m, "integral", List.of(MATRIX, SCALAR), 1, VECTOR, true);
        add(m, "label_join", List.of(VECTOR, STRING, STRING, STRING), -1, VECTOR, false);
        add(m, "label_replace", List.of(VECTOR, STRING, STRING, STRING, STRING), 0, VECTOR, false);
        add(m, "pi", List.of(), 0, SCALAR, false);
        add(m, "predict_linear", List.of(MATRIX, SCALAR), 0, VECTOR, false);
        add(m, "quantile_over_time", List.of(SCALAR, MATRIX), 0, VECTOR, false);
        add(m, "round", List.of(VECTOR, SCALAR), 1, VECTOR, false);
        add(m, "sort_by_label", List.of(VECTOR, STRING), -1, VECTOR, true);
        add(m, "sort_by_label_desc", List.of(VECTOR, STRING), -1, VECTOR, true);
        add(m, "time", List.of(), 0, SCALAR, false);
        add(m, "vector", List.of(SCALAR), 0, VECTOR, false);
        BY_NAME = Collections.unmodifiableMap(m);
    }

    private Functions() {
    }

    private static void add(Map<String, Function> m, String name, List<ValueType> args, int variadic, ValueType ret,
            boolean experimental) {
        m.put(name, new Function(name, args, variadic, ret, experimental));
    }

    /** The function called {@code name} (case-sensitive), if PromQL has one. */
    public static Optional<Function> get(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** All functions, sorted by name. */
    public static Map<String, Function> all() {
        return BY_NAME;
    }
}
