package dev.vigil.query.promqltest;

import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A parsed {@code .test} file: its commands in order. Parse errors name the line. */
public final class TestScript {
    /** A command of the script. */
    public sealed interface Command permits Clear, Load, Eval {
        int line();
    }

    public record Clear(int line) implements Command {}

    /** One series of a load block: values at {@code i * interval}; {@code histogram} marks native-histogram data. */
    public record LoadSeries(Labels labels, SeriesValues values) {}

    public record Load(int line, long intervalMs, boolean withNhcb, List<LoadSeries> series) implements Command {}

    /** An expected annotation or failure message: exact text, regex, or anything. */
    public record Expectation(String msg, Pattern regex) {
        boolean matches(String s) {
            if (msg != null) return msg.equals(s);
            if (regex != null) return regex.matcher(s).find();
            return true;
        }
    }

    /** One expected output series; {@code position} is its 1-based order among the series lines. */
    public record ExpectedSeries(Labels labels, SeriesValues values, int position) {}

    public record Eval(int line, String text, String query, boolean range, long t, long start, long end, long step,
            Expectation fail, boolean ordered, List<Expectation> warns, boolean noWarn, List<Expectation> infos,
            boolean noInfo, Double scalar, String string, List<ExpectedSeries> series, boolean rangeVector,
            long rvStart, long rvEnd, long rvStep, boolean histogramExpected) implements Command {}

    /** Expanded values; {@code present[i]} false for {@code _}; {@code histogram[i]} for a native histogram. */
    public record SeriesValues(double[] values, boolean[] present, boolean[] histogram) {
        boolean anyHistogram() {
            for (boolean b : histogram) if (b) return true;
            return false;
        }
    }

    private final List<Command> commands;

    private TestScript(List<Command> commands) {
        this.commands = commands;
    }

    public List<Command> commands() {
        return commands;
    }

    private static final Pattern LOAD = Pattern.compile("^load(?:_(with_nhcb))?\\s+(.+?)$");
    private static final Pattern INSTANT =
            Pattern.compile("^eval(?:_(fail|warn|ordered|info))?\\s+instant\\s+(?:at\\s+(.+?))?\\s+(.+)$");
    private static final Pattern RANGE =
            Pattern.compile("^eval(?:_(fail|warn|info))?\\s+range\\s+from\\s+(.+)\\s+to\\s+(.+)\\s+step\\s+(.+?)\\s+(.+)$");
    private static final Pattern EXPECT =
            Pattern.compile("^expect\\s+(ordered|fail|warn|no_warn|info|no_info)(?:\\s+(regex|msg):(.+))?$");
    private static final Pattern RANGE_VECTOR =
            Pattern.compile("^expect\\s+range\\s+vector\\s+from\\s+(\\S+)\\s+to\\s+(\\S+)\\s+step\\s+(\\S+)$");
    private static final Pattern DURATION = Pattern.compile(
            "^(?:(\\d+)y)?(?:(\\d+)w)?(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?(?:(\\d+)ms)?$");

    /** A script parse error, with the 1-based line. */
    public static final class ScriptException extends RuntimeException {
        ScriptException(int line, String msg) {
            super("line " + line + ": " + msg);
        }
    }

    public static TestScript parse(String content) {
        String[] raw = content.split("\n", -1);
        String[] lines = new String[raw.length];
        for (int i = 0; i < raw.length; i++) {
            String l = raw[i].strip();
            lines[i] = l.startsWith("#") ? "" : l;
        }
        List<Command> out = new ArrayList<>();
        int i = 0;
        while (i < lines.length) {
            String l = lines[i];
            if (l.isEmpty()) {
                i++;
                continue;
            }
            String first = l.split("\\s+")[0].toLowerCase(java.util.Locale.ROOT);
            int lineNo = i + 1;
            if (first.equals("clear")) {
                out.add(new Clear(lineNo));
                i++;
            } else if (first.startsWith("load")) {
                Matcher m = LOAD.matcher(l);
                if (!m.matches()) throw new ScriptException(lineNo, "invalid load command");
                long interval = duration(m.group(2), lineNo);
                List<LoadSeries> series = new ArrayList<>();
                i++;
                while (i < lines.length && !lines[i].isEmpty()) {
                    if (lines[i].contains("@st")) {
                        i++;
                        continue; // start timestamps are not modelled; the data line that follows still loads
                    }
                    Object[] p = SeriesParser.parse(lines[i], i + 1);
                    Labels ls = (Labels) p[0];
                    series.removeIf(s -> s.labels().equals(ls));
                    series.add(new LoadSeries(ls, (SeriesValues) p[1]));
                    i++;
                }
                out.add(new Load(lineNo, interval, m.group(1) != null, series));
            } else if (first.startsWith("eval")) {
                int[] next = {i + 1};
                out.add(parseEval(lines, i, next));
                i = next[0];
            } else {
                throw new ScriptException(lineNo, "invalid command \"" + l + "\"");
            }
        }
        return new TestScript(out);
    }

