package dev.vigil.ingest.parse;

import ch.randelshofer.fastdoubleparser.JavaDoubleParser;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Float syntax of the exposition formats: what Go's {@code strconv.ParseFloat} accepts, minus hex
 * floats and underscores (as Prometheus's {@code parseFloat} rejects {@code p}, {@code P} and
 * {@code _}). That is an optional sign, decimal digits with an optional point and exponent, or
 * {@code Inf}/{@code Infinity} (signed) and {@code NaN}, case-insensitively.
 *
 * <p>Parsing reads bytes without allocating for values of up to 18 significant digits and a decimal
 * exponent within ±22 (Clinger's fast path, exact); anything else (17-digit values are common)
 * goes to fastdoubleparser's byte parser, also correctly rounded and without allocating.
 */
final class GoFloat {
    private static final double[] POW10 = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22
    };

    private GoFloat() {}

    /** Whether {@code b[s, e)} is a valid float. */
    static boolean isValid(byte[] b, int s, int e) {
        if (s >= e) return false;
        int i = s;
        boolean signed = b[i] == '+' || b[i] == '-';
        if (signed) i++;
        if (i >= e) return false;
        int c = b[i] | 0x20;
        if (c == 'i') {
            int n = e - i;
            return (n == 3 && equalsIgnoreCase(b, i, "inf")) || (n == 8 && equalsIgnoreCase(b, i, "infinity"));
        }
        if (c == 'n') return !signed && e - i == 3 && equalsIgnoreCase(b, i, "nan");
        int digits = 0;
        while (i < e && isDigit(b[i])) {
            i++;
            digits++;
        }
        if (i < e && b[i] == '.') {
            i++;
            while (i < e && isDigit(b[i])) {
                i++;
                digits++;
            }
        }
        if (digits == 0) return false;
        if (i < e && (b[i] | 0x20) == 'e') {
            i++;
            if (i < e && (b[i] == '+' || b[i] == '-')) i++;
            int expDigits = 0;
            while (i < e && isDigit(b[i])) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) return false;
        }
        return i == e;
    }

    /** Parses {@code b[s, e)}, which must be {@link #isValid valid}. */
    static double parseValid(byte[] b, int s, int e) {
        int i = s;
        boolean neg = false;
        if (b[i] == '+' || b[i] == '-') {
            neg = b[i] == '-';
            i++;
        }
        int c = b[i] | 0x20;
        if (c == 'i') return neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        if (c == 'n') return Double.NaN;
        long mant = 0;
        int sig = 0; // significant digits accumulated (after leading zeros)
        int exp10 = 0;
        boolean exact = true;
        for (; i < e && isDigit(b[i]); i++) {
            if (sig < 18) {
                mant = mant * 10 + (b[i] - '0');
                if (mant != 0) sig++;
            } else {
                exact = false;
                exp10++;
            }
        }
        if (i < e && b[i] == '.') {
            for (i++; i < e && isDigit(b[i]); i++) {
                if (sig < 18) {
                    mant = mant * 10 + (b[i] - '0');
                    if (mant != 0) sig++;
                    exp10--;
                } else {
                    exact = false;
                }
            }
        }
        if (i < e) { // exponent
            i++;
            boolean eneg = false;
            if (b[i] == '+' || b[i] == '-') {
                eneg = b[i] == '-';
                i++;
            }
            int x = 0;
            for (; i < e; i++) {
                if (x < 100_000) x = x * 10 + (b[i] - '0');
            }
            exp10 += eneg ? -x : x;
        }
        double v;
        if (mant == 0) {
            v = 0.0;
        } else if (exact && mant <= (1L << 53) && exp10 >= -22 && exp10 <= 22) {
            v = exp10 >= 0 ? mant * POW10[exp10] : mant / POW10[-exp10];
        } else {
            // Correctly rounded from the bytes, without a String (Eisel-Lemire); the syntax is
            // valid Go and Java alike here.
            return JavaDoubleParser.parseDouble(b, s, e - s);
        }
        return neg ? -v : v;
    }

    /** Parses a String with the same syntax; null when invalid. Not for hot paths. */
    static Double parse(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return isValid(b, 0, b.length) ? parseValid(b, 0, b.length) : null;
    }

    /**
     * Prometheus's {@code formatOpenMetricsFloat}: Go's {@code strconv.FormatFloat(f, 'g', -1, 64)}
     * with {@code .0} appended to integral values, and {@code +Inf}, {@code -Inf}, {@code NaN}.
     */
    static String formatOpenMetrics(double f) {
        if (Double.isNaN(f)) return "NaN";
        if (f == Double.POSITIVE_INFINITY) return "+Inf";
        if (f == Double.NEGATIVE_INFINITY) return "-Inf";
        if (f == 0) return (1 / f < 0) ? "-0.0" : "0.0";
        String g = formatG(f);
        return g.indexOf('e') >= 0 || g.indexOf('.') >= 0 ? g : g + ".0";
    }

    /** Go's shortest {@code %g}: exponent form when the decimal exponent is below -4 or at least 6. */
    static String formatG(double f) {
        return formatG(f, false);
    }

    /** {@link #formatG(double)}; {@code byRounding} takes the slow path for every value (for tests). */
    static String formatG(double f, boolean byRounding) {
        double abs = Math.abs(f);
        String digits;
        int dp; // decimal point position relative to digits[0]
        if (abs >= Double.MIN_NORMAL && !byRounding) {
            // Double.toString (JDK 19+) gives the shortest decimal that reads back as f and, among
            // those, the closest: Go's digits. It can differ only where a one-digit decimal reads
            // back too but a two-digit one is closer, which needs a gap between neighbouring
            // doubles wider than a tenth of the value: subnormals only.
            String jdk = Double.toString(abs);
            int e = jdk.indexOf('E');
            int exp = e < 0 ? 0 : Integer.parseInt(jdk, e + 1, jdk.length(), 10);
            String mantissa = e < 0 ? jdk : jdk.substring(0, e);
            int point = mantissa.indexOf('.');
            String all = mantissa.substring(0, point) + mantissa.substring(point + 1);
            int first = 0;
            while (first < all.length() - 1 && all.charAt(first) == '0') first++;
            int last = all.length();
            while (last > first + 1 && all.charAt(last - 1) == '0') last--;
            digits = all.substring(first, last);
            dp = point - first + exp;
        } else {
            BigDecimal shortest = shortestByRounding(abs);
            digits = shortest.unscaledValue().toString();
            dp = digits.length() - shortest.scale();
        }
        StringBuilder sb = new StringBuilder(24);
        if (f < 0) sb.append('-');
        int x = dp - 1;
        // strconv's formatDigits uses precision 6 for the %e/%f decision when formatting the
        // shortest representation, hence le="1e+06" for a 1,000,000 bucket.
        int eprec = 6;
        if (x < -4 || x >= eprec) {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) sb.append('.').append(digits, 1, digits.length());
            sb.append('e').append(x < 0 ? '-' : '+');
            int ax = Math.abs(x);
            if (ax < 10) sb.append('0');
            sb.append(ax);
        } else if (dp <= 0) {
            sb.append("0.");
            for (int i = dp; i < 0; i++) sb.append('0');
            sb.append(digits);
        } else if (dp >= digits.length()) {
            sb.append(digits);
            for (int i = digits.length(); i < dp; i++) sb.append('0');
        } else {
            sb.append(digits, 0, dp).append('.').append(digits, dp, digits.length());
        }
        return sb.toString();
    }

    /**
     * The shortest decimal that reads back as {@code abs} and, among those, the closest to it,
     * found by rounding the exact value to 1, 2, ... 17 digits: what Go's shortest formatting
     * produces, also for subnormals (Double.toString prints 4.9E-324 where Go prints 5e-324).
     */
    static BigDecimal shortestByRounding(double abs) {
        BigDecimal exact = new BigDecimal(abs);
        BigDecimal shortest = exact;
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (r.doubleValue() == abs) {
                shortest = r;
                break;
            }
        }
        return shortest.stripTrailingZeros();
    }

    private static boolean equalsIgnoreCase(byte[] b, int i, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            if ((b[i + k] | 0x20) != lower.charAt(k)) return false;
        }
        return true;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }
}
