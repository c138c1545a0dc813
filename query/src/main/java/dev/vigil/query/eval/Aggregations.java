package dev.vigil.query.eval;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AggregateOp;
import dev.vigil.tsdb.Labels;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Aggregation operators over grids: groups are formed once per series, values per step. */
final class Aggregations {
    private Aggregations() {
    }

    /**
     * The group labels of the rows of one aggregation: without the name and the listed labels, or only the listed
     * ones, built without a builder per row. A row whose grouping values equal the previous row's (rows of one
     * selector often share them: a job, or no grouping at all) reuses its group without building its labels.
     */
    private static final class Grouping {
        private final boolean without;
        private final List<String> by;
        private final String[] dropped;
        private final String[] previous;
        private boolean havePrevious;

        Grouping(AggregateExpr a) {
            this.without = a.without();
            this.by = a.grouping();
            this.dropped = new String[by.size() + 1];
            dropped[0] = Labels.METRIC_NAME;
            for (int i = 0; i < by.size(); i++) dropped[i + 1] = by.get(i);
            this.previous = new String[by.size()];
        }

        Labels labels(Labels l) {
            return without ? l.without(dropped) : by.isEmpty() ? Labels.EMPTY : l.keep(by);
        }

        /** Whether {@code l} falls in the group of the row before (then remembered for the next row). */
        boolean sameAsPrevious(Labels l) {
            if (without) return false; // depends on all other labels
            boolean same = havePrevious;
            for (int i = 0; i < previous.length; i++) {
                String v = l.get(by.get(i));
                if (same && !v.equals(previous[i])) same = false;
                previous[i] = v;
            }
            havePrevious = true;
            return same;
        }
    }

    static Grid eval(Evaluator ev, AggregateExpr a, Span s) {
        AggregateOp op = a.op();
        double[] param = null;
        String label = null;
        if (op == AggregateOp.COUNT_VALUES) {
            label = ((dev.vigil.query.ast.StringLiteral) Evaluator.unwrap(a.param())).value();
            if (!isValidLabelName(label)) throw QueryException.execution("invalid label name \"" + label + "\"");
        } else if (a.param() != null) {
            param = ev.scalar(a.param(), s);
        }
        Grid in = ev.vector(a.expr(), s);
        // Groups in order of first appearance, as Prometheus's output order for instant queries.
        LinkedHashMap<Labels, List<Grid.Row>> groups = new LinkedHashMap<>();
        Grouping grouping = new Grouping(a);
        List<Grid.Row> previous = null;
        for (Grid.Row r : in.rows) {
            List<Grid.Row> g = grouping.sameAsPrevious(r.labels) ? previous
                    : groups.computeIfAbsent(grouping.labels(r.labels), k -> new ArrayList<>());
            g.add(r);
            previous = g;
        }
        Grid out = new Grid(s.steps());
        switch (op) {
            case TOPK, BOTTOMK, LIMITK, LIMIT_RATIO -> selectK(ev, a, param, groups, out, s);
            case COUNT_VALUES -> countValues(label, groups, out, s);
            default -> {
                if (op == AggregateOp.QUANTILE) {
                    for (double q : param) {
                        if (Double.isNaN(q) || q < 0 || q > 1) {
                            ev.warn("quantile value should be between 0 and 1, got " + Functions.goFloat(q),
                                    a.param().position());
                            break;
                        }
                    }
                }
                double[] buf = new double[16];
                boolean streamed = op == AggregateOp.SUM || op == AggregateOp.COUNT || op == AggregateOp.GROUP
                        || op == AggregateOp.MIN || op == AggregateOp.MAX;
                double[] comp = op == AggregateOp.SUM ? new double[s.steps()] : null;
                for (Map.Entry<Labels, List<Grid.Row>> e : groups.entrySet()) {
                    Grid.Row row = out.add(e.getKey());
                    List<Grid.Row> rows = e.getValue();
                    // grouping by a to-be-dropped __name__ keeps it until the end, then drops it (delayed removal)
                    if (e.getKey().has(Labels.METRIC_NAME)) for (Grid.Row r : rows) row.dropName |= r.dropName;
                    if (streamed) {
                        reduceRows(op, rows, row, comp);
                        continue;
                    }
                    for (int i = 0; i < s.steps(); i++) {
                        int n = 0;
                        for (Grid.Row r : rows) {
                            if (!r.has[i]) continue;
                            if (n == buf.length) buf = Arrays.copyOf(buf, n * 2);
                            buf[n++] = r.v[i];
                        }
                        if (n == 0) continue;
                        row.set(i, reduce(op, buf, n, param == null ? 0 : param[i]));
                    }
                }
            }
        }
        ev.track(out.samples());
        out.compact();
        return ev.opts.delayedNameRemoval() ? out.mergeDuplicates() : out;
    }

