package dev.vigil.server.web;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader and writer for dashboard models: objects become insertion-ordered {@code
 * Map<String, Object>}, arrays {@code List<Object>}, numbers {@link BigDecimal} (so a model read and
 * written back keeps every number's digits), plus {@code String}, {@code Boolean} and {@code null}.
 *
 * <p>Dashboards are small, rare and typed in by people, so this favours messages that say where the
 * text is wrong (line and column) over speed; Vigil has no other JSON reader that could.
 */
public final class DashboardJson {
    /** Deeper than any real dashboard; stops a hostile upload from overflowing the stack. */
    private static final int MAX_DEPTH = 256;

    /** Malformed JSON: what was expected, and where (1-based line and column). */
    public static final class SyntaxException extends RuntimeException {
        private final int line;
        private final int column;

        SyntaxException(String message, int line, int column) {
            super("invalid JSON at line " + line + ", column " + column + ": " + message, null, false, false);
            this.line = line;
            this.column = column;
        }

        public int line() {
            return line;
        }

        public int column() {
            return column;
        }
    }

    private final String text;
    private int pos;

    private DashboardJson(String text) {
        this.text = text;
    }

    /**
     * Reads one JSON value that must fill the whole text (whitespace around it aside).
     *
     * @throws SyntaxException naming the line and column of the first problem
     */
    public static Object parse(String text) {
        DashboardJson p = new DashboardJson(text);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') p.pos = 1; // editors on Windows save a BOM
        p.skipSpace();
        if (p.pos >= text.length()) throw p.error("the text is empty, expected a JSON object");
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos < text.length()) throw p.error("unexpected " + p.describe() + " after the end of the JSON value");
        return v;
    }

    /** The value as JSON, indented by two spaces when {@code pretty}. */
    public static String write(Object value, boolean pretty) {
        StringBuilder sb = new StringBuilder(1024);
        write(sb, value, pretty ? 0 : -1);
        return sb.toString();
    }

    /** "an object", "a string", ...: how messages name the JSON type of a parsed value. */
    public static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof Map) return "an object";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        return "a number";
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("nested more than " + MAX_DEPTH + " levels deep");
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected " + describe() + ", expected a value (object, array, string, number, true, false or null)");
            }
        };
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            if (peek() != '"') {
                throw error("unexpected " + describe() + ", expected a member name in double quotes"
                        + (peek() == '}' ? " (JSON allows no comma before '}')" : ""));
            }
            String name = string();
            skipSpace();
            if (peek() != ':') throw error("unexpected " + describe() + ", expected ':' after the member name \"" + name + "\"");
            pos++;
            skipSpace();
            if (pos >= text.length()) throw error("the text ends where the value of \"" + name + "\" should be");
            m.put(name, value(depth + 1));
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
                skipSpace();
            } else if (c == '}') {
                pos++;
                return m;
            } else {
                throw error("unexpected " + describe() + ", expected ',' or '}' after the value of \"" + name + "\"");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            if (pos >= text.length()) throw error("the text ends inside an array, expected a value or ']'");
            if (peek() == ']') throw error("unexpected ']', expected a value (JSON allows no comma before ']')");
            list.add(value(depth + 1));
            skipSpace();
            char c = peek();
            if (c == ',') {
                pos++;
                skipSpace();
            } else if (c == ']') {
                pos++;
                return list;
            } else {
                throw error("unexpected " + describe() + ", expected ',' or ']' after array element " + (list.size() - 1));
            }
        }
    }

    private String string() {
        int start = pos++;
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw error("the string starting here is never closed");
            }
            char c = text.charAt(pos);
            if (c == '"') {
                String s = sb == null ? text.substring(runStart, pos) : sb.append(text, runStart, pos).toString();
                pos++;
                return s;
            }
            if (c < 0x20) throw error(c == '\n' ? "line break inside a string (write it as \\n)" : "control character inside a string");
            if (c != '\\') {
                pos++;
                continue;
            }
            if (sb == null) sb = new StringBuilder();
            sb.append(text, runStart, pos);
            pos++;
            char e = pos < text.length() ? text.charAt(pos) : 0;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 5 > text.length()) throw error("incomplete \\u escape");
                    int code = 0;
                    for (int i = 1; i <= 4; i++) {
                        int d = Character.digit(text.charAt(pos + i), 16);
                        if (d < 0) throw error("\\u must be followed by four hex digits");
                        code = code * 16 + d;
                    }
                    sb.append((char) code);
                    pos += 4;
                }
                default -> throw error("unknown escape \\" + (e == 0 ? "" : e) + " in a string");
            }
            pos++;
            runStart = pos;
        }
    }

    private BigDecimal number() {
        int start = pos;
        if (peek() == '-') pos++;
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            while (isDigit(peek())) pos++;
        } else {
            throw error("expected a digit after '-'");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) throw error("expected a digit after the decimal point");
            while (isDigit(peek())) pos++;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') pos++;
            if (!isDigit(peek())) throw error("expected a digit in the exponent");
            while (isDigit(peek())) pos++;
        }
        if (isDigit(peek())) throw error("numbers must not have leading zeros");
        return new BigDecimal(text.substring(start, pos));
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, pos)) throw error("unexpected " + describe() + ", expected a value (strings need double quotes)");
        pos += word.length();
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : 0;
    }

    private void skipSpace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
            pos++;
        }
    }

    /** The text at the current position as a message shows it. */
    private String describe() {
        if (pos >= text.length()) return "end of text";
        int end = pos;
        while (end < text.length() && end - pos < 12 && Character.isLetterOrDigit(text.charAt(end))) end++;
        return end > pos + 1 ? "'" + text.substring(pos, end) + "'" : "'" + text.charAt(pos) + "'";
    }

    private SyntaxException error(String message) {
        int line = 1;
        int lineStart = 0;
        int at = Math.min(pos, text.length());
        for (int i = 0; i < at; i++) {
            if (text.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        return new SyntaxException(message, line, at - lineStart + 1);
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        switch (v) {
            case null -> sb.append("null");
            case String s -> quote(sb, s);
            case Boolean b -> sb.append(b);
            case BigDecimal d -> sb.append(d);
            case Number n -> sb.append(n);
            case Map<?, ?> m -> {
                if (m.isEmpty()) {
                    sb.append("{}");
                    return;
                }
                sb.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) sb.append(',');
                    first = false;
                    newline(sb, indent < 0 ? -1 : indent + 1);
                    quote(sb, String.valueOf(e.getKey()));
                    sb.append(indent >= 0 ? ": " : ":");
                    write(sb, e.getValue(), indent < 0 ? -1 : indent + 1);
                }
                newline(sb, indent);
                sb.append('}');
            }
            case List<?> l -> {
                if (l.isEmpty()) {
                    sb.append("[]");
                    return;
                }
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) sb.append(',');
                    newline(sb, indent < 0 ? -1 : indent + 1);
                    write(sb, l.get(i), indent < 0 ? -1 : indent + 1);
                }
                newline(sb, indent);
                sb.append(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        }
    }

    private static void newline(StringBuilder sb, int indent) {
        if (indent < 0) return;
        sb.append('\n');
        sb.repeat(' ', indent * 2);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    // U+2028/2029 are legal in JSON but end a line in older JavaScript
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
