package dev.vigil.server.api;

/**
 * A small streaming JSON writer into a StringBuilder: the API's answers are flat and regular, and
 * writing them directly avoids an object mapper and a tree per response. Commas are placed by
 * the writer ({@link #name} and the value methods track whether a separator is due).
 */
public final class Json {
    private static final int FLUSH_AT = 64 << 10;

    private final StringBuilder sb;
    private final java.io.OutputStream sink;
    private boolean needComma;

    public Json(StringBuilder sb) {
        this.sb = sb;
        this.sink = null;
    }

    /** A writer that streams to {@code sink} in chunks of about 64 KiB: no whole response in memory. */
    public Json(java.io.OutputStream sink) {
        this.sb = new StringBuilder(FLUSH_AT + 1024);
        this.sink = sink;
    }

    /** Writes what is buffered to the sink (streaming writers only). */
    public void flush() {
        if (sink == null || sb.isEmpty()) return;
        try {
            sink.write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            sb.setLength(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void maybeFlush() {
        if (sink != null && sb.length() >= FLUSH_AT) flush();
    }

    public Json() {
        this(new StringBuilder(256));
    }

    private void sep() {
        if (needComma) sb.append(',');
        needComma = false;
    }

    public Json beginObject() {
        sep();
        sb.append('{');
        return this;
    }

    public Json endObject() {
        sb.append('}');
        needComma = true;
        maybeFlush();
        return this;
    }

    public Json beginArray() {
        sep();
        sb.append('[');
        return this;
    }

    public Json endArray() {
        sb.append(']');
        needComma = true;
        maybeFlush();
        return this;
    }

    public Json name(String name) {
        sep();
        quote(sb, name);
        sb.append(':');
        return this;
    }

    public Json value(String s) {
        sep();
        if (s == null) sb.append("null");
        else quote(sb, s);
        needComma = true;
        return this;
    }

    public Json value(long v) {
        sep();
        sb.append(v);
        needComma = true;
        return this;
    }

    public Json value(boolean v) {
        sep();
        sb.append(v);
        needComma = true;
        return this;
    }

    /** A JSON number (finite doubles only). */
    public Json number(double v) {
        sep();
        if (v == Math.rint(v) && Math.abs(v) < 1e15) sb.append((long) v);
        else sb.append(v);
        needComma = true;
        return this;
    }

    /** Pre-rendered JSON. */
    public Json raw(String json) {
        sep();
        sb.append(json);
        needComma = true;
        return this;
    }

    public Json field(String name, String value) {
        return name(name).value(value);
    }

    public Json field(String name, long value) {
        return name(name).value(value);
    }

    public Json field(String name, boolean value) {
        return name(name).value(value);
    }

    /** Prometheus's sample timestamp: seconds with up to 3 decimals, as a JSON number. */
    public Json timestamp(long ms) {
        sep();
        appendTimestamp(sb, ms);
        needComma = true;
        return this;
    }

    /** Prometheus's sample value: a string, Go's shortest formatting ({@code "NaN"}, {@code "+Inf"}). */
    public Json sampleValue(double v) {
        sep();
        sb.append('"').append(formatValue(v)).append('"');
        needComma = true;
        return this;
    }

    public StringBuilder builder() {
        return sb;
    }

    @Override
    public String toString() {
        return sb.toString();
    }

    /** As Prometheus's {@code jsonutil.MarshalTimestamp}: seconds, then "." and 3 digits if the ms are not 0. */
    static void appendTimestamp(StringBuilder sb, long ms) {
        if (ms < 0) {
            sb.append('-');
            ms = -ms;
        }
        sb.append(ms / 1000);
        long frac = ms % 1000;
        if (frac != 0) {
            sb.append('.');
            if (frac < 100) sb.append('0');
            if (frac < 10) sb.append('0');
            sb.append(frac);
        }
    }

    /**
     * As Prometheus's {@code jsonutil.MarshalValue}: Go's {@code strconv.FormatFloat} with the
     * shortest digits, format 'f' for 1e-6 <= |v| < 1e21 and 'e' otherwise ({@code 1e-07}, {@code
     * 1.5e+21}); {@code NaN}, {@code +Inf}, {@code -Inf}.
     */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        if (v == 0) return 1 / v < 0 ? "-0" : "0";
        double abs = Math.abs(v);
        if (v == Math.rint(v) && abs < 1e15) return Long.toString((long) v);
        // Double.toString has the shortest round-tripping digits (JDK 19+): [-]d.ddd[E[-]n]
        String j = Double.toString(abs);
        int e = j.indexOf('E');
        String mant = e < 0 ? j : j.substring(0, e);
        int exp = e < 0 ? 0 : Integer.parseInt(j.substring(e + 1));
        int dot = mant.indexOf('.');
        StringBuilder digits = new StringBuilder(mant.length());
        digits.append(mant, 0, dot).append(mant, dot + 1, mant.length());
        int pointPos = dot + exp; // digits before the decimal point
        // strip leading zeros (0.00123 -> 123 with the point moved) and trailing zeros
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
            pointPos--;
        }
        String d = digits.substring(lead);
        int end = d.length();
        while (end > 1 && d.charAt(end - 1) == '0') end--;
        d = d.substring(0, end);
        StringBuilder out = new StringBuilder(24);
        if (v < 0) out.append('-');
        if (abs < 1e-6 || abs >= 1e21) {
            out.append(d.charAt(0));
            if (d.length() > 1) out.append('.').append(d, 1, d.length());
            int x = pointPos - 1;
            out.append('e').append(x < 0 ? '-' : '+');
            if (Math.abs(x) < 10) out.append('0');
            out.append(Math.abs(x));
        } else if (pointPos <= 0) {
            out.append("0.");
            for (int i = 0; i < -pointPos; i++) out.append('0');
            out.append(d);
        } else if (pointPos >= d.length()) {
            out.append(d);
            for (int i = d.length(); i < pointPos; i++) out.append('0');
        } else {
            out.append(d, 0, pointPos).append('.').append(d, pointPos, d.length());
        }
        return out.toString();
    }

    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '<' -> sb.append("\\u003c"); // as Go's encoder, safe inside HTML
                case '>' -> sb.append("\\u003e");
                case '&' -> sb.append("\\u0026");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