    private static Eval parseEval(String[] lines, int i, int[] next) {
        String l = lines[i];
        int lineNo = i + 1;
        Matcher im = INSTANT.matcher(l), rm = RANGE.matcher(l);
        boolean range;
        String mod, query;
        long t = 0, start = 0, end = 0, step = 0;
        if (rm.matches()) {
            range = true;
            mod = rm.group(1);
            start = duration(rm.group(2), lineNo);
            end = duration(rm.group(3), lineNo);
            step = duration(rm.group(4), lineNo);
            query = rm.group(5);
            if (end < start) throw new ScriptException(lineNo, "invalid test definition, end timestamp is before start");
        } else if (im.matches()) {
            range = false;
            mod = im.group(1);
            t = duration(im.group(2) == null ? "" : im.group(2), lineNo);
            query = im.group(3);
        } else {
            throw new ScriptException(lineNo, "invalid eval command");
        }
        Expectation fail = "fail".equals(mod) ? new Expectation(null, null) : null;
        boolean ordered = "ordered".equals(mod);
        List<Expectation> warns = new ArrayList<>(), infos = new ArrayList<>();
        if ("warn".equals(mod)) warns.add(new Expectation(null, null));
        if ("info".equals(mod)) infos.add(new Expectation(null, null));
        boolean noWarn = false, noInfo = false, rangeVector = false, histExpected = false;
        long rvStart = 0, rvEnd = 0, rvStep = 0;
        Double scalar = null;
        String string = null;
        List<ExpectedSeries> series = new ArrayList<>();
        int j = i + 1;
        while (j < lines.length && !lines[j].isEmpty()) {
            String b = lines[j];
            int bl = j + 1;
            j++;
            if (b.startsWith("expected_fail_message")) {
                fail = new Expectation(b.substring("expected_fail_message".length()).strip(), null);
                break;
            }
            if (b.startsWith("expected_fail_regexp")) {
                fail = new Expectation(null, Pattern.compile(b.substring("expected_fail_regexp".length()).strip()));
                break;
            }
            Matcher rv = RANGE_VECTOR.matcher(b);
            if (rv.matches()) {
                rangeVector = true;
                rvStart = duration(rv.group(1), bl);
                rvEnd = duration(rv.group(2), bl);
                rvStep = duration(rv.group(3), bl);
                t = rvEnd;
                continue;
            }
            if (b.startsWith("expect string")) {
                String q = b.substring("expect string".length()).strip();
                string = SeriesParser.unquote(q, bl);
                continue;
            }
            if (b.split(" ")[0].equals("expect")) {
                Matcher em = EXPECT.matcher(b);
                if (!em.matches()) throw new ScriptException(bl, "invalid expect statement \"" + b + "\"");
                Expectation e = em.group(2) == null ? new Expectation(null, null)
                        : em.group(2).equals("msg") ? new Expectation(em.group(3).strip(), null)
                        : new Expectation(null, Pattern.compile(em.group(3).strip()));
                switch (em.group(1)) {
                    case "ordered" -> ordered = true;
                    case "fail" -> fail = e;
                    case "warn" -> warns.add(e);
                    case "no_warn" -> noWarn = true;
                    case "info" -> infos.add(e);
                    case "no_info" -> noInfo = true;
                    default -> throw new IllegalStateException();
                }
                continue;
            }
            Double num = SeriesParser.scalarLine(b);
            if (num != null) {
                scalar = num;
                break;
            }
            if (b.contains("{{")) histExpected = true;
            Object[] p = SeriesParser.parse(b, bl);
            series.add(new ExpectedSeries((Labels) p[0], (SeriesValues) p[1], series.size() + 1));
        }
        next[0] = j;
        return new Eval(lineNo, l, query, range, t, start, end, step, fail, ordered, warns, noWarn, infos, noInfo,
                scalar, string, series, rangeVector, rvStart, rvEnd, rvStep, histExpected);
    }

    /** A Prometheus duration (units y w d h m s ms, in that order) or a bare 0, in milliseconds. */
    public static long duration(String s, int line) {
        s = s.strip();
        if (s.equals("0")) return 0;
        Matcher m = DURATION.matcher(s);
        if (s.isEmpty() || !m.matches()) throw new ScriptException(line, "invalid duration \"" + s + "\"");
        long[] unit = {365L * 86_400_000, 7L * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1};
        long ms = 0;
        for (int g = 1; g <= 7; g++) if (m.group(g) != null) ms += Long.parseLong(m.group(g)) * unit[g - 1];
        return ms;
    }
}