    /**
     * {@link #reduce} for SUM, COUNT, GROUP, MIN and MAX, row by row over whole value columns instead of step by step
     * across rows: the same operations in the same order per step (so the same result to the bit), but reading each
     * row's columns sequentially. {@code comp} is scratch for SUM's Kahan compensation, one per step.
     */
    static void reduceRows(AggregateOp op, List<Grid.Row> rows, Grid.Row out, double[] comp) {
        double[] acc = out.v;
        boolean[] has = out.has;
        int steps = acc.length;
        if (comp != null) Arrays.fill(comp, 0);
        for (Grid.Row r : rows) {
            double[] v = r.v;
            boolean[] rh = r.has;
            switch (op) {
                case SUM -> {
                    for (int i = 0; i < steps; i++) {
                        if (!rh[i]) continue;
                        double sum = has[i] ? acc[i] : 0, t = sum + v[i];
                        comp[i] = Functions.kahanC(sum, v[i], t, comp[i]);
                        acc[i] = t;
                        has[i] = true;
                    }
                }
                case COUNT -> {
                    for (int i = 0; i < steps; i++) {
                        if (!rh[i]) continue;
                        acc[i] = has[i] ? acc[i] + 1 : 1;
                        has[i] = true;
                    }
                }
                case GROUP -> {
                    for (int i = 0; i < steps; i++) {
                        if (!rh[i]) continue;
                        acc[i] = 1;
                        has[i] = true;
                    }
                }
                case MIN -> {
                    for (int i = 0; i < steps; i++) {
                        if (!rh[i]) continue;
                        if (!has[i] || acc[i] > v[i] || Double.isNaN(acc[i])) acc[i] = v[i];
                        has[i] = true;
                    }
                }
                case MAX -> {
                    for (int i = 0; i < steps; i++) {
                        if (!rh[i]) continue;
                        if (!has[i] || acc[i] < v[i] || Double.isNaN(acc[i])) acc[i] = v[i];
                        has[i] = true;
                    }
                }
                default -> throw new IllegalStateException("not a streamed aggregation: " + op);
            }
        }
        if (op == AggregateOp.SUM) {
            for (int i = 0; i < steps; i++) {
                if (has[i] && !Double.isInfinite(acc[i])) acc[i] += comp[i];
            }
        }
    }

    static double reduce(AggregateOp op, double[] v, int n, double param) {
        switch (op) {
            case SUM: {
                double sum = 0, c = 0;
                for (int i = 0; i < n; i++) {
                    double t = sum + v[i];
                    c = Functions.kahanC(sum, v[i], t, c);
                    sum = t;
                }
                return Double.isInfinite(sum) ? sum : sum + c;
            }
            case AVG:
                return Functions.avg(v, 0, n);
            case COUNT:
                return n;
            case GROUP:
                return 1;
            case MIN: {
                double m = v[0];
                for (int i = 1; i < n; i++) if (m > v[i] || Double.isNaN(m)) m = v[i];
                return m;
            }
            case MAX: {
                double m = v[0];
                for (int i = 1; i < n; i++) if (m < v[i] || Double.isNaN(m)) m = v[i];
                return m;
            }
            case STDDEV:
                return Math.sqrt(variance(v, n));
            case STDVAR:
                return variance(v, n);
            case QUANTILE:
                return Functions.quantile(param, Arrays.copyOf(v, n), n);
            default:
                throw new IllegalStateException("not a reducing aggregation: " + op);
        }
    }

    private static double variance(double[] v, int n) {
        double count = 0, mean = 0, m2 = 0;
        for (int i = 0; i < n; i++) {
            count++;
            double delta = v[i] - mean;
            mean += delta / count;
            m2 += delta * (v[i] - mean);
        }
        return m2 / count;
    }

    private static void countValues(String label, Map<Labels, List<Grid.Row>> groups, Grid out, Span s) {
        Map<Labels, Grid.Row> rows = new HashMap<>();
        for (Map.Entry<Labels, List<Grid.Row>> e : groups.entrySet()) {
            for (int i = 0; i < s.steps(); i++) {
                for (Grid.Row r : e.getValue()) {
                    if (!r.has[i]) continue;
                    Labels l = e.getKey().toBuilder().set(label, Functions.formatValue(r.v[i])).build();
                    Grid.Row o = rows.get(l);
                    if (o == null) {
                        o = out.add(l);
                        rows.put(l, o);
                    }
                    o.set(i, o.has[i] ? o.v[i] + 1 : 1);
                }
            }
        }
    }

