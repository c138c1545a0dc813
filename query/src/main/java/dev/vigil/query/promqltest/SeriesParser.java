package dev.vigil.query.promqltest;

import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Series descriptions ({@code metric{labels} 1 2+3x4 _ stale}) and number lines of the test language. */
final class SeriesParser {
    private SeriesParser() {
    }

    private static final String NUM =
            "[+-]?(?:(?i:inf|nan)|(?:[0-9][0-9_]*(?:\\.[0-9_]*)?|\\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?)";
    private static final Pattern SINGLE = Pattern.compile("^(" + NUM + ")$");
    private static final Pattern REPEAT = Pattern.compile("^(" + NUM + ")(?:([+-])(" + NUM + "))?x([0-9]+)$");
    private static final Pattern BLANKS = Pattern.compile("^_x([0-9]+)$");

    static Object[] parse(String line, int lineNo) {
        int[] pos = {0};
        Labels labels = metric(line, pos, lineNo);
        List<Double> vals = new ArrayList<>();
        List<Boolean> present = new ArrayList<>(), hist = new ArrayList<>();
        String rest = line.substring(pos[0]);
        int i = 0;
        while (i < rest.length()) {
            char c = rest.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (rest.startsWith("{{", i)) {
                // a native histogram, possibly {{a}}+{{b}}xN or {{a}}xN
                int close = rest.indexOf("}}", i);
                if (close < 0) throw new TestScript.ScriptException(lineNo, "unterminated histogram");
                int k = close + 2;
                if (k < rest.length() && (rest.charAt(k) == '+' || rest.charAt(k) == '-') && rest.startsWith("{{", k + 1)) {
                    close = rest.indexOf("}}", k + 1);
                    k = close + 2;
                }
                int times = 1;
                if (k < rest.length() && rest.charAt(k) == 'x') {
                    int e = k + 1;
                    while (e < rest.length() && Character.isDigit(rest.charAt(e))) e++;
                    times = Integer.parseInt(rest.substring(k + 1, e)) + 1;
                    k = e;
                }
                for (int r = 0; r < times; r++) {
                    vals.add(0.0);
                    present.add(true);
                    hist.add(true);
                }
                i = k;
                continue;
            }
            int e = i;
            while (e < rest.length() && !Character.isWhitespace(rest.charAt(e))) e++;
            String tok = rest.substring(i, e);
            i = e;
            if (tok.equals("_")) {
                vals.add(0.0);
                present.add(false);
                hist.add(false);
                continue;
            }
            if (tok.equals("stale")) {
                vals.add(dev.vigil.tsdb.StaleMarker.STALE_NAN);
                present.add(true);
                hist.add(false);
                continue;
            }
            Matcher m = BLANKS.matcher(tok);
            if (m.matches()) {
                for (int r = 0; r < Integer.parseInt(m.group(1)); r++) {
                    vals.add(0.0);
                    present.add(false);
                    hist.add(false);
                }
                continue;
            }
            m = SINGLE.matcher(tok);
            if (m.matches()) {
                vals.add(number(m.group(1)));
                present.add(true);
                hist.add(false);
                continue;
            }
            m = REPEAT.matcher(tok);
            if (m.matches()) {
                double v = number(m.group(1));
                double d = m.group(2) == null ? 0 : number(m.group(3)) * (m.group(2).equals("-") ? -1 : 1);
                int n = Integer.parseInt(m.group(4));
                for (int r = 0; r <= n; r++) {
                    vals.add(v);
                    present.add(true);
                    hist.add(false);
                    v += d;
                }
                continue;
            }
            throw new TestScript.ScriptException(lineNo, "invalid value \"" + tok + "\"");
        }
        double[] v = new double[vals.size()];
        boolean[] p = new boolean[vals.size()], h = new boolean[vals.size()];
        for (int k = 0; k < v.length; k++) {
            v[k] = vals.get(k);
            p[k] = present.get(k);
            h[k] = hist.get(k);
        }
        return new Object[] {labels, new TestScript.SeriesValues(v, p, h)};
    }

    static double number(String s) {
        String t = s.replace("_", "").toLowerCase(Locale.ROOT);
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf")) return sign * Double.POSITIVE_INFINITY;
        if (body.equals("nan")) return Double.NaN;
        return Double.parseDouble(t);
    }

