package dev.vigil.rules.template;

import com.google.re2j.Pattern;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Prometheus's template functions and the alert-template wrapper: the same
 * {@code {{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}}
 * prefix Prometheus prepends, so {@code $labels} and friends exist and error positions match Prometheus's. A failing
 * template expands to {@code <error expanding template: ...>} like Prometheus, never to an exception, so one bad
 * annotation cannot stop a rule group. Stateless and thread-safe.
 */
public final class Expander {
    private Expander() {}

    /** Runs a PromQL instant query for {@code query} in templates; a scalar result is one sample without labels. */
    @FunctionalInterface
    public interface QueryFunction {
        List<Template.Sample> query(String query, long tMs) throws Exception;
    }

    static final String ALERT_DEFS = "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}"
            + "{{$externalURL := .ExternalURL}}{{$value := .Value}}";

    /** Names callable from rule templates besides Go's builtins. */
    public static final Set<String> FUNCTION_NAMES = Set.of("query", "first", "label", "value", "strvalue", "args",
            "reReplaceAll", "safeHtml", "match", "title", "toUpper", "toLower", "graphLink", "tableLink",
            "sortByLabel", "humanize", "humanize1024", "humanizeDuration", "humanizePercentage",
            "humanizeTimestamp", "toTime", "toDuration", "pathPrefix", "externalURL", "parseDuration", "stripPort",
            "stripDomain");

    /** The data an alert template sees as dot: {@code .Labels}, {@code .ExternalLabels}, {@code .ExternalURL}, {@code .Value}. */
    public record AlertData(Map<String, String> labels, Map<String, String> externalLabels, String externalUrl,
                            double value) implements Template.Struct {
        @Override
        public Object field(String name) {
            return switch (name) {
                case "Labels" -> labels;
                case "ExternalLabels" -> externalLabels;
                case "ExternalURL" -> externalUrl;
                case "Value" -> value;
                default -> Template.NO_FIELD;
            };
        }

        @Override
        public String typeName() {
            return "template.tmplData";
        }
    }

    /** Parses an alert's label or annotation template, with the alert prefix, named {@code __alert_RULE}. */
    public static Template parseAlert(String ruleName, String text) throws TemplateException {
        return Template.parse("__alert_" + ruleName, ALERT_DEFS + text, FUNCTION_NAMES);
    }

    /** Expands a parsed alert template; an error becomes {@code <error expanding template: ...>}. */
    public static String expandAlert(Template t, AlertData data, long tMs, QueryFunction query) {
        try {
            return t.execute(data, functions(tMs, data.externalUrl(), query));
        } catch (TemplateException e) {
            return "<error expanding template: error executing template " + t.name() + ": " + e.getMessage() + ">";
        }
    }

    /** How Prometheus shows a template that does not parse, in place of the expansion. */
    public static String parseErrorText(String ruleName, TemplateException e) {
        return "<error expanding template: error parsing template __alert_" + ruleName + ": " + e.getMessage() + ">";
    }

    /** Parses and expands in one step (parse errors expand to the error text too). */
    public static String expandAlert(String ruleName, String text, AlertData data, long tMs, QueryFunction query) {
        // Plain text is the common case for labels; skip the template machinery for it.
        if (!text.contains("{{")) return text;
        Template t;
        try {
            t = parseAlert(ruleName, text);
        } catch (TemplateException e) {
            return parseErrorText(ruleName, e);
        }
        return expandAlert(t, data, tMs, query);
    }

    /** The function map for one expansion at {@code tMs} (the time {@code query} evaluates at). */
    public static Map<String, TemplateFunction> functions(long tMs, String externalUrl, QueryFunction query) {
        Map<String, TemplateFunction> f = new HashMap<>();
        f.put("query", a -> {
            String q = str(a, 0, "query");
            if (query == null) throw new IllegalStateException("no query function");
            return query.query(q, tMs);
        });
        f.put("first", a -> {
            List<?> l = (List<?>) a.get(0);
            if (l == null || l.isEmpty()) throw new IllegalArgumentException("first() called on vector with no elements");
            return l.get(0);
        });
        f.put("label", a -> {
            String name = str(a, 0, "label");
            Template.Sample s = (Template.Sample) a.get(1);
            if (s == null) return "";
            String v = s.labels().get(name);
            return v == null ? "" : v;
        });
        f.put("value", a -> ((Template.Sample) a.get(0)).value());
        f.put("strvalue", a -> {
            Template.Sample s = (Template.Sample) a.get(0);
            String v = s == null ? null : s.labels().get("__value__");
            return v == null ? "" : v;
        });
        f.put("args", a -> {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int i = 0; i < a.size(); i++) m.put("arg" + i, a.get(i));
            return m;
        });
        f.put("reReplaceAll", a -> reReplaceAll(str(a, 0, "reReplaceAll"), str(a, 1, "reReplaceAll"),
                str(a, 2, "reReplaceAll")));
        f.put("safeHtml", a -> str(a, 0, "safeHtml"));
        f.put("match", a -> compile(str(a, 0, "match")).matcher(str(a, 1, "match")).find());
        f.put("title", a -> title(str(a, 0, "title")));
        f.put("toUpper", a -> str(a, 0, "toUpper").toUpperCase(Locale.ROOT));
        f.put("toLower", a -> str(a, 0, "toLower").toLowerCase(Locale.ROOT));
        f.put("graphLink", a -> "/graph?g0.expr=" + queryEscape(str(a, 0, "graphLink")) + "&g0.tab=0");
        f.put("tableLink", a -> "/graph?g0.expr=" + queryEscape(str(a, 0, "tableLink")) + "&g0.tab=1");
        f.put("sortByLabel", a -> {
            String name = str(a, 0, "sortByLabel");
            List<Template.Sample> l = new ArrayList<>();
            for (Object o : (List<?>) a.get(1)) l.add((Template.Sample) o);
            // stable, like Go's sort.Stable in Prometheus
            l.sort(Comparator.comparing(s -> s.labels().getOrDefault(name, "")));
            return l;
        });
        f.put("humanize", a -> humanize(toFloat(a.get(0))));
        f.put("humanize1024", a -> humanize1024(toFloat(a.get(0))));
        f.put("humanizeDuration", a -> humanizeDuration(toFloat(a.get(0))));
        f.put("humanizePercentage", a -> GoFmt.formatFloat(toFloat(a.get(0)) * 100, 'g', 4) + "%");
        f.put("humanizeTimestamp", a -> humanizeTimestamp(toFloat(a.get(0))));
        f.put("toTime", a -> {
            double v = toFloat(a.get(0));
            if (Double.isNaN(v) || Double.isInfinite(v)) throw new IllegalArgumentException("value is NaN or Inf");
            return new GoTime(msFromSeconds(v));
        });
        f.put("toDuration", a -> new GoDuration((long) (toFloat(a.get(0)) * 1e9)));
        f.put("parseDuration", a -> {
            String d = str(a, 0, "parseDuration");
            return dev.vigil.rules.config.Durations.parseMs(d) / 1000.0;
        });
        f.put("pathPrefix", a -> externalUrl == null ? "" : nullToEmpty(URI.create(externalUrl).getRawPath()));
        f.put("externalURL", a -> externalUrl == null ? "" : externalUrl);
        f.put("stripPort", a -> stripPort(str(a, 0, "stripPort")));
        f.put("stripDomain", a -> stripDomain(str(a, 0, "stripDomain")));
        return f;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String str(List<Object> a, int i, String fn) {
        if (i >= a.size()) throw new IllegalArgumentException("wrong number of args for " + fn);
        Object o = a.get(i);
        if (o instanceof String s) return s;
        throw new IllegalArgumentException("wrong type for value; expected string; got " + GoFmt.typeName(o));
    }

    /** Prometheus's convertToFloat: float64, int, Go duration, or a string parsed like strconv.ParseFloat. */
    static double toFloat(Object o) {
        if (o instanceof Double d) return d;
        if (o instanceof Long l) return l;
        if (o instanceof GoDuration d) return d.nanos() / 1e9;
        if (o instanceof String s) return parseGoFloat(s);
        throw new IllegalArgumentException("can't convert " + GoFmt.typeName(o) + " to float");
    }

    static double parseGoFloat(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        String body = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
        double sign = t.startsWith("-") ? -1 : 1;
        if (body.equals("inf") || body.equals("infinity")) return sign * Double.POSITIVE_INFINITY;
        if (body.equals("nan")) return Double.NaN;
        // Java also accepts "1d", "1f", "Infinity" and surrounding blanks; Go does not
        if (!body.isEmpty() && body.chars().allMatch(c -> "0123456789.e+-_xp abcdef".indexOf(c) >= 0)
                && !body.contains(" ") && !body.endsWith("d") && !body.endsWith("f")) {
            try {
                if (body.startsWith("0x")) return sign * Double.parseDouble(body.replace("_", "") + (body.contains("p") ? "" : "p0"));
                return Double.parseDouble(t);
            } catch (NumberFormatException ignored) {
                // fall through to Go's message
            }
        }
        throw new IllegalArgumentException("strconv.ParseFloat: parsing " + GoFmt.quote(s) + ": invalid syntax");
    }

    private static String g4(double v) {
        return GoFmt.formatFloat(v, 'g', 4);
    }

    public static String humanize(double v) {
        if (v == 0 || Double.isNaN(v) || Double.isInfinite(v)) return g4(v);
        if (Math.abs(v) >= 1) {
            String prefix = "";
            for (String p : new String[] {"k", "M", "G", "T", "P", "E", "Z", "Y"}) {
                if (Math.abs(v) < 1000) break;
                prefix = p;
                v /= 1000;
            }
            return g4(v) + prefix;
        }
        String prefix = "";
        for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
            if (Math.abs(v) >= 1) break;
            prefix = p;
            v *= 1000;
        }
        return g4(v) + prefix;
    }

    public static String humanize1024(double v) {
        if (Math.abs(v) <= 1 || Double.isNaN(v) || Double.isInfinite(v)) return g4(v);
        String prefix = "";
        for (String p : new String[] {"ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"}) {
            if (Math.abs(v) < 1024) break;
            prefix = p;
            v /= 1024;
        }
        return g4(v) + prefix;
    }

    public static String humanizeDuration(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return g4(v);
        if (v == 0) return g4(v) + "s";
        if (Math.abs(v) >= 1) {
            String sign = "";
            if (v < 0) {
                sign = "-";
                v = -v;
            }
            long duration = (long) v;
            long seconds = duration % 60;
            long minutes = (duration / 60) % 60;
            long hours = (duration / 60 / 60) % 24;
            long days = duration / 60 / 60 / 24;
            if (days != 0) return sign + days + "d " + hours + "h " + minutes + "m " + seconds + "s";
            if (hours != 0) return sign + hours + "h " + minutes + "m " + seconds + "s";
            if (minutes != 0) return sign + minutes + "m " + seconds + "s";
            return sign + g4(v) + "s";
        }
        String prefix = "";
        for (String p : new String[] {"m", "u", "n", "p", "f", "a", "z", "y"}) {
            if (Math.abs(v) >= 1) break;
            prefix = p;
            v *= 1000;
        }
        return g4(v) + prefix + "s";
    }

    /** As Prometheus 2.x: the timestamp is truncated to milliseconds and printed as Go's time.Time in UTC. */
    public static String humanizeTimestamp(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return g4(v);
        return new GoTime(msFromSeconds(v)).toString();
    }

    private static long msFromSeconds(double v) {
        long nanos = (long) (v * 1e9);
        return nanos / 1_000_000;
    }

    /** A Go time.Time in UTC at millisecond precision; prints like Go's Time.String. */
    public record GoTime(long ms) {
        @Override
        public String toString() {
            ZonedDateTime t = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%04d-%02d-%02d %02d:%02d:%02d",
                    t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()));
            int frac = t.getNano();
            if (frac != 0) {
                String f = String.format(Locale.ROOT, "%09d", frac).replaceAll("0+$", "");
                b.append('.').append(f);
            }
            return b.append(" +0000 UTC").toString();
        }
    }

    /** A Go time.Duration; prints like Go's Duration.String ({@code 1h0m0s}, {@code 1.5s}, {@code 300ms}). */
    public record GoDuration(long nanos) {
        @Override
        public String toString() {
            long u = Math.abs(nanos);
            String sign = nanos < 0 ? "-" : "";
            if (u == 0) return "0s";
            if (u < 1_000_000_000L) {
                if (u < 1_000) return sign + u + "ns";
                if (u < 1_000_000) return sign + frac(u, 3) + "µs";
                return sign + frac(u, 6) + "ms";
            }
            StringBuilder b = new StringBuilder(sign);
            long h = u / 3_600_000_000_000L;
            long m = (u / 60_000_000_000L) % 60;
            long sNanos = u % 60_000_000_000L;
            if (h > 0) b.append(h).append('h');
            if (h > 0 || m > 0) b.append(m).append('m');
            b.append(frac(sNanos, 9)).append('s');
            return b.toString();
        }

        private static String frac(long v, int digits) {
            long div = (long) Math.pow(10, digits);
            String f = String.format(Locale.ROOT, "%0" + digits + "d", v % div).replaceAll("0+$", "");
            return (v / div) + (f.isEmpty() ? "" : "." + f);
        }
    }

    private static Pattern compile(String re) {
        try {
            return Pattern.compile(re);
        } catch (com.google.re2j.PatternSyntaxException e) {
            throw new IllegalArgumentException("error parsing regexp: " + e.getMessage());
        }
    }

    /** Go's Regexp.ReplaceAllString: {@code $1}, {@code ${1}}, {@code ${name}} and {@code $$} in the replacement. */
    static String reReplaceAll(String pattern, String repl, String text) {
        Pattern p;
        try {
            p = Pattern.compile(pattern);
        } catch (com.google.re2j.PatternSyntaxException e) {
            // Prometheus uses regexp.MustCompile here: the panic surfaces as a template error
            throw new IllegalArgumentException("regexp: Compile(" + GoFmt.quote(pattern) + "): " + e.getMessage());
        }
        com.google.re2j.Matcher m = p.matcher(text);
        StringBuilder out = new StringBuilder();
        int last = 0;
        int prevEnd = -1;
        while (m.find()) {
            // Go drops an empty match right after the previous match ("a*" on "baaac" gives XbXcX, not XbXXcX)
            if (m.start() == m.end() && m.start() == prevEnd) continue;
            out.append(text, last, m.start());
            expand(out, repl, m);
            last = m.end();
            prevEnd = m.end();
        }
        if (last < text.length()) out.append(text, last, text.length());
        return out.toString();
    }

    private static void expand(StringBuilder out, String repl, com.google.re2j.Matcher m) {
        for (int i = 0; i < repl.length(); i++) {
            char c = repl.charAt(i);
            if (c != '$' || i + 1 >= repl.length()) {
                out.append(c);
                continue;
            }
            char n = repl.charAt(i + 1);
            if (n == '$') {
                out.append('$');
                i++;
                continue;
            }
            String name;
            int end;
            if (n == '{') {
                int close = repl.indexOf('}', i + 2);
                if (close < 0) {
                    out.append(c);
                    continue;
                }
                name = repl.substring(i + 2, close);
                end = close;
            } else {
                int k = i + 1;
                // Go takes the longest run of letters, digits and underscores as the name: "$1x" names group "1x"
                while (k < repl.length() && (Character.isLetterOrDigit(repl.charAt(k)) || repl.charAt(k) == '_')) k++;
                if (k == i + 1) {
                    out.append(c);
                    continue;
                }
                name = repl.substring(i + 1, k);
                end = k - 1;
            }
            String g = null;
            if (name.chars().allMatch(Character::isDigit)) {
                int idx = Integer.parseInt(name);
                if (idx <= m.groupCount()) g = m.group(idx);
            } else {
                try {
                    g = m.group(name);
                } catch (IllegalArgumentException ignored) {
                    g = null;
                }
            }
            if (g != null) out.append(g);
            i = end;
        }
    }

    /** Go's strings.Title: upper-cases the first letter of each word. */
    static String title(String s) {
        StringBuilder b = new StringBuilder(s.length());
        boolean prevLetter = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            boolean letter = Character.isLetterOrDigit(cp) || cp == '_' || cp == '\'';
            b.appendCodePoint(letter && !prevLetter ? Character.toTitleCase(cp) : cp);
            prevLetter = letter;
            i += Character.charCount(cp);
        }
        return b.toString();
    }

    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String stripPort(String hostPort) {
        // net.SplitHostPort: "[::1]:80" -> "::1", "host:80" -> "host"; anything else comes back unchanged
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close > 0 && hostPort.startsWith(":", close + 1)) return hostPort.substring(1, close);
            return hostPort;
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.indexOf(':') != colon) return hostPort;
        return hostPort.substring(0, colon);
    }

    static String stripDomain(String hostPort) {
        String host = hostPort, port = "";
        int colon = hostPort.lastIndexOf(':');
        if (!hostPort.startsWith("[") && colon >= 0 && hostPort.indexOf(':') == colon) {
            host = hostPort.substring(0, colon);
            port = hostPort.substring(colon);
        } else if (hostPort.startsWith("[")) {
            return hostPort;
        }
        if (host.matches("[0-9.]+") || host.contains(":")) return hostPort;
        int dot = host.indexOf('.');
        if (dot >= 0) host = host.substring(0, dot);
        return host + port;
    }
}
