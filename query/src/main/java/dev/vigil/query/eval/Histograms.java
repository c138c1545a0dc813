package dev.vigil.query.eval;

import dev.vigil.query.ast.Call;
import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** histogram_quantile and histogram_fraction over classic ({@code le}-labelled) bucket series. */
final class Histograms {
    private Histograms() {
    }

    private record Bucket(double upper, Grid.Row row) {}

    /** Groups bucket series by their labels without {@code le}; warns about a missing or malformed {@code le}. */
    private static Map<Labels, List<Bucket>> group(Evaluator ev, Grid in, Call c, int vecArg) {
        Map<Labels, List<Bucket>> groups = new LinkedHashMap<>();
        for (Grid.Row r : in.rows) {
            String le = r.labels.get("le");
            double upper;
            try {
                upper = parseGoFloat(le);
            } catch (NumberFormatException e) {
                ev.warn("bucket label \"le\" is missing or has a malformed value of \"" + le + "\" for metric name \""
                        + r.labels.metricName() + "\"", c.args().get(vecArg).position());
                continue;
            }
            groups.computeIfAbsent(r.labels.without("le"), k -> new ArrayList<>()).add(new Bucket(upper, r));
        }
        return groups;
    }

    /** Go's strconv.ParseFloat for the forms seen in {@code le}: decimals, exponents, Inf/NaN words. */
    static double parseGoFloat(String s) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (body.equals("nan")) return Double.NaN;
        if (body.isEmpty() || !body.matches("[0-9._]*(e[+-]?[0-9_]+)?|0x[0-9a-f._]*(p[+-]?[0-9]+)?")) {
            throw new NumberFormatException(s);
        }
        return Double.parseDouble(t.replace("_", ""));
    }

    private static Grid.Row outRow(Evaluator ev, Grid out, Labels l) {
        Grid.Row row = out.add(l);
        ev.dropName(row);
        return row;
    }

    static Grid quantile(Evaluator ev, Call c, Span s) {
        double[] q = ev.scalar(c.args().get(0), s);
        for (double v : q) {
            if (Double.isNaN(v) || v < 0 || v > 1) {
                ev.warn("quantile value should be between 0 and 1, got " + Functions.goFloat(v), c.args().get(0).position());
                break;
            }
        }
        Grid in = ev.vector(c.args().get(1), s);
        Grid out = new Grid(s.steps());
        double[] ub = new double[16], cnt = new double[16];
        for (Map.Entry<Labels, List<Bucket>> e : group(ev, in, c, 1).entrySet()) {
            List<Bucket> bs = e.getValue();
            bs.sort((a, b) -> Double.compare(a.upper, b.upper));
            Grid.Row row = outRow(ev, out, e.getKey());
            if (ub.length < bs.size()) {
                ub = new double[bs.size()];
                cnt = new double[bs.size()];
            }
            for (int i = 0; i < s.steps(); i++) {
                int n = collect(bs, i, ub, cnt);
                if (n == 0) continue;
                double[] res = bucketQuantile(q[i], ub, cnt, n);
                if (res[1] != 0) monotonicityInfo(ev, e.getKey(), c, 1);
                row.set(i, res[0]);
            }
        }
        ev.track(out.samples());
        return ev.finishDrop(out.compact());
    }

    /** histogram_quantiles(v, "label", q...): one output series per quantile, labelled with it. */
    static Grid quantiles(Evaluator ev, Call c, Span s) {
        String label = Calls.str(c.args().get(1));
        List<double[]> qs = new ArrayList<>();
        for (int k = 2; k < c.args().size(); k++) {
            double[] q = ev.scalar(c.args().get(k), s);
            for (double v : q) {
                if (Double.isNaN(v) || v < 0 || v > 1) {
                    ev.warn("quantile value should be between 0 and 1, got " + Functions.goFloat(v),
                            c.args().get(k).position());
                    break;
                }
            }
            qs.add(q);
        }
        Grid in = ev.vector(c.args().get(0), s);
        Grid out = new Grid(s.steps());
        Map<Labels, List<Bucket>> groups = group(ev, in, c, 0);
        java.util.HashMap<Labels, Grid.Row> rows = new java.util.HashMap<>();
        for (double[] q : qs) {
            for (Map.Entry<Labels, List<Bucket>> e : groups.entrySet()) {
                List<Bucket> bs = e.getValue();
                bs.sort((a, b) -> Double.compare(a.upper, b.upper));
                double[] ub = new double[bs.size()], cnt = new double[bs.size()];
                for (int i = 0; i < s.steps(); i++) {
                    int n = collect(bs, i, ub, cnt);
                    if (n == 0) continue;
                    Labels l = e.getKey().toBuilder().set(label, openMetricsFloat(q[i])).build();
                    Grid.Row row = rows.computeIfAbsent(l, k -> outRow(ev, out, k));
                    if (row.has[i]) throw QueryException.execution("vector cannot contain metrics with the same labelset");
                    double[] res = bucketQuantile(q[i], ub, cnt, n);
                    if (res[1] != 0) monotonicityInfo(ev, e.getKey(), c, 0);
                    row.set(i, res[0]);
                }
            }
        }
        ev.track(out.samples());
        return ev.finishDrop(out.compact());
    }

    private static void monotonicityInfo(Evaluator ev, Labels group, Call c, int vecArg) {
        ev.info("input to histogram_quantile needed to be fixed for monotonicity (see "
                + "https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) "
                + "for metric name \"" + (ev.opts.delayedNameRemoval() ? group.metricName() : "") + "\"",
                c.args().get(vecArg).position());
    }

    /** OpenMetrics float text: integral values keep a ".0". */
    static String openMetricsFloat(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        String s = Functions.formatValue(v);
        return s.contains(".") || s.contains("e") ? s : s + ".0";
    }

    static Grid fraction(Evaluator ev, Call c, Span s) {
        double[] lower = ev.scalar(c.args().get(0), s), upper = ev.scalar(c.args().get(1), s);
        Grid in = ev.vector(c.args().get(2), s);
        Grid out = new Grid(s.steps());
        double[] ub = new double[16], cnt = new double[16];
        for (Map.Entry<Labels, List<Bucket>> e : group(ev, in, c, 2).entrySet()) {
            List<Bucket> bs = e.getValue();
            bs.sort((a, b) -> Double.compare(a.upper, b.upper));
            Grid.Row row = outRow(ev, out, e.getKey());
            if (ub.length < bs.size()) {
                ub = new double[bs.size()];
                cnt = new double[bs.size()];
            }
            for (int i = 0; i < s.steps(); i++) {
                int n = collect(bs, i, ub, cnt);
                if (n == 0) continue;
                row.set(i, bucketFraction(lower[i], upper[i], ub, cnt, n));
            }
        }
        ev.track(out.samples());
        return ev.finishDrop(out.compact());
    }

    /** Sorted buckets present at step i, coalescing equal bounds; returns how many. */
    private static int collect(List<Bucket> bs, int i, double[] ub, double[] cnt) {
        int n = 0;
        for (Bucket b : bs) {
            if (!b.row.has[i]) continue;
            if (n > 0 && ub[n - 1] == b.upper) {
                cnt[n - 1] += b.row.v[i];
                continue;
            }
            ub[n] = b.upper;
            cnt[n++] = b.row.v[i];
        }
        return n;
    }

    /** Prometheus's classic bucket quantile; returns {value, forcedMonotonic ? 1 : 0}. */
    static double[] bucketQuantile(double q, double[] ub, double[] cnt, int n) {
        if (Double.isNaN(q)) return new double[] {Double.NaN, 0};
        if (q < 0) return new double[] {Double.NEGATIVE_INFINITY, 0};
        if (q > 1) return new double[] {Double.POSITIVE_INFINITY, 0};
        if (ub[n - 1] != Double.POSITIVE_INFINITY) return new double[] {Double.NaN, 0};
        // Small relative differences are float noise, not decreases (tolerance as Prometheus's 1e-12).
        double prev = cnt[0];
        for (int i = 1; i < n; i++) {
            double curr = cnt[i], delta = Math.abs(curr - prev);
            if (delta == 0) continue;
            if (delta / curr <= 1e-12) cnt[i] = prev;
            else prev = curr;
        }
        boolean forced = false;
        double max = cnt[0];
        for (int i = 1; i < n; i++) {
            if (cnt[i] > max) max = cnt[i];
            else if (cnt[i] < max) {
                cnt[i] = max;
                forced = true;
            }
        }
        if (n < 2) return new double[] {Double.NaN, 0};
        double observations = cnt[n - 1];
        if (observations == 0) return new double[] {Double.NaN, 0};
        double rank = q * observations;
        int b = 0;
        while (b < n - 1 && !(cnt[b] >= rank)) b++;
        double f = forced ? 1 : 0;
        if (b == n - 1) return new double[] {ub[n - 2], f};
        if (b == 0 && ub[0] <= 0) return new double[] {ub[0], f};
        double start = 0, end = ub[b], count = cnt[b];
        if (b > 0) {
            start = ub[b - 1];
            count -= cnt[b - 1];
            rank -= cnt[b - 1];
        }
        return new double[] {start + (end - start) * (rank / count), f};
    }

    static double bucketFraction(double lower, double upper, double[] ub, double[] cnt, int n) {
        if (ub[n - 1] != Double.POSITIVE_INFINITY) return Double.NaN;
        double count = cnt[n - 1];
        if (count == 0 || Double.isNaN(lower) || Double.isNaN(upper)) return Double.NaN;
        if (lower >= upper) return 0;
        double rank = 0, lowerRank = 0, upperRank = 0;
        boolean lowerSet = false, upperSet = false;
        for (int i = 0; i < n; i++) {
            double lb = i > 0 ? ub[i - 1] : (ub[0] > 0 ? 0 : Double.NEGATIVE_INFINITY);
            double hb = ub[i];
            double bc = cnt[i] - rank;
            if (!lowerSet && lb >= lower) {
                lowerRank = rank;
                lowerSet = true;
            }
            if (!upperSet && lb >= upper) {
                upperRank = rank;
                upperSet = true;
            }
            if (lowerSet && upperSet) break;
            if (!lowerSet && lb < lower && hb > lower) {
                // a bucket of infinite width contributes nothing: no interpolation into it
                lowerRank = lb == Double.NEGATIVE_INFINITY ? cnt[i] : rank + bc * (lower - lb) / (hb - lb);
                lowerSet = true;
            }
            if (!upperSet && lb < upper && hb > upper) {
                upperRank = lb == Double.NEGATIVE_INFINITY ? rank : rank + bc * (upper - lb) / (hb - lb);
                upperSet = true;
            }
            if (lowerSet && upperSet) break;
            rank = cnt[i];
        }
        if (!lowerSet || lowerRank > count) lowerRank = count;
        if (!upperSet || upperRank > count) upperRank = count;
        return (upperRank - lowerRank) / count;
    }

}
