package dev.vigil.rules.template;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Go's {@code fmt} / {@code strconv} number formatting, because rule templates print numbers through it: an annotation
 * that Prometheus renders as {@code 1.234567e+06} or {@code 12.35k} must render the same here. Floats are rounded from
 * their exact binary value, half to even, as Go does ({@link BigDecimal} of the double, not of its shortest string).
 * Stateless.
 */
public final class GoFmt {
    private GoFmt() {}

    /** A decimal digit string without trailing zeros, and the position of the decimal point (Go's decimalSlice). */
    private record Digits(String d, int dp) {
        int nd() {
            return d.length();
        }
    }

    private static Digits shortest(double abs) {
        if (abs == 0) return new Digits("", 0);
        // Double.toString gives the shortest uniquely-identifying digits since JDK 19, like Go's Ryu shortest mode.
        return digits(new BigDecimal(Double.toString(abs)));
    }

    private static Digits digits(BigDecimal bd) {
        if (bd.signum() == 0) return new Digits("", 0);
        bd = bd.stripTrailingZeros();
        String u = bd.unscaledValue().toString();
        return new Digits(u, u.length() - bd.scale());
    }

    private static Digits roundSignificant(double abs, int n) {
        if (abs == 0) return new Digits("", 0);
        return digits(new BigDecimal(abs).round(new MathContext(n, RoundingMode.HALF_EVEN)));
    }

