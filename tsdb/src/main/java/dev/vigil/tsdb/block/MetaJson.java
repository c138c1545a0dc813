package dev.vigil.tsdb.block;

import dev.vigil.tsdb.CorruptionException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict little JSON parser for {@code meta.json}: objects become {@link Map}s, arrays
 * {@link List}s, integers {@link Long}, other numbers {@link Double}, plus strings, booleans and
 * null. Every syntax error is a {@link CorruptionException} with the byte offset, so a torn or
 * hand-edited meta file quarantines its block instead of crashing the DB. Hand-written because
 * the file is tiny and the tsdb module has no JSON library.
 */
final class MetaJson {
    private static final int MAX_DEPTH = 32;

    private final String s;
    private final Path file;
    private int pos;

    private MetaJson(String s, Path file) {
        this.s = s;
        this.file = file;
    }

    static Object parse(String text, Path file) {
        MetaJson p = new MetaJson(text, file);
        p.ws();
        Object v = p.value(0);
        p.ws();
        if (p.pos != text.length()) throw p.error("trailing data after json value");
        return v;
    }

    private CorruptionException error(String what) {
        return CorruptionException.at(file, pos, what);
    }

    private void ws() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
            pos++;
        }
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) throw error("json nested too deeply");
        if (pos >= s.length()) throw error("unexpected end of json");
        char c = s.charAt(pos);
        return switch (c) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character in json [char=" + c + "]");
            }
        };
    }

    private Object literal(String word, Object v) {
        if (!s.startsWith(word, pos)) throw error("malformed json literal");
        pos += word.length();
        return v;
    }

    private Map<String, Object> object(int depth) {
        Map<String, Object> m = new LinkedHashMap<>();
        pos++; // {
        ws();
        if (peek() == '}') {
            pos++;
            return m;
        }
        while (true) {
            ws();
            if (peek() != '"') throw error("expected json object key");
            String key = string();
            ws();
            if (peek() != ':') throw error("expected ':' in json object");
            pos++;
            ws();
            m.put(key, value(depth + 1)); // a duplicate key keeps the last value, as Go's decoder does
            ws();
            char c = peek();
            pos++;
            if (c == '}') return m;
            if (c != ',') {
                pos--;
                throw error("expected ',' or '}' in json object");
            }
        }
    }

    private List<Object> array(int depth) {
        List<Object> l = new ArrayList<>();
        pos++; // [
        ws();
        if (peek() == ']') {
            pos++;
            return l;
        }
        while (true) {
            ws();
            l.add(value(depth + 1));
            ws();
            char c = peek();
            pos++;
            if (c == ']') return l;
            if (c != ',') {
                pos--;
                throw error("expected ',' or ']' in json array");
            }
        }
    }

    private char peek() {
        if (pos >= s.length()) throw error("unexpected end of json");
        return s.charAt(pos);
    }

    private String string() {
        pos++; // opening quote
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = peek();
            pos++;
            if (c == '"') return sb.toString();
            if (c < 0x20) {
                pos--;
                throw error("control character in json string");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = peek();
            pos++;
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("truncated json unicode escape");
                    int cp = 0;
                    for (int i = 0; i < 4; i++) {
                        int d = Character.digit(s.charAt(pos + i), 16);
                        if (d < 0) throw error("malformed json unicode escape");
                        cp = (cp << 4) | d;
                    }
                    pos += 4;
                    sb.append((char) cp);
                }
                default -> {
                    pos--;
                    throw error("malformed json escape");
                }
            }
        }
    }

    private Object number() {
        int start = pos;
        if (peekOr() == '-') pos++;
        int digits = pos;
        while (Character.isDigit(peekOr())) pos++;
        if (pos == digits) throw error("malformed json number");
        boolean integral = true;
        if (peekOr() == '.') {
            integral = false;
            pos++;
            int frac = pos;
            while (Character.isDigit(peekOr())) pos++;
            if (pos == frac) throw error("malformed json number");
        }
        if (peekOr() == 'e' || peekOr() == 'E') {
            integral = false;
            pos++;
            if (peekOr() == '+' || peekOr() == '-') pos++;
            int exp = pos;
            while (Character.isDigit(peekOr())) pos++;
            if (pos == exp) throw error("malformed json number");
        }
        String text = s.substring(start, pos);
        try {
            return integral ? (Object) Long.parseLong(text) : (Object) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            pos = start;
            throw error("json number out of range [number=" + text + "]");
        }
    }

    private char peekOr() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }
}
