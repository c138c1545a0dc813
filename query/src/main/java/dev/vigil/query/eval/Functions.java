package dev.vigil.query.eval;

import java.math.BigDecimal;
import java.util.Arrays;

/** Numeric helpers shared by functions and aggregations, matching Prometheus's float behaviour. */
final class Functions {
    private Functions() {
    }

    /** Neumaier's compensation term after {@code t = sum + inc}; reset when the sum overflows. */
    static double kahanC(double sum, double inc, double t, double c) {
        if (Double.isInfinite(t)) return 0;
        if (Math.abs(sum) >= Math.abs(inc)) return c + ((sum - t) + inc);
        return c + ((inc - t) + sum);
    }

    static double kahanSum(double[] v, int from, int to) {
        double sum = 0, c = 0;
        for (int i = from; i < to; i++) {
            double t = sum + v[i];
            c = kahanC(sum, v[i], t, c);
            sum = t;
        }
        return Double.isInfinite(sum) ? sum : sum + c;
    }

    /**
     * The mean as Prometheus computes it: a compensated direct sum while it does not overflow, then an incremental
     * mean (direct means are usually more accurate, incremental ones survive huge values).
     */
    static double avg(double[] v, int from, int to) {
        double sum = v[from], count = 1, mean = 0, c = 0;
        boolean incremental = false;
        for (int i = from + 1; i < to; i++) {
            count = i - from + 1;
            double f = v[i];
            if (!incremental) {
                double t = sum + f;
                double nc = kahanC(sum, f, t, c);
                if (!Double.isInfinite(t)) {
                    sum = t;
                    c = nc;
                    continue;
                }
                incremental = true;
                mean = sum / (count - 1);
                c /= (count - 1);
            }
            double q = (count - 1) / count;
            double base = q * mean, inc = f / count;
            double t = base + inc;
            c = kahanC(base, inc, t, q * c);
            mean = t;
        }
        if (incremental) return mean + c;
        return sum / count + c / count;
    }

    /** Prometheus's quantile over values (sorted here, NaN first), with linear interpolation. */
    static double quantile(double q, double[] v, int n) {
        if (n == 0 || Double.isNaN(q)) return Double.NaN;
        if (q < 0) return Double.NEGATIVE_INFINITY;
        if (q > 1) return Double.POSITIVE_INFINITY;
        sortNaNFirst(v, n);
        double rank = q * (n - 1);
        double lower = Math.max(0, Math.floor(rank));
        double upper = Math.min(n - 1, lower + 1);
        double weight = rank - Math.floor(rank);
        return v[(int) lower] * (1 - weight) + v[(int) upper] * weight;
    }

    static void sortNaNFirst(double[] v, int n) {
        Arrays.sort(v, 0, n); // Java sorts NaN last
        int nans = 0;
        while (nans < n && Double.isNaN(v[n - 1 - nans])) nans++;
        if (nans == 0) return;
        System.arraycopy(v, 0, v, nans, n - nans);
        Arrays.fill(v, 0, nans, Double.NaN);
    }

    /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest round-trip digits, never an exponent. */
    static String formatValue(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        if (v == 0) return (Double.doubleToRawLongBits(v) < 0) ? "-0" : "0";
        String s = new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
        return s;
    }

    /** Go's {@code %g} for messages: shortest digits, exponent only for very large or small magnitudes. */
    static String goFloat(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-4 || a >= 1e21)) {
            String s = Double.toString(v).replace("E", "e+").replace("e+-", "e-");
            return s.replace(".0e", "e");
        }
        return formatValue(v);
    }

    /** Go's math.Asinh, math.Acosh, math.Atanh (Java has none). */
    static double asinh(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) return x;
        double a = Math.abs(x);
        double r = a > 1e8 ? Math.log(a) + Math.log(2) : Math.log1p(a + a * a / (1 + Math.sqrt(1 + a * a)));
        return x < 0 ? -r : r;
    }

    static double acosh(double x) {
        if (x < 1 || Double.isNaN(x)) return Double.NaN;
        if (x == 1) return 0;
        if (x >= 1e8) return Math.log(x) + Math.log(2);
        if (x > 2) return Math.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
        double t = x - 1;
        return Math.log1p(t + Math.sqrt(2 * t + t * t));
    }

    static double atanh(double x) {
        if (x < -1 || x > 1 || Double.isNaN(x)) return Double.NaN;
        if (x == 1) return Double.POSITIVE_INFINITY;
        if (x == -1) return Double.NEGATIVE_INFINITY;
        double a = Math.abs(x);
        double r = a < 0.5 ? 0.5 * Math.log1p(2 * a + 2 * a * a / (1 - a)) : 0.5 * Math.log1p((a + a) / (1 - a));
        return x < 0 ? -r : r;
    }
}