    private static void selectK(Evaluator ev, AggregateExpr a, double[] param, Map<Labels, List<Grid.Row>> groups,
            Grid out, Span s) {
        AggregateOp op = a.op();
        Map<Grid.Row, Grid.Row> outRows = new HashMap<>();
        if (op == AggregateOp.LIMIT_RATIO) {
            for (int i = 0; i < s.steps(); i++) {
                double r = param[i];
                if (Double.isNaN(r)) throw QueryException.badData("Ratio value is NaN");
                if (r < -1 || r > 1) {
                    double capped = r < -1 ? -1 : 1;
                    ev.warn("ratio value should be between -1 and 1, got " + Functions.goFloat(r) + ", capping to "
                            + Functions.goFloat(capped), a.param().position());
                    param[i] = capped;
                }
            }
        }
        if (op != AggregateOp.LIMIT_RATIO) {
            for (double p : param) {
                if (Double.isNaN(p)) throw QueryException.badData("Parameter value is NaN");
                if (p >= 9.223372036854775807E18) {
                    throw QueryException.badData("Scalar value " + Functions.goFloat(p) + " overflows int64");
                }
            }
        }
        int[] idx = new int[16];
        for (List<Grid.Row> rows : groups.values()) {
            for (int i = 0; i < s.steps(); i++) {
                double p = param[i];
                long k;
                if (op == AggregateOp.LIMIT_RATIO) {
                    for (Grid.Row r : rows) {
                        if (r.has[i] && ratioKeeps(r.labels, p)) emit(out, outRows, r, i, r.v[i]);
                    }
                    continue;
                }
                if (Double.isNaN(p)) throw QueryException.badData("Parameter value is NaN");
                if (p >= 9.223372036854775807E18) throw QueryException.badData("Scalar value " + Functions.goFloat(p)
                        + " overflows int64");
                k = (long) p;
                if (k < 1) continue;
                int n = 0;
                for (int j = 0; j < rows.size(); j++) {
                    if (!rows.get(j).has[i]) continue;
                    if (n == idx.length) idx = Arrays.copyOf(idx, n * 2);
                    idx[n++] = j;
                }
                if (op == AggregateOp.LIMITK) {
                    for (int j = 0; j < n && j < k; j++) emit(out, outRows, rows.get(idx[j]), i, rows.get(idx[j]).v[i]);
                    continue;
                }
                final int step = i;
                boolean top = op == AggregateOp.TOPK;
                Integer[] order = new Integer[n];
                for (int j = 0; j < n; j++) order[j] = idx[j];
                // Stable: on ties the earlier series wins, as Prometheus's heap keeps the first one seen.
                Arrays.sort(order, (x, y) -> {
                    double vx = rows.get(x).v[step], vy = rows.get(y).v[step];
                    boolean nx = Double.isNaN(vx), ny = Double.isNaN(vy);
                    if (nx || ny) return Boolean.compare(nx, ny);
                    return top ? Double.compare(vy, vx) : Double.compare(vx, vy);
                });
                for (int j = 0; j < n && j < k; j++) emit(out, outRows, rows.get(order[j]), i, rows.get(order[j]).v[i]);
            }
        }
        if (s.steps() == 1 && (op == AggregateOp.TOPK || op == AggregateOp.BOTTOMK)) {
            boolean top = op == AggregateOp.TOPK;
            out.rows.sort((x, y) -> {
                double vx = x.v[0], vy = y.v[0];
                boolean nx = Double.isNaN(vx), ny = Double.isNaN(vy);
                if (nx || ny) return Boolean.compare(nx, ny);
                return top ? Double.compare(vy, vx) : Double.compare(vx, vy);
            });
        }
    }

    private static void emit(Grid out, Map<Grid.Row, Grid.Row> outRows, Grid.Row in, int i, double v) {
        Grid.Row o = outRows.get(in);
        if (o == null) {
            o = out.add(in.labels);
            o.dropName = in.dropName;
            outRows.put(in, o);
        }
        o.set(i, v);
    }

    /** Prometheus keeps a series in limit_ratio by where its label hash falls in [0, 1). */
    static boolean ratioKeeps(Labels l, double ratio) {
        double offset = Long.toUnsignedString(l.hash()).isEmpty() ? 0
                : new BigDecimal(Long.toUnsignedString(l.hash())).doubleValue() / 1.8446744073709552E19;
        return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1.0 + ratio);
    }

    static boolean isValidLabelName(String s) {
        return !s.isEmpty() && s.codePoints().allMatch(c -> c != 0xFFFD) && java.nio.charset.StandardCharsets.UTF_8
                .newEncoder().canEncode(s);
    }
}