    /** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e, f, g; prec -1 means shortest. */
    public static String formatFloat(double v, char fmt, int prec) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        double abs = Math.abs(v);
        boolean shortest = prec < 0;
        Digits digs;
        if (shortest) {
            digs = shortest(abs);
            prec = switch (fmt) {
                case 'e' -> Math.max(digs.nd() - 1, 0);
                case 'f' -> Math.max(digs.nd() - digs.dp(), 0);
                default -> digs.nd();
            };
        } else {
            switch (fmt) {
                case 'e' -> digs = roundSignificant(abs, prec + 1);
                case 'f' -> digs = abs == 0 ? new Digits("", 0)
                        : digits(new BigDecimal(abs).setScale(prec, RoundingMode.HALF_EVEN));
                default -> {
                    if (prec == 0) prec = 1;
                    digs = roundSignificant(abs, prec);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        if (neg) out.append('-');
        switch (fmt) {
            case 'e' -> fmtE(out, digs, prec);
            case 'f' -> fmtF(out, digs, prec);
            default -> {
                int eprec = prec;
                if (eprec > digs.nd() && digs.nd() >= digs.dp()) eprec = digs.nd();
                if (shortest) eprec = 6;
                int exp = digs.dp() - 1;
                if (exp < -4 || exp >= eprec) {
                    if (prec > digs.nd()) prec = digs.nd();
                    fmtE(out, digs, prec - 1);
                } else {
                    if (prec > digs.dp()) prec = digs.nd();
                    fmtF(out, digs, Math.max(prec - digs.dp(), 0));
                }
            }
        }
        return out.toString();
    }

    private static void fmtE(StringBuilder out, Digits d, int prec) {
        out.append(d.nd() == 0 ? '0' : d.d().charAt(0));
        if (prec > 0) {
            out.append('.');
            int i = 1;
            int m = Math.min(d.nd(), prec + 1);
            if (i < m) {
                out.append(d.d(), i, m);
                i = m;
            }
            for (; i <= prec; i++) out.append('0');
        }
        out.append('e');
        int exp = d.nd() == 0 ? 0 : d.dp() - 1;
        out.append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) out.append('0');
        out.append(exp);
    }

    private static void fmtF(StringBuilder out, Digits d, int prec) {
        if (d.dp() > 0) {
            int m = Math.min(d.nd(), d.dp());
            out.append(d.d(), 0, m);
            for (; m < d.dp(); m++) out.append('0');
        } else {
            out.append('0');
        }
        if (prec > 0) {
            out.append('.');
            for (int i = 0; i < prec; i++) {
                int j = d.dp() + i;
                out.append(j >= 0 && j < d.nd() ? d.d().charAt(j) : '0');
            }
        }
    }

    /** The Go type name used in fmt's bad-verb messages ({@code %!d(float64=1.5)}). */
    static String typeName(Object o) {
        if (o == null) return "<nil>";
        if (o instanceof Double) return "float64";
        if (o instanceof Long) return "int";
        if (o instanceof String) return "string";
        if (o instanceof Boolean) return "bool";
        if (o instanceof Map<?, ?>) return "map[string]string";
        if (o instanceof List<?>) return "[]interface {}";
        if (o instanceof Template.Sample) return "*template.sample";
        return o.getClass().getSimpleName();
    }

    /** fmt's %v of a template value. */
    public static String value(Object o) {
        if (o == null) return "<nil>";
        if (o == Template.MISSING) return "<no value>";
        if (o instanceof Double d) return formatFloat(d, 'g', -1);
        if (o instanceof Map<?, ?> m) {
            StringBuilder b = new StringBuilder("map[");
            boolean first = true;
            for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                if (!first) b.append(' ');
                first = false;
                b.append(value(e.getKey())).append(':').append(value(e.getValue()));
            }
            return b.append(']').toString();
        }
        if (o instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) b.append(' ');
                b.append(value(l.get(i)));
            }
            return b.append(']').toString();
        }
        if (o instanceof Template.Sample s) return "{" + value(s.labels()) + " " + value(s.value()) + "}";
        return o.toString();
    }

    /** Go's fmt.Sprintf for the verbs templates use: v s d f e g q x t and %%, with flags, width and precision. */
    public static String sprintf(String format, List<Object> args) {
        StringBuilder out = new StringBuilder();
        int argi = 0;
        int n = format.length();
        for (int i = 0; i < n; i++) {
            char c = format.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            i++;
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            boolean minus = false, plus = false, zero = false, space = false, sharp = false;
            for (; i < n; i++) {
                char f = format.charAt(i);
                if (f == '-') minus = true;
                else if (f == '+') plus = true;
                else if (f == '0') zero = !minus;
                else if (f == ' ') space = true;
                else if (f == '#') sharp = true;
                else break;
            }
            int width = -1, prec = -1;
            int st = i;
            while (i < n && Character.isDigit(format.charAt(i))) i++;
            if (i > st) width = Integer.parseInt(format.substring(st, i));
            if (i < n && format.charAt(i) == '.') {
                i++;
                st = i;
                while (i < n && Character.isDigit(format.charAt(i))) i++;
                prec = i > st ? Integer.parseInt(format.substring(st, i)) : 0;
            }
            if (i >= n) {
                out.append("%!(NOVERB)");
                break;
            }
            char verb = format.charAt(i);
            if (verb == '%') {
                out.append('%');
                continue;
            }
            if (argi >= args.size()) {
                out.append("%!").append(verb).append("(MISSING)");
                continue;
            }
            Object a = args.get(argi++);
            String s = formatOne(verb, a, prec, plus, space, sharp);
            if (s == null) {
                out.append("%!").append(verb).append('(').append(typeName(a)).append('=').append(value(a)).append(')');
                continue;
            }
            if (width > s.length()) {
                String pad = (zero && !minus && (a instanceof Double || a instanceof Long) ? "0" : " ")
                        .repeat(width - s.length());
                if (minus) s = s + pad;
                else if (pad.startsWith("0") && (s.startsWith("-") || s.startsWith("+"))) {
                    s = s.charAt(0) + pad + s.substring(1);
                } else s = pad + s;
            }
            out.append(s);
        }
        if (argi < args.size()) {
            out.append("%!(EXTRA ");
            for (int k = argi; k < args.size(); k++) {
                if (k > argi) out.append(", ");
                out.append(typeName(args.get(k))).append('=').append(value(args.get(k)));
            }
            out.append(')');
        }
        return out.toString();
    }

    private static String sign(String s, boolean plus, boolean space) {
        if (s.startsWith("-") || s.startsWith("+")) return s;
        if (plus) return "+" + s;
        if (space) return " " + s;
        return s;
    }

    private static String formatOne(char verb, Object a, int prec, boolean plus, boolean space, boolean sharp) {
        switch (verb) {
            case 'v':
                if (a instanceof Double d) return sign(prec >= 0 ? formatFloat(d, 'g', prec) : value(a), plus, space);
                if (a instanceof Long l) return sign(Long.toString(l), plus, space);
                return value(a);
            case 's':
                if (a instanceof String s) return prec >= 0 && prec < s.length() ? s.substring(0, prec) : s;
                if (a == Template.MISSING || a instanceof Map || a instanceof List) return value(a);
                return null;
            case 'q':
                if (a instanceof String s) return quote(s);
                return null;
            case 'd':
                if (a instanceof Long l) return sign(Long.toString(l), plus, space);
                return null;
            case 'f':
            case 'F':
            case 'e':
            case 'E':
            case 'g':
            case 'G': {
                if (!(a instanceof Double d)) return null;
                char f = Character.toLowerCase(verb);
                int p = prec >= 0 ? prec : (f == 'g' ? -1 : 6);
                String s = formatFloat(d, f, p);
                if (Character.isUpperCase(verb)) s = s.toUpperCase();
                return sign(s, plus, space);
            }
            case 'x':
            case 'X': {
                String s;
                if (a instanceof Long l) s = Long.toHexString(l);
                else if (a instanceof String str) {
                    StringBuilder b = new StringBuilder();
                    for (byte by : str.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
                        b.append(String.format("%02x", by & 0xff));
                    }
                    s = b.toString();
                } else return null;
                if (sharp) s = "0x" + s;
                return verb == 'X' ? s.toUpperCase() : s;
            }
            case 't':
                if (a instanceof Boolean b) return b.toString();
                return null;
            default:
                return null;
        }
    }

    /** strconv.Quote for printable text: double quotes and backslash escapes. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
