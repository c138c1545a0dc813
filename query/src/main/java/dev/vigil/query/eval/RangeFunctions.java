package dev.vigil.query.eval;

import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Labels;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Functions over range vectors. Each works on a series' primitive columns and a window {@code [lo, hi)} of indices;
 * the window slides across the steps with two moving indices, so nothing is copied per step.
 */
final class RangeFunctions {
    private RangeFunctions() {
    }

    static Grid eval(Evaluator ev, Call c, int matrixIdx, Span s) {
        String name = c.function().name();
        List<Expr> args = c.args();
        double[][] params = new double[args.size()][];
        for (int i = 0; i < args.size(); i++) {
            if (i != matrixIdx && args.get(i).type() == ValueType.SCALAR) params[i] = ev.scalar(args.get(i), s);
        }
        if (Evaluator.unwrap(args.get(matrixIdx)) instanceof dev.vigil.query.ast.MatrixSelector m
                && streams(name, m.selector().extension())) {
            // each series is evaluated as it is loaded, into one reused buffer: nothing is kept per series but its
            // row. Samples are tracked as loading them all first would (the loaded ones stay tracked), rows last.
            Rows rows = new Rows(ev, name, args, matrixIdx, params, s, ev.matrixArg(m, s, List.of()),
                    m.selector().extension());
            ev.loadEach(m.selector(), ev.matrixMinT(m, s), ev.matrixMaxT(m, s), true, true,
                    rs -> rows.count += rows.add(rs));
            ev.track(rows.count);
            return rows.finish();
        }
        Evaluator.RangeArg arg = ev.rangeArg(args.get(matrixIdx), s);
        Grid out = new Grid(s.steps());
        if (name.equals("absent_over_time")) {
            Grid.Row row = out.add(Calls.absentLabels(args.get(matrixIdx)));
            for (int i = 0; i < s.steps(); i++) {
                long end = arg.windowEnd(s, i), start = end - arg.rangeMs();
                boolean any = false;
                for (RawSeries rs : arg.series()) {
                    int lo = rs.firstAfter(start, 0);
                    if (lo < rs.n && rs.ts[lo] <= end) {
                        any = true;
                        break;
                    }
                }
                if (!any) row.set(i, 1);
            }
            return out.compact();
        }
        if (name.equals("quantile_over_time")) {
            for (double q : params[0]) {
                if (Double.isNaN(q) || q < 0 || q > 1) {
                    ev.warn("quantile value should be between 0 and 1, got " + Functions.goFloat(q),
                            args.get(0).position());
                    break;
                }
            }
        }
        if (name.equals("double_exponential_smoothing")) {
            for (int i = 0; i < s.steps(); i++) {
                double sf = params[1][i], tf = params[2][i];
                if (!(sf > 0 && sf < 1)) throw QueryException.execution(
                        String.format(Locale.ROOT, "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf));
                if (!(tf > 0 && tf < 1)) throw QueryException.execution(
                        String.format(Locale.ROOT, "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf));
            }
        }
        VectorSelector.Extension ext = arg.selector() != null && arg.expr() instanceof dev.vigil.query.ast.MatrixSelector
                ? arg.selector().extension() : VectorSelector.Extension.NONE;
        if (ext != VectorSelector.Extension.NONE) {
            boolean anchored = ext == VectorSelector.Extension.ANCHORED;
            if (!(anchored ? ANCHORED_SAFE : SMOOTHED_SAFE).contains(name)) {
                throw QueryException.execution((anchored ? "anchored modifier can only be used with: changes, delta, "
                        + "increase, rate, resets" : "smoothed modifier can only be used with: delta, increase, rate")
                        + " - not with " + name);
            }
        }
        Rows rows = new Rows(ev, name, args, matrixIdx, params, s, arg, ext);
        for (RawSeries rs : arg.series()) {
            ev.checkInterrupt();
            ev.track(rows.add(rs));
        }
        return rows.finish();
    }

    /** Functions evaluated series by series as each is loaded: they throw nothing per series, warn nothing. */
    private static final java.util.Set<String> STREAMED = java.util.Set.of("rate", "increase", "delta", "irate",
            "idelta", "changes", "resets", "deriv", "predict_linear", "avg_over_time", "sum_over_time",
            "count_over_time", "present_over_time", "last_over_time", "first_over_time", "max_over_time",
            "min_over_time", "ts_of_max_over_time", "ts_of_min_over_time", "ts_of_last_over_time",
            "ts_of_first_over_time", "stddev_over_time", "stdvar_over_time", "mad_over_time");

    /**
     * Whether {@code name} over a matrix selector can run as the series load, one at a time through one reused
     * buffer, with the same result, warnings and errors as loading them all first: the function has no argument
     * check or warning that must come after the load, and the selector's modifier is one it accepts.
     */
    private static boolean streams(String name, VectorSelector.Extension ext) {
        if (!STREAMED.contains(name)) return false;
        return ext == VectorSelector.Extension.NONE
                || (ext == VectorSelector.Extension.ANCHORED ? ANCHORED_SAFE : SMOOTHED_SAFE).contains(name);
    }

    /** The result rows of one range function call, built one series at a time. */
    private static final class Rows {
        private final Evaluator ev;
        private final String name;
        private final List<Expr> args;
        private final int matrixIdx;
        private final double[][] params;
        private final Span s;
        private final Evaluator.RangeArg arg;
        private final VectorSelector.Extension ext;
        private final long extBefore;
        private final long extAfter;
        private final boolean counterCheck;
        private final boolean keepName;
        private final Grid out;
        private double[] scratch = new double[16];
        private String checkedMetric;
        private boolean distinctAfterDrop;
        private final String[] droppedOfFirst = new String[DROPPED.length];
        /** Samples of the rows added, for a caller that tracks them at the end. */
        long count;

        Rows(Evaluator ev, String name, List<Expr> args, int matrixIdx, double[][] params, Span s,
                Evaluator.RangeArg arg, VectorSelector.Extension ext) {
            this.ev = ev;
            this.name = name;
            this.args = args;
            this.matrixIdx = matrixIdx;
            this.params = params;
            this.s = s;
            this.arg = arg;
            this.ext = ext;
            this.extBefore = ext == VectorSelector.Extension.NONE ? 0 : ev.opts.lookbackDeltaMs();
            this.extAfter = ext == VectorSelector.Extension.SMOOTHED ? ev.opts.lookbackDeltaMs() : 0;
            this.counterCheck = name.equals("rate") || name.equals("increase");
            this.keepName = name.equals("last_over_time") || name.equals("first_over_time");
            this.out = new Grid(s.steps());
            this.distinctAfterDrop = arg.expr() instanceof dev.vigil.query.ast.MatrixSelector;
        }

        /** Adds the row of {@code rs} (which is not kept) when it has values; returns its value count. */
        int add(RawSeries rs) {
            Grid.Row row = new Grid.Row(rs.labels, s.steps());
            row.dropName = rs.dropName;
            int lo = 0, hi = 0;
            boolean mayReset = counterCheck && decreases(rs);
            for (int i = 0; i < s.steps(); i++) {
                long end = arg.windowEnd(s, i), start = end - arg.rangeMs();
                if (arg.pinned() && i > 0 && args.size() == 1) {
                    if (row.has[0]) row.set(i, row.v[0]);
                    continue;
                }
                while (lo < rs.n && rs.ts[lo] <= start - extBefore) lo++;
                if (hi < lo) hi = lo;
                while (hi < rs.n && rs.ts[hi] <= end + extAfter) hi++;
                if (lo == hi) continue;
                if (ext != VectorSelector.Extension.NONE) {
                    double x = extended(name, rs.ts, rs.vs, lo, hi, start, end, arg.rangeMs(),
                            ext == VectorSelector.Extension.SMOOTHED);
                    if (Double.doubleToRawLongBits(x) != NO_RESULT_BITS) row.set(i, x);
                    continue;
                }
                long[] ts = rs.ts;
                double[] vs = rs.vs;
                int n = hi - lo;
                double r;
                switch (name) {
                    case "rate", "increase", "delta" -> {
                        if (n < 2) continue;
                        // a series that never decreases has no counter resets in any window: skip the scan
                        r = extrapolatedRate(ts, vs, lo, hi, start, end, arg.rangeMs(), !name.equals("delta"), mayReset,
                                name.equals("rate"));
                    }
                    case "irate", "idelta" -> {
                        if (n < 2) continue;
                        long dt = ts[hi - 1] - ts[hi - 2];
                        if (dt == 0) continue;
                        double last = vs[hi - 1], prev = vs[hi - 2];
                        boolean rate = name.equals("irate");
                        r = rate && last < prev ? last : last - prev;
                        if (rate) r /= dt / 1000.0;
                    }
                    case "changes", "resets" -> {
                        int k = 0;
                        boolean changes = name.equals("changes");
                        for (int j = lo + 1; j < hi; j++) {
                            double a = vs[j - 1], b = vs[j];
                            if (changes ? (a != b && !(Double.isNaN(a) && Double.isNaN(b))) : b < a) k++;
                        }
                        r = k;
                    }
                    case "deriv" -> {
                        if (n < 2) continue;
                        r = linearRegression(ts, vs, lo, hi, ts[lo])[0];
                    }
                    case "predict_linear" -> {
                        if (n < 2) continue;
                        double[] si = linearRegression(ts, vs, lo, hi, s.t(i));
                        r = si[0] * params[1][i] + si[1];
                    }
                    case "avg_over_time" -> r = Functions.avg(vs, lo, hi);
                    case "sum_over_time" -> r = Functions.kahanSum(vs, lo, hi);
                    case "count_over_time" -> r = n;
                    case "present_over_time" -> r = 1;
                    case "last_over_time" -> r = vs[hi - 1];
                    case "first_over_time" -> r = vs[lo];
                    case "ts_of_last_over_time" -> r = ts[hi - 1] / 1000.0;
                    case "ts_of_first_over_time" -> r = ts[lo] / 1000.0;
                    case "max_over_time", "min_over_time", "ts_of_max_over_time", "ts_of_min_over_time" -> {
                        boolean max = name.contains("max"), tsOf = name.startsWith("ts_of");
                        double m = vs[lo];
                        long mt = ts[lo];
                        for (int j = lo; j < hi; j++) {
                            double v = vs[j];
                            boolean better = tsOf ? (max ? v >= m : v <= m) : (max ? v > m : v < m);
                            if (better || Double.isNaN(m)) {
                                m = v;
                                mt = ts[j];
                            }
                        }
                        r = tsOf ? mt / 1000.0 : m;
                    }
                    case "stddev_over_time", "stdvar_over_time" -> {
                        double count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
                        for (int j = lo; j < hi; j++) {
                            double f = vs[j];
                            count++;
                            double delta = f - (mean + cMean);
                            double inc = delta / count, t = mean + inc;
                            cMean = Functions.kahanC(mean, inc, t, cMean);
                            mean = t;
                            double inc2 = delta * (f - (mean + cMean)), t2 = aux + inc2;
                            cAux = Functions.kahanC(aux, inc2, t2, cAux);
                            aux = t2;
                        }
                        double var = (aux + cAux) / count;
                        r = name.startsWith("stddev") ? Math.sqrt(var) : var;
                    }
                    case "quantile_over_time" -> {
                        if (scratch.length < n) scratch = new double[n * 2];
                        System.arraycopy(vs, lo, scratch, 0, n);
                        r = Functions.quantile(params[0][i], scratch, n);
                    }
                    case "mad_over_time" -> {
                        boolean nan = false;
                        for (int j = lo; j < hi; j++) nan |= Double.isNaN(vs[j]);
                        if (nan) {
                            row.set(i, Double.NaN);
                            continue;
                        }
                        if (scratch.length < n) scratch = new double[n * 2];
                        System.arraycopy(vs, lo, scratch, 0, n);
                        double median = Functions.quantile(0.5, scratch, n);
                        for (int j = 0; j < n; j++) scratch[j] = Math.abs(vs[lo + j] - median);
                        r = Functions.quantile(0.5, scratch, n);
                    }
                    case "double_exponential_smoothing" -> {
                        if (n < 2) continue;
                        r = smoothing(vs, lo, hi, params[1][i], params[2][i]);
                    }
                    default -> throw QueryException.execution("function " + name + "() is not supported by this engine");
                }
                row.set(i, r);
            }
            int cnt = row.count();
            if (cnt == 0) return 0;
            if (counterCheck) {
                String metric = rs.labels.metricName();
                if (!metric.equals(checkedMetric)) { // series of one selector mostly share their name
                    checkedMetric = metric;
                    if (!metric.isEmpty() && !(metric.endsWith("_total") || metric.endsWith("_sum")
                            || metric.endsWith("_count") || metric.endsWith("_bucket"))) {
                        ev.info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \""
                                + metric + "\"", args.get(matrixIdx).position());
                    }
                }
            }
            if (!keepName) {
                if (distinctAfterDrop) distinctAfterDrop = sameDroppedLabels(rs.labels, droppedOfFirst);
                ev.dropName(row);
            }
            out.rows.add(row);
            return cnt;
        }

        Grid finish() {
            // series straight from storage have distinct label sets, and stay distinct when all lose the same name
            return keepName || distinctAfterDrop ? out : ev.finishDrop(out);
        }
    }

    /** The labels name dropping removes; rows that agree on all of them stay distinct once they are dropped. */
    private static final String[] DROPPED = {Labels.METRIC_NAME, "__type__", "__unit__"};

    /** Whether {@code l} has the same dropped labels as {@code first} (filled from the first series when empty). */
    private static boolean sameDroppedLabels(Labels l, String[] first) {
        if (first[0] == null) {
            for (int i = 0; i < DROPPED.length; i++) first[i] = l.get(DROPPED[i]);
            return true;
        }
        for (int i = 0; i < DROPPED.length; i++) if (!l.get(DROPPED[i]).equals(first[i])) return false;
        return true;
    }

    private static final java.util.Set<String> ANCHORED_SAFE = java.util.Set.of("changes", "delta", "increase",
            "rate", "resets");
    private static final java.util.Set<String> SMOOTHED_SAFE = java.util.Set.of("delta", "increase", "rate");

    /** "No result" from {@link #extended}, told from a NaN result by its payload (compared as raw bits). */
    private static final long NO_RESULT_BITS = 0x7ff8dead0000beefL;
    private static final double NO_RESULT = Double.longBitsToDouble(NO_RESULT_BITS);

    /**
     * rate/increase/delta/changes/resets over an anchored or smoothed window: the slice also holds samples up to a
     * lookback before the window (and after it, when smoothed); the boundary values are the sample at or before the
     * start (anchored) or interpolations at the edges (smoothed), and nothing is extrapolated. NaN means no result.
     */
    static double extended(String name, long[] ts, double[] vs, int lo, int hi, long rangeStart, long rangeEnd,
            long rangeMs, boolean smoothed) {
        int last = hi - 1;
        if (name.equals("changes") || name.equals("resets")) {
            if (ts[last] <= rangeStart) return NO_RESULT;
            int first = Math.max(lo, searchAfter(ts, lo, last, rangeStart) - 1);
            int k = 0;
            boolean changes = name.equals("changes");
            for (int j = first + 1; j < hi && ts[j] <= rangeEnd; j++) {
                double a = vs[j - 1], b = vs[j];
                if (changes ? (a != b && !(Double.isNaN(a) && Double.isNaN(b))) : b < a) k++;
            }
            return k;
        }
        boolean counter = !name.equals("delta");
        int first = Math.max(lo, searchAfter(ts, lo, last, rangeStart) - 1);
        if (smoothed) {
            int k = lo;
            while (k < last && ts[k] < rangeEnd) k++;
            last = k;
        } else {
            while (last > lo && ts[last] > rangeEnd) last--;
        }
        if (ts[last] <= rangeStart) return NO_RESULT;
        if (smoothed && ts[first] > rangeEnd) return NO_RESULT;
        double left = smoothed && ts[first] < rangeStart && first + 1 < hi
                ? interpolate(ts[first], vs[first], ts[first + 1], vs[first + 1], rangeStart, counter) : vs[first];
        double right = smoothed && last > lo && ts[last] > rangeEnd
                ? interpolate(ts[last - 1], vs[last - 1], ts[last], vs[last], rangeEnd, counter) : vs[last];
        double result = right - left;
        if (counter) {
            int a = first, b = last;
            if (ts[a] <= rangeStart) a++;
            if (ts[b] >= rangeEnd) b--;
            double correction = 0, prev = left;
            for (int j = a; j <= b; j++) {
                if (vs[j] < prev) correction += prev;
                prev = vs[j];
            }
            if (right < prev) correction += prev;
            result += correction;
        }
        if (name.equals("rate")) result /= rangeMs / 1000.0;
        return Double.doubleToRawLongBits(result) == NO_RESULT_BITS ? Double.NaN : result;
    }

    private static int searchAfter(long[] ts, int from, int to, long t) {
        int k = from;
        while (k < to && ts[k] <= t) k++;
        return k;
    }

    private static double interpolate(long t1, double y1, long t2, double y2, long t, boolean counter) {
        if (counter && y2 < y1) y1 = 0;
        return y1 + (y2 - y1) * (t - t1) / (double) (t2 - t1);
    }

    /** Whether some sample of {@code rs} is below its predecessor (a counter reset somewhere). */
    private static boolean decreases(RawSeries rs) {
        double[] vs = rs.vs;
        for (int j = 1; j < rs.n; j++) if (vs[j] < vs[j - 1]) return true;
        return false;
    }

    /** Prometheus's rate/increase/delta: the change over the window, extrapolated towards its edges. */
    static double extrapolatedRate(long[] ts, double[] vs, int lo, int hi, long rangeStart, long rangeEnd, long rangeMs,
            boolean counter, boolean rate) {
        return extrapolatedRate(ts, vs, lo, hi, rangeStart, rangeEnd, rangeMs, counter, true, rate);
    }

    /** As above; {@code mayReset} false promises that no sample in the window is below its predecessor. */
    static double extrapolatedRate(long[] ts, double[] vs, int lo, int hi, long rangeStart, long rangeEnd, long rangeMs,
            boolean counter, boolean mayReset, boolean rate) {
        double result = vs[hi - 1] - vs[lo];
        if (counter && mayReset) {
            for (int j = lo + 1; j < hi; j++) if (vs[j] < vs[j - 1]) result += vs[j - 1];
        }
        long firstT = ts[lo], lastT = ts[hi - 1];
        double durationToStart = (firstT - rangeStart) / 1000.0;
        double durationToEnd = (rangeEnd - lastT) / 1000.0;
        double sampledInterval = (lastT - firstT) / 1000.0;
        double avgBetween = sampledInterval / (hi - lo - 1);
        double threshold = avgBetween * 1.1;
        if (durationToStart >= threshold) durationToStart = avgBetween / 2;
        if (counter && result > 0 && vs[lo] >= 0) {
            double durationToZero = sampledInterval * (vs[lo] / result);
            if (durationToZero < durationToStart) durationToStart = durationToZero;
        }
        if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
        double factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
        if (rate) factor /= rangeMs / 1000.0;
        return result * factor;
    }

    /** Least squares over the window with compensated sums; returns {slope, intercept at interceptT}. */
    static double[] linearRegression(long[] ts, double[] vs, int lo, int hi, long interceptT) {
        double n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
        double initY = vs[lo];
        boolean constY = true;
        for (int j = lo; j < hi; j++) {
            double y = vs[j];
            if (constY && j > lo && y != initY) constY = false;
            n++;
            double x = (ts[j] - interceptT) / 1e3;
            double t = sumX + x;
            cX = Functions.kahanC(sumX, x, t, cX);
            sumX = t;
            t = sumY + y;
            cY = Functions.kahanC(sumY, y, t, cY);
            sumY = t;
            double xy = x * y;
            t = sumXY + xy;
            cXY = Functions.kahanC(sumXY, xy, t, cXY);
            sumXY = t;
            double x2 = x * x;
            t = sumX2 + x2;
            cX2 = Functions.kahanC(sumX2, x2, t, cX2);
            sumX2 = t;
        }
        if (constY) {
            if (Double.isInfinite(initY)) return new double[] {Double.NaN, Double.NaN};
            return new double[] {0, initY};
        }
        sumX += cX;
        sumY += cY;
        sumXY += cXY;
        sumX2 += cX2;
        double covXY = sumXY - sumX * sumY / n;
        double varX = sumX2 - sumX * sumX / n;
        double slope = covXY / varX;
        return new double[] {slope, sumY / n - slope * sumX / n};
    }

    static double smoothing(double[] vs, int lo, int hi, double sf, double tf) {
        double s0 = 0, s1 = vs[lo], b = vs[lo + 1] - vs[lo];
        for (int i = lo + 1; i < hi; i++) {
            double x = sf * vs[i];
            if (i - 1 > lo) b = tf * (s1 - s0) + (1 - tf) * b;
            double y = (1 - sf) * (s1 + b);
            s0 = s1;
            s1 = x + y;
        }
        return s1;
    }


}