    private static Labels metric(String line, int[] pos, int lineNo) {
        Labels.Builder b = Labels.builder();
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
                || line.charAt(i) == ':')) i++;
        if (i > 0) b.set(Labels.METRIC_NAME, line.substring(0, i));
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (true) {
                while (i < line.length() && Character.isWhitespace(line.charAt(i))) i++;
                if (i >= line.length()) throw new TestScript.ScriptException(lineNo, "unterminated label set");
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                String name;
                boolean quoted = false;
                char c = line.charAt(i);
                if (c == '"' || c == '\'' || c == '`') {
                    int e = endOfString(line, i, lineNo);
                    name = unquote(line.substring(i, e), lineNo);
                    i = e;
                    quoted = true;
                } else {
                    int s = i;
                    while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
                            || line.charAt(i) == ':' || line.charAt(i) == '.')) i++;
                    name = line.substring(s, i);
                }
                while (i < line.length() && Character.isWhitespace(line.charAt(i))) i++;
                if (quoted && i < line.length() && (line.charAt(i) == ',' || line.charAt(i) == '}')) {
                    b.set(Labels.METRIC_NAME, name);
                } else {
                    if (i >= line.length() || line.charAt(i) != '=') {
                        throw new TestScript.ScriptException(lineNo, "expected = in label set");
                    }
                    i++;
                    while (i < line.length() && Character.isWhitespace(line.charAt(i))) i++;
                    int e = endOfString(line, i, lineNo);
                    b.set(name, unquote(line.substring(i, e), lineNo));
                    i = e;
                }
                while (i < line.length() && Character.isWhitespace(line.charAt(i))) i++;
                if (i < line.length() && line.charAt(i) == ',') i++;
            }
        }
        pos[0] = i;
        return b.build();
    }

    private static int endOfString(String s, int i, int lineNo) {
        char q = s.charAt(i);
        if (q != '"' && q != '\'' && q != '`') throw new TestScript.ScriptException(lineNo, "expected a string");
        int k = i + 1;
        while (k < s.length()) {
            char c = s.charAt(k);
            if (c == '\\' && q != '`') {
                k += 2;
                continue;
            }
            if (c == q) return k + 1;
            k++;
        }
        throw new TestScript.ScriptException(lineNo, "unterminated string");
    }

    /** Go-style unquoting of "..." / '...' (escapes) and `...` (raw). */
    static String unquote(String s, int lineNo) {
        if (s.length() < 2) throw new TestScript.ScriptException(lineNo, "invalid string " + s);
        char q = s.charAt(0);
        String body = s.substring(1, s.length() - 1);
        if (q == '`') return body;
        StringBuilder out = new StringBuilder();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != '\\') {
                flush(bytes, out);
                out.append(c);
                continue;
            }
            char e = body.charAt(++i);
            if (e != 'x' && !(e >= '0' && e <= '7')) flush(bytes, out);
            switch (e) {
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case '\\', '"', '\'' -> out.append(e);
                case 'x' -> {
                    bytes.write(Integer.parseInt(body.substring(i + 1, i + 3), 16));
                    i += 2;
                    continue;
                }
                case 'u' -> {
                    out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                case 'U' -> {
                    out.appendCodePoint(Integer.parseInt(body.substring(i + 1, i + 9), 16));
                    i += 8;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        bytes.write(Integer.parseInt(body.substring(i, i + 3), 8));
                        i += 2;
                        continue;
                    }
                    throw new TestScript.ScriptException(lineNo, "invalid escape \\" + e);
                }
            }
            flush(bytes, out);
        }
        flush(bytes, out);
        return out.toString();
    }

    private static void flush(java.io.ByteArrayOutputStream bytes, StringBuilder out) {
        if (bytes.size() == 0) return;
        // insert before anything appended after the bytes: callers flush before appending
        out.append(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
        bytes.reset();
    }

    /** A bare number line (Go integer with base prefix, or Go float), or null when the line is something else. */
    static Double scalarLine(String s) {
        String t = s.strip().replace("_", "");
        String lower = t.toLowerCase(Locale.ROOT);
        String body = lower.startsWith("+") || lower.startsWith("-") ? lower.substring(1) : lower;
        double sign = lower.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (body.equals("nan")) return Double.NaN;
        try {
            if (body.startsWith("0x") && !body.contains("p")) return sign * Long.parseLong(body.substring(2), 16);
            if (body.startsWith("0o")) return sign * Long.parseLong(body.substring(2), 8);
            if (body.startsWith("0b")) return sign * Long.parseLong(body.substring(2), 2);
            if (body.matches("0[0-7]+")) return sign * Long.parseLong(body.substring(1), 8);
            if (body.matches("[0-9]+(\\.[0-9]*)?([e][+-]?[0-9]+)?|\\.[0-9]+([e][+-]?[0-9]+)?")) {
                return sign * Double.parseDouble(body);
            }
            if (body.startsWith("0x")) return sign * Double.parseDouble(body);
        } catch (NumberFormatException e) {
            return null;
        }
        return null;
    }
}
