package dev.vigil.ingest.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.tsdb.Labels;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Round trip of random valid expositions (both formats) and robustness against garbage. Each case
 * is built from a QuickTheories-drawn seed, so a failure reports a seed to turn into an example.
 */
class ExpositionParserProperties {

    /** A sample as generated: its label pairs (name first), value and timestamp. */
    record Gen(Map<String, String> labels, double value, long t) {}

    private static final String[] ODD = {"\\", "\"", "\n", "ä", "€", "😀", "{", "}", ",", "=", " ", "#", "\t", "'", "\u0000"};

    static String randomText(Random r, int maxLen, boolean allowEmpty) {
        int n = (allowEmpty ? 0 : 1) + r.nextInt(maxLen);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (r.nextInt(4) == 0) {
                sb.append(ODD[r.nextInt(ODD.length)]);
            } else {
                sb.append((char) ('a' + r.nextInt(26)));
            }
        }
        return sb.toString();
    }

    static String legacyName(Random r, boolean metric) {
        String first = metric ? "abcXYZ_:" : "abcXYZ_";
        String rest = metric ? "abcxyzXYZ_:019" : "abcxyzXYZ_019";
        StringBuilder sb = new StringBuilder().append(first.charAt(r.nextInt(first.length())));
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) sb.append(rest.charAt(r.nextInt(rest.length())));
        return sb.toString();
    }

    static double randomValue(Random r) {
        return switch (r.nextInt(8)) {
            case 0 -> Double.NaN;
            case 1 -> Double.POSITIVE_INFINITY;
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> r.nextInt(1000);
            case 4 -> -0.0;
            case 5 -> Double.longBitsToDouble(r.nextLong()) % 1e300; // any finite bit pattern, mostly
            case 6 -> r.nextGaussian() * 1e-5;
            default -> r.nextDouble() * Math.pow(10, r.nextInt(40) - 20);
        };
    }

    static List<Gen> randomExposition(Random r, boolean om) {
        List<Gen> out = new ArrayList<>();
        int n = r.nextInt(20);
        for (int i = 0; i < n; i++) {
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put(Labels.METRIC_NAME, r.nextBoolean() ? legacyName(r, true) : randomText(r, 10, false));
            int k = r.nextInt(5);
            for (int j = 0; j < k; j++) {
                String name = r.nextBoolean() ? legacyName(r, false) : randomText(r, 8, false);
                if (!labels.containsKey(name)) labels.put(name, randomText(r, 12, true));
            }
            double v = randomValue(r);
            long t = r.nextInt(3) == 0 ? SampleSink.NO_TIMESTAMP
                    : om ? (r.nextLong() % 4_000_000_000L) * 1000 : Math.abs(r.nextLong() % 4_000_000_000_000L);
            out.add(new Gen(labels, v, t));
        }
        return out;
    }

    static boolean isLegacy(String s, boolean metric) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (metric && c == ':') || (i > 0 && c >= '0' && c <= '9');
            if (!ok) return false;
        }
        return true;
    }

    static String quoted(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    static String render(List<Gen> samples, boolean om, Random r) {
        StringBuilder sb = new StringBuilder();
        for (Gen g : samples) {
            String name = g.labels().get(Labels.METRIC_NAME);
            boolean plainName = isLegacy(name, true);
            List<String> parts = new ArrayList<>();
            if (!plainName) parts.add(quoted(name));
            for (Map.Entry<String, String> e : g.labels().entrySet()) {
                if (e.getKey().equals(Labels.METRIC_NAME)) continue;
                String ln = isLegacy(e.getKey(), false) && r.nextBoolean() ? e.getKey() : quoted(e.getKey());
                parts.add(ln + "=" + quoted(e.getValue()));
            }
            if (!plainName && r.nextBoolean() && parts.size() > 1) {
                // The quoted metric name may come anywhere in the braces.
                parts.add(r.nextInt(parts.size()), parts.removeFirst());
            }
            if (plainName) sb.append(name);
            if (!parts.isEmpty() || !plainName || r.nextInt(4) == 0) {
                sb.append('{').append(String.join(",", parts));
                if (!parts.isEmpty() && r.nextInt(5) == 0) sb.append(',');
                sb.append('}');
            }
            sb.append(' ').append(Double.toString(g.value()));
            if (g.t() != SampleSink.NO_TIMESTAMP) {
                sb.append(' ');
                if (om) {
                    sb.append(g.t() / 1000);
                } else {
                    sb.append(g.t());
                }
            }
            if (om && r.nextInt(6) == 0) sb.append(" # {trace_id=\"abc\"} 1.5");
            sb.append('\n');
            if (r.nextInt(8) == 0) sb.append(om ? "# HELP x some help\n" : "# a comment\n");
        }
        if (om) sb.append("# EOF\n");
        return sb.toString();
    }

    record Parsed(Labels labels, long valueBits, long t) {}

    static List<Parsed> parseAll(ExpositionFormat f, byte[] b) {
        ExpositionParser p = f.newParser();
        List<Parsed> got = new ArrayList<>();
        p.parse(b, b.length, (buf, s, e, h, v, t) -> got.add(new Parsed(p.labels(buf, s, e), Double.doubleToRawLongBits(v), t)));
        return got;
    }

    static void roundTrip(long seed, boolean om) {
        Random r = new Random(seed);
        List<Gen> samples = randomExposition(r, om);
        String text = render(samples, om, r);
        List<Parsed> got = parseAll(om ? ExpositionFormat.OPENMETRICS_TEXT : ExpositionFormat.PROMETHEUS_TEXT, text.getBytes(StandardCharsets.UTF_8));
        assertEquals(samples.size(), got.size(), text);
        for (int i = 0; i < samples.size(); i++) {
            Gen g = samples.get(i);
            Parsed p = got.get(i);
            assertEquals(Labels.of(g.labels()), p.labels(), text);
            long want = Double.isNaN(g.value()) ? 0x7ff8000000000001L : Double.doubleToRawLongBits(g.value());
            assertEquals(want, p.valueBits(), () -> "value of sample " + g + " in\n" + text);
            assertEquals(g.t(), p.t(), text);
        }
    }

    @Test
    void prometheusText_roundTrips() {
        qt().withExamples(400).forAll(longs().all()).checkAssert(seed -> roundTrip(seed, false));
    }

    @Test
    void openMetrics_roundTrips() {
        qt().withExamples(400).forAll(longs().all()).checkAssert(seed -> roundTrip(seed, true));
    }

    /**
     * Plain decimals as people and exporters write them (sign, leading zeros, a point at either end,
     * up to 22 digits, so both sides of the parser's 18-digit fast path), then a blank, a tab, a
     * newline, an exponent or junk: the value is Java's correctly rounded reading of the same text,
     * or the line is an error, as before the fast path.
     */
    @Test
    void plain_decimals_parse_correctly_rounded_in_both_formats() {
        qt().withExamples(3000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            StringBuilder num = new StringBuilder();
            if (r.nextInt(3) == 0) num.append(r.nextBoolean() ? '-' : '+');
            int intDigits = r.nextInt(r.nextBoolean() ? 4 : 20);
            for (int i = 0; i < intDigits; i++) num.append((char) ('0' + (i == 0 && r.nextBoolean() ? 0 : r.nextInt(10))));
            if (r.nextInt(3) > 0) {
                num.append('.');
                int fracDigits = r.nextInt(r.nextBoolean() ? 4 : 20);
                for (int i = 0; i < fracDigits; i++) num.append((char) ('0' + r.nextInt(10)));
            }
            if (num.isEmpty()) num.append('.'); // no digits at all: invalid, and never the timestamp read as the value
            String[] after = {" ", "\t", "", "e3", "x", "{", " 1700000000000", "  "};
            String tail = after[r.nextInt(after.length)];
            String text = num.toString();
            boolean valid = text.chars().anyMatch(Character::isDigit);
            for (ExpositionFormat f : ExpositionFormat.values()) {
                boolean om = f == ExpositionFormat.OPENMETRICS_TEXT;
                String body = "m " + text + tail + "\n" + (om ? "# EOF\n" : "");
                byte[] b = body.getBytes(StandardCharsets.UTF_8);
                double[] got = {Double.NaN};
                String error = null;
                try {
                    f.newParser().parse(b, b.length, (buf, s, e, h, v, t) -> got[0] = v);
                } catch (ParseException e) {
                    error = e.getMessage();
                }
                String spelled = text + tail;
                boolean tailOk = switch (tail) {
                    case " ", "", "\t", "  " -> !om || tail.isEmpty(); // OpenMetrics allows no trailing blank
                    case "e3" -> true;
                    case " 1700000000000" -> true;
                    default -> false;
                };
                if (!valid || !tailOk) {
                    assertTrue(error != null, () -> f + " accepted " + quoteForTest(body));
                    continue;
                }
                assertEquals(null, error, () -> f + " " + quoteForTest(body));
                double want = Double.parseDouble(tail.equals("e3") ? spelled : text);
                assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[0]), () -> f + " " + quoteForTest(body));
            }
        });
    }

    private static String quoteForTest(String s) {
        return "\"" + s.replace("\n", "\\n").replace("\t", "\\t") + "\"";
    }

    /** Random bytes, biased towards the formats' punctuation, or a valid body with a few bytes mangled. */
    static byte[] garbage(Random r) {
        if (r.nextBoolean()) {
            boolean om = r.nextBoolean();
            byte[] b = render(randomExposition(r, om), om, r).getBytes(StandardCharsets.UTF_8);
            if (b.length == 0) return b;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int cut = r.nextInt(b.length);
            int edits = 1 + r.nextInt(3);
            for (int i = 0; i < b.length; i++) {
                if (edits > 0 && r.nextInt(b.length) < 3) {
                    edits--;
                    switch (r.nextInt(3)) {
                        case 0 -> out.write(r.nextInt(256)); // replace
                        case 1 -> {
                            out.write(b[i]);
                            out.write("{}\"=, #\n\\\t".charAt(r.nextInt(10)));
                        }
                        default -> {} // delete
                    }
                } else if (i != cut || r.nextBoolean()) {
                    out.write(b[i]);
                }
            }
            return out.toByteArray();
        }
        String alphabet = "ab_:{}\"=, #\n\\\t.0123456789eEINaf+-\u00ff";
        byte[] b = new byte[r.nextInt(80)];
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextInt(10) == 0 ? (byte) r.nextInt(256) : (byte) alphabet.charAt(r.nextInt(alphabet.length()));
        }
        return b;
    }

    @Test
    void garbage_yieldsSamplesOrParseException_neverAnotherException() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> qt().withExamples(3000).forAll(longs().all()).checkAssert(seed -> {
            byte[] b = garbage(new Random(seed));
            for (ExpositionFormat f : ExpositionFormat.values()) {
                ExpositionParser p = f.newParser();
                try {
                    p.parse(b, b.length, new SampleSink() {
                        @Override
                        public void sample(byte[] buf, int s, int e, long h, double v, long t) {
                            assertTrue(s >= 0 && s < e && e <= b.length);
                            p.labels(buf, s, e);
                        }

                        @Override
                        public void exemplar(byte[] buf, int s, int e, double v, long t) {
                            assertTrue(s >= 0 && s < e && e <= b.length);
                            p.labels(buf, s, e);
                        }
                    });
                } catch (ParseException expected) {
                    assertTrue(expected.line() >= 1);
                }
            }
        }));
    }

    /** What a parse produced: each sample's raw series text, value bits and timestamp, then the error. */
    static List<String> outcome(ExpositionFormat f, byte[] b, java.util.Set<String> known) {
        return outcome(f, b, known, false);
    }

    /**
     * With {@code predicting}, the sink also {@link SampleSink#predict predicts}: the shortest known
     * text the input starts with at that point, the most misleading answer a cache could give
     * (a known {@code up} where the input says {@code up_total} or {@code up {a="b"}}).
     */
    static List<String> outcome(ExpositionFormat f, byte[] b, java.util.Set<String> known, boolean predicting) {
        List<String> out = new ArrayList<>();
        int[] predictedAt = {-1};
        try {
            f.newParser().parse(b, b.length, new SampleSink() {
                @Override
                public boolean known(byte[] buf, int s, int e, long h) {
                    assertEquals(SeriesHash.hash(buf, s, e), h);
                    return known.contains(new String(buf, s, e - s, StandardCharsets.ISO_8859_1));
                }

                @Override
                public int predict(byte[] buf, int s, int limit) {
                    if (!predicting) return -1;
                    int best = -1;
                    for (String k : known) {
                        byte[] kb = k.getBytes(StandardCharsets.ISO_8859_1);
                        if (s + kb.length <= limit && java.util.Arrays.equals(kb, 0, kb.length, buf, s, s + kb.length)
                                && (best < 0 || kb.length < best)) best = kb.length;
                    }
                    predictedAt[0] = best > 0 ? s : -1;
                    return best;
                }

                @Override
                public void sample(byte[] buf, int s, int e, long h, double v, long t) {
                    if (!(h == 0 && predictedAt[0] == s)) assertEquals(SeriesHash.hash(buf, s, e), h);
                    out.add(new String(buf, s, e - s, StandardCharsets.ISO_8859_1) + " " + Double.doubleToRawLongBits(v) + " " + t);
                }
            });
        } catch (ParseException e) {
            out.add("error: " + e.getMessage());
        }
        return out;
    }

    /**
     * The scrape-cache fast path (series texts the sink knows are not parsed again) changes
     * nothing: a body parses to the same samples and the same error whether or not the sink knows
     * the texts it accepted before, also when that body is a mangled copy of the one it learnt from.
     */
    @Test
    void known_series_skip_parsing_without_changing_the_outcome() {
        qt().withExamples(2000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            boolean om = r.nextBoolean();
            ExpositionFormat f = om ? ExpositionFormat.OPENMETRICS_TEXT : ExpositionFormat.PROMETHEUS_TEXT;
            byte[] valid = render(randomExposition(r, om), om, r).getBytes(StandardCharsets.UTF_8);
            java.util.Set<String> learnt = new java.util.HashSet<>();
            for (String line : outcome(f, valid, java.util.Set.of())) {
                if (!line.startsWith("error: ")) learnt.add(line.substring(0, line.lastIndexOf(' ', line.lastIndexOf(' ') - 1)));
            }
            assertEquals(outcome(f, valid, java.util.Set.of()), outcome(f, valid, learnt));
            assertEquals(outcome(f, valid, java.util.Set.of()), outcome(f, valid, learnt, true));
            byte[] m = mangled(valid, r, "{}\"=, #\n\\\t a");
            assertEquals(outcome(f, m, java.util.Set.of()), outcome(f, m, learnt), () -> new String(m, StandardCharsets.UTF_8));
            assertEquals(outcome(f, m, java.util.Set.of()), outcome(f, m, learnt, true), () -> new String(m, StandardCharsets.UTF_8));
        });
    }

    /** A copy of {@code valid} with about two bytes dropped and two replaced by one of {@code noise}. */
    static byte[] mangled(byte[] valid, Random r, String noise) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte x : valid) {
            int k = r.nextInt(Math.max(1, valid.length / 2));
            if (k == 0) {
                out.write(noise.charAt(r.nextInt(noise.length())));
            } else if (k != 1) {
                out.write(x);
            }
        }
        return out.toByteArray();
    }

    private static final String[] COMMENTS = {
        "# HELP a_total Requests.", "# HELP a_total Requests, \\\\ and \\n.", "# TYPE a_total counter", "# TYPE a_total gauge",
        "# TYPE a histogram", "# TYPE a summary", "# TYPE a untyped", "# TYPE a bogus", "# HELP a", "# HELP \"a.b\" quoted",
        "# TYPE \"a.b\" gauge", "# a plain comment", "#", "# HELP", "# UNIT a seconds", "# HELP a \u00e9t\u00e9", "# EOF",
    };

    /** The text with comment lines from a small pool put before random lines (so they repeat, moved or not). */
    private static String withComments(String text, Random r) {
        StringBuilder sb = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            while (r.nextInt(3) == 0) sb.append(COMMENTS[r.nextInt(COMMENTS.length - (r.nextInt(10) == 0 ? 0 : 1))]).append('\n');
            sb.append(line).append('\n');
        }
        return sb.substring(0, sb.length() - 1);
    }

    /** Everything a parse tells its sink, in order, and its error. */
    static List<String> events(ExpositionParser p, byte[] b) {
        List<String> out = new ArrayList<>();
        try {
            p.parse(b, b.length, new SampleSink() {
                @Override
                public void sample(byte[] buf, int s, int e, long h, double v, long t) {
                    out.add(new String(buf, s, e - s, StandardCharsets.ISO_8859_1) + " " + Double.doubleToRawLongBits(v) + " " + t);
                }

                @Override
                public void help(String family, String help) {
                    out.add("help " + family + " " + help);
                }

                @Override
                public void type(String family, MetricType type) {
                    out.add("type " + family + " " + type);
                }

                @Override
                public void unit(String family, String unit) {
                    out.add("unit " + family + " " + unit);
                }
            });
        } catch (ParseException e) {
            out.add("error: " + e.getMessage());
        }
        return out;
    }

    /**
     * A parser that remembers the comment lines of its last parse (to skip repeated HELP and TYPE
     * lines) tells its sink exactly what a fresh parser does, for the same body, a mangled copy of
     * it and an unrelated body, in any order.
     */
    @Test
    void remembered_comment_lines_change_no_outcome() {
        qt().withExamples(1000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            boolean om = r.nextBoolean();
            ExpositionFormat f = om ? ExpositionFormat.OPENMETRICS_TEXT : ExpositionFormat.PROMETHEUS_TEXT;
            byte[] valid = withComments(render(randomExposition(r, om), om, r), r).getBytes(StandardCharsets.UTF_8);
            byte[] other = withComments(render(randomExposition(r, om), om, r), r).getBytes(StandardCharsets.UTF_8);
            byte[] m = mangled(valid, r, "{}\"=, #\n\\\t aHELPTYPE");
            ExpositionParser reused = f.newParser();
            for (byte[] body : new byte[][] {valid, valid, m, valid, other, m, m, valid}) {
                assertEquals(events(f.newParser(), body), events(reused, body), () -> new String(body, StandardCharsets.UTF_8));
            }
        });
    }
}
