package dev.vigil.query.eval;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/** Function calls: dispatch by name to per-value, per-step and range-window implementations. */
final class Calls {
    private Calls() {
    }

    static double[] scalarCall(Evaluator ev, Call c, Span s) {
        double[] out = new double[s.steps()];
        switch (c.function().name()) {
            case "time" -> {
                for (int i = 0; i < out.length; i++) out[i] = s.t(i) / 1000.0;
            }
            case "pi" -> java.util.Arrays.fill(out, Math.PI);
            case "scalar" -> {
                Grid g = ev.vector(c.args().get(0), s);
                java.util.Arrays.fill(out, Double.NaN);
                int[] n = new int[out.length];
                for (Grid.Row r : g.rows) {
                    for (int i = 0; i < out.length; i++) {
                        if (!r.has[i]) continue;
                        out[i] = ++n[i] == 1 ? r.v[i] : Double.NaN;
                    }
                }
            }
            default -> throw new IllegalStateException("not a scalar function: " + c.function().name());
        }
        return out;
    }

    static String str(Expr e) {
        return ((StringLiteral) Evaluator.unwrap(e)).value();
    }

    static Grid vectorCall(Evaluator ev, Call c, Span s) {
        String name = c.function().name();
        List<Expr> args = c.args();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).type() == ValueType.MATRIX) return RangeFunctions.eval(ev, c, i, s);
        }
        switch (name) {
            case "abs": return map(ev, c, s, Math::abs);
            case "ceil": return map(ev, c, s, Math::ceil);
            case "floor": return map(ev, c, s, Math::floor);
            case "exp": return map(ev, c, s, Math::exp);
            case "sqrt": return map(ev, c, s, Math::sqrt);
            case "ln": return map(ev, c, s, Math::log);
            case "log2": return map(ev, c, s, Calls::log2);
            case "log10": return map(ev, c, s, Math::log10);
            case "sin": return map(ev, c, s, Math::sin);
            case "cos": return map(ev, c, s, Math::cos);
            case "tan": return map(ev, c, s, Math::tan);
            case "asin": return map(ev, c, s, Math::asin);
            case "acos": return map(ev, c, s, Math::acos);
            case "atan": return map(ev, c, s, Math::atan);
            case "sinh": return map(ev, c, s, Math::sinh);
            case "cosh": return map(ev, c, s, Math::cosh);
            case "tanh": return map(ev, c, s, Math::tanh);
            case "asinh": return map(ev, c, s, Functions::asinh);
            case "acosh": return map(ev, c, s, Functions::acosh);
            case "atanh": return map(ev, c, s, Functions::atanh);
            case "rad": return map(ev, c, s, v -> v * Math.PI / 180);
            case "deg": return map(ev, c, s, v -> v * 180 / Math.PI);
            case "sgn": return map(ev, c, s, v -> v < 0 ? -1 : v > 0 ? 1 : v);
            case "round": return round(ev, c, s);
            case "clamp", "clamp_min", "clamp_max": return clamp(ev, c, s);
            case "timestamp": return timestamp(ev, c, s);
            case "vector": {
                double[] v = ev.scalar(args.get(0), s);
                Grid g = new Grid(s.steps());
                g.rows.add(new Grid.Row(Labels.EMPTY, false, v, Grid.allTrue(s.steps())));
                return g;
            }
            case "absent": {
                Grid in = ev.vector(args.get(0), s);
                Grid g = new Grid(s.steps());
                Grid.Row row = g.add(absentLabels(args.get(0)));
                for (int i = 0; i < s.steps(); i++) {
                    boolean any = false;
                    for (Grid.Row r : in.rows) {
                        if (r.has[i]) {
                            any = true;
                            break;
                        }
                    }
                    if (!any) row.set(i, 1);
                }
                return g.compact();
            }
            case "label_replace": return labelReplace(ev, c, s);
            case "label_join": return labelJoin(ev, c, s);
            case "sort", "sort_desc": return sort(ev, c, s, name.equals("sort_desc"));
            case "sort_by_label", "sort_by_label_desc": return sortByLabel(ev, c, s, name.endsWith("_desc"));
            case "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year":
                return date(ev, c, s, name);
            case "info": return info(ev, c, s);
            case "histogram_quantile": return Histograms.quantile(ev, c, s);
            case "histogram_quantiles": return Histograms.quantiles(ev, c, s);
            case "histogram_fraction": return Histograms.fraction(ev, c, s);
            case "histogram_count", "histogram_sum", "histogram_avg", "histogram_stddev", "histogram_stdvar": {
                // Only native histograms have these; float samples are ignored, as in Prometheus.
                ev.vector(args.get(0), s);
                return new Grid(s.steps());
            }
            default:
                throw QueryException.execution("function " + name + "() is not supported by this engine");
        }
    }

    private static final List<String> IDENTIFYING = List.of("instance", "job");

    /**
     * info(v [, selector]): adds the data labels of info series (target_info unless the selector names others) that
     * share the identifying labels (instance, job) of each series. With data-label matchers only those labels are
     * added, and a series without a matching info series is dropped unless every such matcher accepts "".
     */
    private static Grid info(Evaluator ev, Call c, Span s) {
        Grid base = ev.vector(c.args().get(0), s);
        List<Matcher> nameMatchers = new ArrayList<>(), dataMatchers = new ArrayList<>();
        if (c.args().size() > 1 && Evaluator.unwrap(c.args().get(1)) instanceof VectorSelector sel) {
            for (Matcher m : sel.matchers()) (m.name().equals(Labels.METRIC_NAME) ? nameMatchers : dataMatchers).add(m);
        }
        if (nameMatchers.isEmpty()) nameMatchers.add(Matcher.equal(Labels.METRIC_NAME, "target_info"));
        Grid infos = ev.selectVector(new VectorSelector(null, nameMatchers, 0, null,
                dev.vigil.query.ast.PositionRange.NONE), s, false);
        java.util.Map<String, List<Grid.Row>> byIdentity = new java.util.HashMap<>();
        for (Grid.Row r : infos.rows) {
            boolean ok = true;
            for (Matcher m : dataMatchers) ok &= m.matches(r.labels.get(m.name()));
            if (ok) byIdentity.computeIfAbsent(identity(r.labels), k -> new ArrayList<>()).add(r);
        }
        boolean emptyOk = dataMatchers.stream().allMatch(Matcher::matchesEmpty);
        Grid out = new Grid(s.steps());
        java.util.Map<Labels, Grid.Row> rows = new java.util.HashMap<>();
        for (Grid.Row b : base.rows) {
            boolean isInfo = nameMatchers.stream().allMatch(m -> m.matches(b.labels.metricName()));
            List<Grid.Row> cands = isInfo ? List.of() : byIdentity.getOrDefault(identity(b.labels), List.of());
            for (int i = 0; i < s.steps(); i++) {
                if (!b.has[i]) continue;
                Labels.Builder lb = b.labels.toBuilder();
                boolean found = false;
                for (Grid.Row inf : cands) {
                    if (!inf.has[i]) continue;
                    found = true;
                    for (int k = 0; k < inf.labels.size(); k++) {
                        String n = inf.labels.name(k);
                        if (n.equals(Labels.METRIC_NAME) || IDENTIFYING.contains(n) || b.labels.has(n)) continue;
                        if (!dataMatchers.isEmpty() && dataMatchers.stream().noneMatch(m -> m.name().equals(n))) continue;
                        lb.set(n, inf.labels.value(k));
                    }
                }
                if (!found && !isInfo && !emptyOk) continue;
                Labels l = lb.build();
                Grid.Row o = rows.get(l);
                if (o == null) {
                    o = out.add(l);
                    o.dropName = b.dropName;
                    rows.put(l, o);
                }
                if (o.has[i]) throw QueryException.execution("vector cannot contain metrics with the same labelset");
                o.set(i, b.v[i]);
            }
        }
        return out;
    }

    private static String identity(Labels l) {
        StringBuilder sb = new StringBuilder();
        for (String n : IDENTIFYING) sb.append(l.get(n)).append('\u0000');
        return sb.toString();
    }

    private static double log2(double v) {
        // exact for powers of two, as Go's math.Log2
        if (v > 0 && !Double.isInfinite(v)) {
            long bits = Double.doubleToRawLongBits(v);
            if ((bits & 0x000fffffffffffffL) == 0 && Math.getExponent(v) >= Double.MIN_EXPONENT) {
                return Math.getExponent(v);
            }
        }
        return Math.log(v) / Math.log(2);
    }

    private static Grid map(Evaluator ev, Call c, Span s, DoubleUnaryOperator f) {
        Grid g = ev.vector(c.args().get(0), s);
        for (Grid.Row r : g.rows) {
            for (int i = 0; i < r.v.length; i++) if (r.has[i]) r.v[i] = f.applyAsDouble(r.v[i]);
            ev.dropName(r);
        }
        return ev.finishDrop(g);
    }

    private static Grid round(Evaluator ev, Call c, Span s) {
        double[] to = c.args().size() > 1 ? ev.scalar(c.args().get(1), s) : null;
        Grid g = ev.vector(c.args().get(0), s);
        for (Grid.Row r : g.rows) {
            for (int i = 0; i < r.v.length; i++) {
                if (!r.has[i]) continue;
                double inv = 1.0 / (to == null ? 1 : to[i]);
                r.v[i] = Math.floor(r.v[i] * inv + 0.5) / inv;
            }
            ev.dropName(r);
        }
        return ev.finishDrop(g);
    }

    private static Grid clamp(Evaluator ev, Call c, Span s) {
        String name = c.function().name();
        double[] lo = null, hi = null;
        if (name.equals("clamp")) {
            lo = ev.scalar(c.args().get(1), s);
            hi = ev.scalar(c.args().get(2), s);
        } else if (name.equals("clamp_min")) {
            lo = ev.scalar(c.args().get(1), s);
        } else {
            hi = ev.scalar(c.args().get(1), s);
        }
        Grid g = ev.vector(c.args().get(0), s);
        for (Grid.Row r : g.rows) {
            for (int i = 0; i < r.v.length; i++) {
                if (!r.has[i]) continue;
                double min = lo == null ? Double.NEGATIVE_INFINITY : lo[i];
                double max = hi == null ? Double.POSITIVE_INFINITY : hi[i];
                if (max < min) r.has[i] = false;
                else r.v[i] = Math.max(min, Math.min(max, r.v[i]));
            }
            ev.dropName(r);
        }
        return ev.finishDrop(g.compact());
    }

    private static Grid timestamp(Evaluator ev, Call c, Span s) {
        Expr arg = Evaluator.unwrap(c.args().get(0));
        Grid g;
        if (arg instanceof VectorSelector vs) {
            g = ev.selectVector(vs, s, true);
        } else {
            g = ev.vector(arg, s);
            for (Grid.Row r : g.rows) for (int i = 0; i < r.v.length; i++) r.v[i] = s.t(i) / 1000.0;
        }
        for (Grid.Row r : g.rows) ev.dropName(r);
        return ev.finishDrop(g);
    }

    static Labels absentLabels(Expr e) {
        e = Evaluator.unwrap(e);
        List<Matcher> ms;
        if (e instanceof VectorSelector vs) ms = vs.matchers();
        else if (e instanceof MatrixSelector m) ms = m.selector().matchers();
        else return Labels.EMPTY;
        Labels.Builder b = Labels.builder();
        Set<String> has = new HashSet<>();
        for (Matcher m : ms) {
            if (m.name().equals(Labels.METRIC_NAME)) continue;
            if (m.type() == Matcher.Type.EQUAL && !has.contains(m.name())) {
                b.set(m.name(), m.value());
                has.add(m.name());
            } else {
                b.remove(m.name());
            }
        }
        return b.build();
    }

    private static Grid labelReplace(Evaluator ev, Call c, Span s) {
        String dst = str(c.args().get(1)), repl = str(c.args().get(2)), src = str(c.args().get(3));
        String regex = str(c.args().get(4));
        Pattern p;
        try {
            p = Pattern.compile("^(?s:" + regex + ")$");
        } catch (PatternSyntaxException e) {
            throw QueryException.execution("invalid regular expression in label_replace(): " + regex);
        }
        if (!Aggregations.isValidLabelName(dst)) {
            throw QueryException.execution("invalid destination label name in label_replace(): " + dst);
        }
        Grid g = ev.vector(c.args().get(0), s);
        for (Grid.Row r : g.rows) {
            String v = r.labels.get(src);
            com.google.re2j.Matcher m = p.matcher(v);
            if (!m.matches()) continue;
            String res = GoRegexp.expand(m, repl);
            r.labels = r.labels.toBuilder().set(dst, res).build();
            if (dst.equals(Labels.METRIC_NAME)) r.dropName = false;
        }
        return g.mergeDuplicates();
    }

    private static Grid labelJoin(Evaluator ev, Call c, Span s) {
        String dst = str(c.args().get(1)), sep = str(c.args().get(2));
        List<String> srcs = new ArrayList<>();
        for (int i = 3; i < c.args().size(); i++) {
            String src = str(c.args().get(i));
            if (!Aggregations.isValidLabelName(src)) {
                throw QueryException.execution("invalid source label name in label_join(): " + src);
            }
            srcs.add(src);
        }
        if (!Aggregations.isValidLabelName(dst)) {
            throw QueryException.execution("invalid destination label name in label_join(): " + dst);
        }
        Grid g = ev.vector(c.args().get(0), s);
        for (Grid.Row r : g.rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < srcs.size(); i++) {
                if (i > 0) sb.append(sep);
                sb.append(r.labels.get(srcs.get(i)));
            }
            r.labels = r.labels.toBuilder().set(dst, sb.toString()).build();
            if (dst.equals(Labels.METRIC_NAME)) r.dropName = false;
        }
        return g.mergeDuplicates();
    }

    private static Grid sort(Evaluator ev, Call c, Span s, boolean desc) {
        Grid g = ev.vector(c.args().get(0), s);
        if (ev.rangeQuery) {
            ev.warn("sort is ineffective for range queries since results are always ordered by labels", c.position());
            return g;
        }
        if (s.steps() != 1) return g;
        // NaN sorts last either way, as Prometheus's reversed heaps do.
        g.rows.sort((a, b) -> {
            double x = a.v[0], y = b.v[0];
            boolean nx = Double.isNaN(x), ny = Double.isNaN(y);
            if (nx || ny) return Boolean.compare(nx, ny);
            return desc ? Double.compare(y, x) : Double.compare(x, y);
        });
        return g;
    }

    private static Grid sortByLabel(Evaluator ev, Call c, Span s, boolean desc) {
        Grid g = ev.vector(c.args().get(0), s);
        if (ev.rangeQuery) {
            ev.warn("sort is ineffective for range queries since results are always ordered by labels", c.position());
            return g;
        }
        List<String> names = new ArrayList<>();
        for (int i = 1; i < c.args().size(); i++) names.add(str(c.args().get(i)));
        Comparator<Grid.Row> cmp = (a, b) -> {
            for (String n : names) {
                String x = a.labels.get(n), y = b.labels.get(n);
                if (x.equals(y)) continue;
                return NatSort.less(x, y) ? -1 : 1;
            }
            return a.labels.compareTo(b.labels);
        };
        g.rows.sort(desc ? cmp.reversed() : cmp);
        return g;
    }

    private static Grid date(Evaluator ev, Call c, Span s, String name) {
        Grid g;
        if (c.args().isEmpty()) {
            g = new Grid(s.steps());
            Grid.Row r = g.add(Labels.EMPTY);
            for (int i = 0; i < s.steps(); i++) r.set(i, Math.floorDiv(s.t(i), 1000));
        } else {
            g = ev.vector(c.args().get(0), s);
            for (Grid.Row r : g.rows) ev.dropName(r);
        }
        for (Grid.Row r : g.rows) {
            for (int i = 0; i < r.v.length; i++) {
                if (!r.has[i]) continue;
                double v = r.v[i];
                // Go's int64(NaN or out of range) is the minimum int64 on amd64
                long secs = Double.isNaN(v) || Math.abs(v) >= 9.2e18 ? Long.MIN_VALUE : (long) v;
                ZonedDateTime t;
                try {
                    t = Instant.ofEpochSecond(secs).atZone(ZoneOffset.UTC);
                } catch (java.time.DateTimeException e) {
                    r.has[i] = false;
                    continue;
                }
                r.v[i] = switch (name) {
                    case "days_in_month" -> t.toLocalDate().lengthOfMonth();
                    case "day_of_month" -> t.getDayOfMonth();
                    case "day_of_week" -> t.getDayOfWeek().getValue() % 7;
                    case "day_of_year" -> t.getDayOfYear();
                    case "hour" -> t.getHour();
                    case "minute" -> t.getMinute();
                    case "month" -> t.getMonthValue();
                    default -> t.getYear();
                };
            }
        }
        return ev.finishDrop(g.compact());
    }
}
