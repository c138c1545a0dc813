package dev.vigil.server.api;

/**
 * A small streaming JSON writer into a StringBuilder: the API's answers are flat and regular, and
 * writing them directly avoids an object mapper and a tree per response. Commas are placed by
 * the writer ({@link #name} and the value methods track whether a separator is due).
 */
public final class Json {
    private final StringBuilder sb;
    private boolean needComma;

    public Json(StringBuilder sb) {
        this.sb = sb;
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

    static void appendTimestamp(StringBuilder sb, long ms) {
        long sec = Math.floorDiv(ms, 1000);
        int frac = (int) Math.floorMod(ms, 1000);
        if (frac == 0) {
            sb.append(sec);
            return;
        }
        if (sec < 0 && frac != 0) {
            // negative times: Go prints float seconds; keep sign handling simple and exact
            sb.append(java.math.BigDecimal.valueOf(ms, 3).stripTrailingZeros().toPlainString());
            return;
        }
        sb.append(sec).append('.');
        if (frac < 100) sb.append('0');
        if (frac < 10) sb.append('0');
        int f = frac;
        while (f % 10 == 0) f /= 10;
        sb.append(f);
    }

    /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)} as Prometheus's API formats sample values. */
    public static String formatValue(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (v == Double.POSITIVE_INFINITY) return "+Inf";
        if (v == Double.NEGATIVE_INFINITY) return "-Inf";
        if (v == 0) return 1 / v < 0 ? "-0" : "0";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        // Double.toString is the shortest repr that round-trips (JDK 19+); Go's 'f' has no exponent
        return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
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
