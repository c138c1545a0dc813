package dev.vigil.tsdb;

/** JSON string literals as Go's encoders write them without HTML escaping (block meta.json, log lines). */
public final class JsonStrings {
    private JsonStrings() {}

    /** Appends {@code s} as a JSON string literal, quotes included. */
    public static StringBuilder quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    // Go escapes the line and paragraph separators too: JavaScript reads them as line ends
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"');
    }
}
