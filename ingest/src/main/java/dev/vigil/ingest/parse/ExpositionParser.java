package dev.vigil.ingest.parse;

import dev.vigil.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A streaming parser for one {@link ExpositionFormat}.
 *
 * <h2>Design notes</h2>
 *
 * <p>The parser is a hand-written lexer and recursive-descent parser over the body bytes, following
 * the token rules of Prometheus's {@code promlex.l} and {@code openmetricslex.l}. It never builds a
 * String per line: a sample is reported as the slice of the body holding its series text, the
 * slice's {@link SeriesHash hash}, and primitive value and timestamp. Label offsets go to a reused
 * {@code int[]}; floats are parsed from bytes ({@link GoFloat}). In steady state the only
 * allocations are the metadata Strings (once per family) and {@link #labels} on cache misses.
 *
 * <p>Checked while parsing: syntax, UTF-8 validity of label values and quoted names, duplicate
 * label names (by raw bytes, so escaped spellings of one name are only caught by {@link #labels}),
 * a metric name being present. The Prometheus text format is lenient about blanks like Prometheus
 * ({@code a { b = "c" } 1} is fine); OpenMetrics is strict (single spaces, {@code # EOF}).
 *
 * <p>Differences from Prometheus: a raw newline inside a quoted string is an error in both formats;
 * {@code _created} lines of OpenMetrics are reported as ordinary samples (Prometheus's default
 * without created-timestamp ingestion); exemplars are validated and reported to {@link SampleSink#exemplar}, whose label block
 * {@link #labels} materializes like a series.
 *
 * <p>Not thread-safe; reusable across scrapes.
 */
public final class ExpositionParser {
    private static final double NORMAL_NAN = Double.longBitsToDouble(0x7ff8000000000001L);
    private static final byte[] NAME_LABEL = Labels.METRIC_NAME.getBytes(StandardCharsets.US_ASCII);

    private final boolean om;

    private byte[] b;
    private int end;
    private int pos;
    private int line;
    private int lineStart;

    // Current series: metric name bytes (inside quotes if quoted) and label quadruples
    // (name start, name end, value start, value end), all absolute offsets into b.
    private int nameStart;
    private int nameEnd;
    private int[] offs = new int[32];
    private int nOffs;

    // Exemplar of the current OpenMetrics line: its label block and value.
    private int exLabelsStart;
    private int exLabelsEnd;
    private double exValue;
    private long exT;

    // Last TYPE line, for le/quantile normalization in labels().
    private MetricType type = MetricType.UNKNOWN;
    private String typeFamily = "";

    ExpositionParser(ExpositionFormat format) {
        this.om = format == ExpositionFormat.OPENMETRICS_TEXT;
    }

    /** The 1-based line being parsed; during a {@link SampleSink} call, the line of that sample. */
    public int line() {
        return line;
    }

    /** The format this parser reads. */
    public ExpositionFormat format() {
        return om ? ExpositionFormat.OPENMETRICS_TEXT : ExpositionFormat.PROMETHEUS_TEXT;
    }

    /**
     * Parses {@code buf[0, length)} and reports its content to {@code sink}.
     *
     * @return the number of samples reported
     * @throws ParseException at the first error; samples before it have been reported already
     */
    public int parse(byte[] buf, int length, SampleSink sink) {
        if (length < 0 || length > buf.length) throw new IllegalArgumentException("length out of range [length=" + length + "]");
        b = buf;
        end = length;
        pos = 0;
        line = 1;
        lineStart = 0;
        commentIndex = 0;
        type = MetricType.UNKNOWN;
        typeFamily = "";
        try {
            return om ? parseOpenMetrics(sink) : parsePrometheus(sink);
        } finally {
            b = null;
        }
    }

    // ---------------------------------------------------------------- Prometheus text 0.0.4/1.0.0

    private int parsePrometheus(SampleSink sink) {
        int samples = 0;
        while (true) {
            skipBlanks();
            if (pos >= end) return samples;
            byte c = b[pos];
            if (c == '\n') {
                newline();
            } else if (c == '#') {
                promComment(sink);
            } else if (c == '{' || isMetricStart(c)) {
                promSample(sink);
                samples++;
            } else {
                throw error("expected a valid start token");
            }
        }
    }

    /*
     * The comment lines of the previous parse, in order, with what each parsed to: a scraped page
     * repeats its HELP and TYPE lines byte for byte, and the k-th comment of this parse that equals
     * the k-th of the last one is not scanned, validated or turned into Strings again (the sink gets
     * the same String instances, which the scrape loop's metadata map compares by identity first).
     * A line is remembered only after it parsed, and parsing one depends on nothing but its bytes.
     */
    private record Comment(byte[] line, String family, String help, MetricType type) {
        static final Comment PLAIN = new Comment(null, null, null, null);
    }

    private Comment[] lastComments = new Comment[0];
    private int commentIndex;

    private void promComment(SampleSink sink) {
        int k = commentIndex++;
        int commentStart = pos;
        Comment last = k < lastComments.length ? lastComments[k] : null;
        if (last != null && repeats(last.line, commentStart)) {
            pos = commentStart + last.line.length;
            if (last.help != null) {
                sink.help(last.family, last.help);
            } else if (last.type != null) {
                setType(last.family, last.type);
                sink.type(last.family, last.type);
            }
            endOfLine();
            return;
        }
        Comment parsed = promCommentUncached(sink);
        if (k >= lastComments.length) lastComments = Arrays.copyOf(lastComments, Math.max(16, k * 2));
        int lineEnd = b[pos - 1] == '\n' ? pos - 1 : pos; // pos is past the '#' at least
        lastComments[k] = new Comment(Arrays.copyOfRange(b, commentStart, lineEnd), parsed.family, parsed.help, parsed.type);
    }

    /** Whether {@code line} is at {@code at} and the line ends right after it. */
    private boolean repeats(byte[] line, int at) {
        int e = at + line.length;
        return e <= end && (e == end || b[e] == '\n') && Arrays.equals(b, at, e, line, 0, line.length);
    }

    /** Parses the comment at pos, tells the sink, and returns what it was (without its bytes). */
    private Comment promCommentUncached(SampleSink sink) {
        pos++; // '#'
        int afterHash = pos;
        skipBlanks();
        if (pos > afterHash) {
            boolean help = word("HELP");
            boolean typ = !help && word("TYPE");
            if (help || typ) {
                String kind = help ? "HELP" : "TYPE";
                String family = metaName(kind);
                int ts = pos;
                skipToEol();
                int te = pos;
                // As promlex: the text is the rest of the line minus its first character (the blank).
                ts = te - ts > 1 ? ts + 1 : te;
                Comment parsed;
                if (help) {
                    if (!Utf8.isValid(b, ts, te)) throw errorAt(ts, "help text is not valid UTF-8");
                    parsed = new Comment(null, family, unescape(ts, te, false), null);
                    sink.help(family, parsed.help);
                } else {
                    setType(family, promType(ts, te));
                    parsed = new Comment(null, family, null, type);
                    sink.type(family, type);
                }
                endOfLine();
                return parsed;
            }
        }
        skipToEol(); // a plain comment
        endOfLine();
        return Comment.PLAIN;
    }

    private MetricType promType(int s, int e) {
        String t = new String(b, s, e - s, StandardCharsets.UTF_8);
        return switch (t) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "untyped" -> MetricType.UNKNOWN;
            default -> throw errorAt(s, "invalid metric type " + quote(t));
        };
    }

    private void promSample(SampleSink sink) {
        int start = pos;
        int seriesEnd = series(sink, true);
        skipBlanks();
        int vs = pos;
        double v = plainDecimal();
        if (v != v) { // not the common spelling: find the token's end, then validate and parse it
            while (pos < end && b[pos] != ' ' && b[pos] != '\t' && b[pos] != '\n' && b[pos] != '{') pos++;
            if (pos == vs) throw errorAt(vs, "expected value after metric, got " + describe(vs));
            v = value(vs, pos, "value");
        }
        long t = SampleSink.NO_TIMESTAMP;
        skipBlanks();
        if (pos < end && b[pos] != '\n') {
            int ts = pos;
            long x = 0;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                int d = b[pos] - '0';
                if (x > (Long.MAX_VALUE - d) / 10) throw errorAt(ts, "timestamp out of range");
                x = x * 10 + d;
                pos++;
            }
            if (pos == ts) throw errorAt(ts, "expected timestamp or new record, got " + describe(ts));
            t = x;
            skipBlanks();
            if (pos < end && b[pos] != '\n') throw error("expected next entry after timestamp, got " + describe(pos));
        }
        emit(sink, start, seriesEnd, v, t);
        endOfLine();
    }

    /**
     * The series text at pos: when its extent can be found by a quick scan and the sink {@link
     * SampleSink#known knows} it (a scrape-cache hit), it is not parsed or validated again, which
     * is most of the parser's work; otherwise it is parsed in full. Returns the end of the series
     * text; pos is there.
     */
    private int series(SampleSink sink, boolean lax) {
        int start = pos;
        int predicted = sink.predict(b, start, end);
        if (predicted > 0) {
            int e = start + predicted;
            // The same bytes as a text that once ended here; it ends here again if it is closed by
            // its brace, or is a bare name followed by neither more name nor (after blanks) a brace.
            if (b[e - 1] == '}' || endsBareName(e, lax)) {
                pos = e;
                seriesHash = 0;
                seriesHashEnd = e;
                return e;
            }
        }
        int fastEnd = scanSeries(start, lax);
        if (fastEnd > start) {
            long h = SeriesHash.hash(b, start, fastEnd);
            if (sink.known(b, start, fastEnd, h)) {
                pos = fastEnd;
                seriesHash = h;
                seriesHashEnd = fastEnd;
                return fastEnd;
            }
            seriesHash = h;
            seriesHashEnd = fastEnd;
        } else {
            seriesHashEnd = -1;
        }
        parseSeries(lax);
        return pos;
    }

    private boolean endsBareName(int e, boolean lax) {
        if (e >= end || isMetricChar(b[e]) || b[e] == '{') return false;
        if (lax) {
            while (e < end && (b[e] == ' ' || b[e] == '\t')) e++;
            return e >= end || b[e] != '{';
        }
        return true;
    }

    // The hash of b[series start, seriesHashEnd), computed by series(), so that emit() need not
    // hash the same text again; seriesHashEnd is -1 when none was computed.
    private long seriesHash;
    private int seriesHashEnd = -1;

    /**
     * The end of the series text starting at {@code p} by the same extent rules as {@link
     * #parseSeries} (a name, then in the lax format optional blanks and a label block, or a label
     * block alone; quoted strings with backslash escapes), without validating anything; -1 when
     * the text is cut by a newline or the end of input (the full parse then reports the error).
     */
    private int scanSeries(int p, boolean lax) {
        if (b[p] != '{') {
            p++;
            while (p < end && isMetricChar(b[p])) p++;
            int save = p;
            if (lax) {
                while (p < end && (b[p] == ' ' || b[p] == '\t')) p++;
            }
            if (p >= end || b[p] != '{') return save;
        }
        p++; // '{'
        while (p < end) {
            byte c = b[p];
            if (c == '}') return p + 1;
            if (c == '\n') return -1;
            if (c == '"') {
                p++;
                while (true) {
                    if (p >= end) return -1;
                    c = b[p];
                    if (c == '"') break;
                    if (c == '\n') return -1;
                    p += c == '\\' ? 2 : 1;
                }
            }
            p++;
        }
        return -1;
    }

    // ---------------------------------------------------------------- OpenMetrics 1.0

    private int parseOpenMetrics(SampleSink sink) {
        int samples = 0;
        while (true) {
            if (pos >= end) throw error("data does not end with # EOF");
            byte c = b[pos];
            if (c == '#') {
                if (omHash(sink)) return samples;
            } else if (c == '{' || isMetricStart(c)) {
                omSample(sink);
                samples++;
            } else {
                throw error("expected a valid start token, got " + describe(pos));
            }
        }
    }

    /** A line starting with '#'; true at {@code # EOF}. */
    private boolean omHash(SampleSink sink) {
        int start = pos;
        if (pos + 1 >= end || b[pos + 1] != ' ') throw error("expected a valid start token, got " + describe(pos));
        pos += 2;
        if (startsWith("EOF")) {
            pos += 3;
            if (pos < end && b[pos] == '\n') pos++;
            if (pos != end) throw errorAt(start, "unexpected data after # EOF");
            return true;
        }
        String kind = startsWith("HELP ") ? "HELP" : startsWith("TYPE ") ? "TYPE" : startsWith("UNIT ") ? "UNIT" : null;
        if (kind == null) {
            pos = start;
            throw error("expected a valid start token, got " + describe(pos));
        }
        pos += 5;
        boolean quotedFamily = pos < end && b[pos] == '"';
        int familyStart = quotedFamily ? pos + 1 : pos;
        String family = metaName(kind);
        int familyEnd = quotedFamily ? pos - 1 : pos;
        if (pos >= end || b[pos] != ' ') throw error("expected text in " + kind);
        int ts = ++pos;
        skipToEol();
        if (pos >= end) throw errorAt(ts, "expected text in " + kind);
        int te = pos;
        switch (kind) {
            case "HELP" -> {
                if (!Utf8.isValid(b, ts, te)) throw errorAt(ts, "help text is not valid UTF-8");
                sink.help(family, unescape(ts, te, true));
            }
            case "TYPE" -> {
                setType(family, omType(ts, te));
                sink.type(family, type);
            }
            default -> {
                String unit = new String(b, ts, te - ts, StandardCharsets.UTF_8);
                int ul = te - ts;
                int fl = familyEnd - familyStart;
                if (ul > 0 && (fl < ul + 1 || b[familyEnd - ul - 1] != '_' || !Arrays.equals(b, familyEnd - ul, familyEnd, b, ts, te))) {
                    throw errorAt(ts, "unit " + quote(unit) + " not a suffix of metric " + quote(family));
                }
                sink.unit(family, unit);
            }
        }
        endOfLine();
        return false;
    }

    private MetricType omType(int s, int e) {
        String t = new String(b, s, e - s, StandardCharsets.UTF_8);
        return switch (t) {
            case "counter" -> MetricType.COUNTER;
            case "gauge" -> MetricType.GAUGE;
            case "histogram" -> MetricType.HISTOGRAM;
            case "gaugehistogram" -> MetricType.GAUGEHISTOGRAM;
            case "summary" -> MetricType.SUMMARY;
            case "info" -> MetricType.INFO;
            case "stateset" -> MetricType.STATESET;
            case "unknown" -> MetricType.UNKNOWN;
            default -> throw errorAt(s, "invalid metric type " + quote(t));
        };
    }

    private void omSample(SampleSink sink) {
        int start = pos;
        int seriesEnd = series(sink, false);
        double v = omToken("expected value after metric", "value");
        long t = SampleSink.NO_TIMESTAMP;
        if (pos < end && b[pos] == ' ' && !exemplarAhead()) {
            pos++;
            int ts = pos;
            while (pos < end && b[pos] != ' ' && b[pos] != '\n') pos++;
            if (pos == ts) throw errorAt(ts, "expected next entry after value, got " + describe(ts));
            t = omTimestamp(ts, pos, "timestamp");
        }
        boolean hasExemplar = false;
        if (pos < end && b[pos] == ' ') {
            if (!exemplarAhead()) throw error("expected next entry after timestamp, got " + describe(pos));
            exemplar();
            hasExemplar = true;
        }
        if (pos >= end) throw error("data does not end with # EOF");
        if (b[pos] != '\n') throw error("expected next entry after timestamp, got " + describe(pos));
        emit(sink, start, seriesEnd, v, t);
        if (hasExemplar) sink.exemplar(b, exLabelsStart, exLabelsEnd, exValue, exT);
        endOfLine();
    }

    /** {@code " # {"} at pos. */
    private boolean exemplarAhead() {
        return pos + 3 < end && b[pos] == ' ' && b[pos + 1] == '#' && b[pos + 2] == ' ' && b[pos + 3] == '{';
    }

    /** Validates and records {@code " # {labels} value [timestamp]"}; pos ends at the newline. */
    private void exemplar() {
        pos += 3;
        exLabelsStart = pos;
        parseLabels(false, true);
        exLabelsEnd = pos;
        exValue = omToken("expected value after exemplar labels", "exemplar value");
        exT = SampleSink.NO_TIMESTAMP;
        if (pos < end && b[pos] == ' ') {
            int ts = ++pos;
            while (pos < end && b[pos] != ' ' && b[pos] != '\n') pos++;
            if (pos == ts) throw errorAt(ts, "expected exemplar timestamp, got " + describe(ts));
            exT = omTimestamp(ts, pos, "exemplar timestamp");
        }
    }

    /** A single space then a float token; pos ends after it. */
    private double omToken(String expected, String what) {
        if (pos >= end || b[pos] != ' ' || pos + 1 >= end || b[pos + 1] == ' ' || b[pos + 1] == '\n') {
            throw error(expected + ", got " + describe(pos));
        }
        int vs = ++pos;
        double v = plainDecimal();
        if (v == v) return v;
        while (pos < end && b[pos] != ' ' && b[pos] != '\n') pos++;
        return value(vs, pos, what);
    }

    private long omTimestamp(int s, int e, String what) {
        if (!GoFloat.isValid(b, s, e)) throw errorAt(s, "invalid " + what + " " + quote(text(s, e)));
        double seconds = GoFloat.parseValid(b, s, e);
        if (Double.isNaN(seconds) || Double.isInfinite(seconds)) {
            throw errorAt(s, "invalid " + what + " " + GoFloat.formatOpenMetrics(seconds));
        }
        return (long) (seconds * 1000);
    }

    // ---------------------------------------------------------------- series and labels

    /** Metric name and optional label block; pos ends after the series text. */
    private void parseSeries(boolean lax) {
        nameStart = -1;
        nameEnd = -1;
        nOffs = 0;
        if (b[pos] != '{') {
            nameStart = pos++;
            while (pos < end && isMetricChar(b[pos])) pos++;
            nameEnd = pos;
            int save = pos;
            if (lax) skipBlanks();
            if (pos < end && b[pos] == '{') {
                parseLabels(lax, false);
            } else {
                pos = save;
            }
        } else {
            parseLabels(lax, false);
        }
        if (nameStart < 0) throw errorAt(lineStart, "metric name not set");
    }

    /** pos at '{'; ends after '}'. */
    private void parseLabels(boolean lax, boolean exemplar) {
        pos++;
        while (true) {
            if (lax) skipBlanks();
            if (pos >= end) throw error("expected label name, got " + describe(pos));
            byte c = b[pos];
            if (c == '}') {
                pos++;
                return;
            }
            int ls;
            int le;
            boolean quoted = c == '"';
            if (quoted) {
                ls = pos + 1;
                scanQuoted("label name");
                le = pos - 1;
                if (!Utf8.isValid(b, ls, le)) throw errorAt(ls, "invalid UTF-8 in name " + quote(text(ls, le)));
            } else if (isLabelStart(c)) {
                ls = pos++;
                while (pos < end && isLabelChar(b[pos])) pos++;
                le = pos;
            } else {
                throw error("expected label name, got " + describe(pos));
            }
            if (lax) skipBlanks();
            if (quoted && pos < end && (b[pos] == ',' || b[pos] == '}')) {
                if (exemplar) throw error("expected equal sign after label name " + quote(text(ls, le)) + ", got " + describe(pos));
                if (nameStart >= 0) throw errorAt(ls - 1, "metric name already set");
                if (le == ls) throw errorAt(ls - 1, "empty metric name");
                nameStart = ls;
                nameEnd = le;
                if (b[pos++] == '}') return;
                continue;
            }
            if (le == ls) throw errorAt(ls - 1, "empty label name");
            if (pos >= end || b[pos] != '=') {
                throw error("expected equal sign after label name " + quote(text(ls, le)) + ", got " + describe(pos));
            }
            pos++;
            if (lax) skipBlanks();
            if (pos >= end || b[pos] != '"') {
                throw error("expected label value after label name " + quote(text(ls, le)) + ", got " + describe(pos));
            }
            int vs = pos + 1;
            scanQuoted("label value");
            int ve = pos - 1;
            if (!Utf8.isValid(b, vs, ve)) throw errorAt(vs, "invalid UTF-8 label value for label " + quote(text(ls, le)));
            if (!exemplar) addLabel(ls, le, vs, ve);
            if (lax) skipBlanks();
            if (pos < end && b[pos] == ',') {
                pos++;
            } else if (!lax && (pos >= end || b[pos] != '}')) {
                throw error("expected comma or brace close, got " + describe(pos));
            }
        }
    }

    private void addLabel(int ls, int le, int vs, int ve) {
        int count = nOffs / 4;
        if (count < SMALL_LABEL_SET) {
            for (int i = 0; i < nOffs; i += 4) {
                if (Arrays.equals(b, offs[i], offs[i + 1], b, ls, le)) throw errorAt(ls, "duplicate label name " + quote(text(ls, le)));
            }
        } else {
            // Many labels: a hash set of names keeps a hostile line from costing O(n^2).
            if (count == SMALL_LABEL_SET || count * 2 > dupSlots.length) rebuildNameSet(count);
            if (!addToNameSet(ls, le, count)) throw errorAt(ls, "duplicate label name " + quote(text(ls, le)));
        }
        if (Arrays.equals(b, ls, le, NAME_LABEL, 0, NAME_LABEL.length)) {
            throw errorAt(ls, "duplicate label name " + quote(Labels.METRIC_NAME) + ": the metric name is set already");
        }
        if (nOffs + 4 > offs.length) offs = Arrays.copyOf(offs, offs.length * 2);
        offs[nOffs++] = ls;
        offs[nOffs++] = le;
        offs[nOffs++] = vs;
        offs[nOffs++] = ve;
    }

    private static final int SMALL_LABEL_SET = 16;
    private int[] dupSlots = new int[64]; // label index + 1 per slot, valid when dupStamp matches
    private int[] dupStamp = new int[64];
    private int stamp;

    private void rebuildNameSet(int count) {
        int size = dupSlots.length;
        while (count * 2 > size) size *= 2;
        if (size != dupSlots.length) {
            dupSlots = new int[size];
            dupStamp = new int[size];
        }
        if (++stamp == 0) { // wrapped: clear so that no stale stamp matches
            Arrays.fill(dupStamp, 0);
            stamp = 1;
        }
        for (int i = 0; i < count; i++) addToNameSet(offs[4 * i], offs[4 * i + 1], i);
    }

    /** Adds label {@code index} (name {@code b[ls, le)}); false when the name is present already. */
    private boolean addToNameSet(int ls, int le, int index) {
        int mask = dupSlots.length - 1;
        int slot = (int) SeriesHash.hash(b, ls, le) & mask;
        while (dupStamp[slot] == stamp) {
            int other = dupSlots[slot] - 1;
            if (Arrays.equals(b, offs[4 * other], offs[4 * other + 1], b, ls, le)) return false;
            slot = (slot + 1) & mask;
        }
        dupStamp[slot] = stamp;
        dupSlots[slot] = index + 1;
        return true;
    }

    /** pos at the opening quote; ends after the closing one. Escapes are a backslash and any byte. */
    private void scanQuoted(String what) {
        int open = pos++;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\n') break;
            if (c == '\\') {
                if (pos + 1 >= end || b[pos + 1] == '\n') break;
                pos += 2;
            } else {
                pos++;
            }
        }
        throw errorAt(open, "unterminated quoted " + what);
    }

    /**
     * The common spelling of a value at pos (an optional minus, at most 18 digits with an optional
     * point, no exponent, then a blank, a newline or the end) parsed in the pass that finds its end,
     * which is most of a cached series' cost otherwise spent scanning it three times. Exact: the
     * digits fit in 2^53 and the scale is at most 10^18, so one division rounds correctly
     * (Clinger's fast path), as {@link GoFloat#parseValid} does. pos moves past the value; NaN (a
     * value this never returns, NaN being spelled with letters) means any other token, pos unmoved.
     */
    private double plainDecimal() {
        int p = pos;
        boolean neg = p < end && b[p] == '-';
        if (neg) p++;
        int digitsStart = p;
        long mant = 0;
        int d;
        while (p < end && (d = b[p] - '0') >= 0 && d <= 9) {
            mant = mant * 10 + d;
            p++;
        }
        int digits = p - digitsStart;
        int fraction = 0;
        if (p < end && b[p] == '.') {
            int fractionStart = ++p;
            while (p < end && (d = b[p] - '0') >= 0 && d <= 9) {
                mant = mant * 10 + d;
                p++;
            }
            fraction = p - fractionStart;
            digits += fraction;
        }
        // mant may have overflowed only when digits > 18, which goes the long way anyway.
        if (digits == 0 || digits > 18 || mant > (1L << 53)) return Double.NaN;
        if (p < end && b[p] != ' ' && b[p] != '\n') return Double.NaN; // '\t', an exponent, '{', ...: the long way
        pos = p;
        double v = fraction == 0 ? (double) mant : mant / POW10[fraction];
        return neg ? -v : v;
    }

    private static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

    private double value(int s, int e, String what) {
        if (!GoFloat.isValid(b, s, e)) throw errorAt(s, "invalid " + what + " " + quote(text(s, e)) + ": not a float");
        double v = GoFloat.parseValid(b, s, e);
        if (Double.isInfinite(v) && (b[e - 1] | 0x20) != 'f' && (b[e - 1] | 0x20) != 'y') {
            // A finite spelling beyond the double range: Go's ParseFloat reports ErrRange, and so
            // does Prometheus.
            throw errorAt(s, "invalid " + what + " " + quote(text(s, e)) + ": out of range");
        }
        return Double.isNaN(v) ? NORMAL_NAN : v;
    }

    private void emit(SampleSink sink, int s, int e, double v, long t) {
        long h = e == seriesHashEnd ? seriesHash : SeriesHash.hash(b, s, e);
        seriesHashEnd = -1;
        sink.sample(b, s, e, h, v, t);
    }

    // ---------------------------------------------------------------- labels on cache misses

    /**
     * Materializes the label set of raw series text that this parser reported, unescaping names and
     * values and normalizing {@code le} of histograms and {@code quantile} of summaries to
     * OpenMetrics float formatting (so {@code le="1"} becomes {@code le="1.0"}), as Prometheus 3.x
     * does. The family type is the one of the last TYPE line, so call this from within {@link
     * SampleSink#sample}; an error then names the current line.
     *
     * @throws ParseException when the text does not denote a valid label set (e.g. the same name
     *     spelled once quoted with escapes and once plain)
     */
    public Labels labels(byte[] buf, int start, int end) {
        String[] pairs = new String[16];
        int n = 2;
        int p = start;
        String name = null;
        while (p < end && (buf[p] == ' ' || buf[p] == '\t')) p++;
        if (p < end && buf[p] != '{') {
            int s = p;
            while (p < end && isMetricChar(buf[p])) p++;
            name = new String(buf, s, p - s, StandardCharsets.UTF_8);
            while (p < end && (buf[p] == ' ' || buf[p] == '\t')) p++;
        }
        if (p < end && buf[p] == '{') {
            p++;
            while (p < end) {
                byte c = buf[p];
                if (c == ' ' || c == '\t' || c == ',') {
                    p++;
                    continue;
                }
                if (c == '}') break;
                String token;
                if (c == '"') {
                    int s = ++p;
                    while (buf[p] != '"') p += buf[p] == '\\' ? 2 : 1;
                    token = unescape(buf, s, p, true);
                    p++;
                } else {
                    int s = p;
                    while (p < end && isLabelChar(buf[p])) p++;
                    token = new String(buf, s, p - s, StandardCharsets.UTF_8);
                }
                while (p < end && (buf[p] == ' ' || buf[p] == '\t')) p++;
                if (p < end && buf[p] == '=') {
                    p++;
                    while (buf[p] != '"') p++;
                    int s = ++p;
                    while (buf[p] != '"') p += buf[p] == '\\' ? 2 : 1;
                    String value = unescape(buf, s, p, true);
                    p++;
                    if (n + 2 > pairs.length) pairs = Arrays.copyOf(pairs, pairs.length * 2);
                    pairs[n++] = token;
                    pairs[n++] = value;
                } else {
                    name = token;
                }
            }
        }
        pairs[0] = Labels.METRIC_NAME;
        pairs[1] = name == null ? "" : name;
        normalize(pairs, n, pairs[1]);
        try {
            return Labels.of(n == pairs.length ? pairs : Arrays.copyOf(pairs, n));
        } catch (IllegalArgumentException e) {
            throw ParseException.at(line, 0, "invalid label set " + quote(new String(buf, start, end - start, StandardCharsets.UTF_8))
                    + ": " + e.getMessage(), e);
        }
    }

    private void normalize(String[] pairs, int n, String metric) {
        String label;
        if (type == MetricType.HISTOGRAM) {
            label = "le";
        } else if (type == MetricType.SUMMARY) {
            label = "quantile";
        } else {
            return;
        }
        // Only series of the typed family, as Prometheus checks isSeriesPartOfFamily.
        if (!metric.equals(typeFamily) && !(metric.startsWith(typeFamily) && metric.length() > typeFamily.length()
                && metric.charAt(typeFamily.length()) == '_')) {
            return;
        }
        for (int i = 2; i < n; i += 2) {
            if (pairs[i].equals(label)) {
                Double f = GoFloat.parse(pairs[i + 1]);
                if (f != null) pairs[i + 1] = GoFloat.formatOpenMetrics(f);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private void setType(String family, MetricType t) {
        typeFamily = family;
        type = t;
    }

    /** Metadata metric name, quoted or plain; pos ends after it. */
    private String metaName(String kind) {
        if (pos < end && b[pos] == '"') {
            int s = pos + 1;
            scanQuoted("metric name");
            if (!Utf8.isValid(b, s, pos - 1)) throw errorAt(s, "invalid UTF-8 in metric name");
            return unescape(b, s, pos - 1, true);
        }
        if (pos < end && isMetricStart(b[pos])) {
            int s = pos++;
            while (pos < end && isMetricChar(b[pos])) pos++;
            return new String(b, s, pos - s, StandardCharsets.UTF_8);
        }
        throw error("expected metric name after " + kind + ", got " + describe(pos));
    }

    /** Whether {@code w} followed by at least one blank is at pos; if so, skips both. */
    private boolean word(String w) {
        if (!startsWith(w)) return false;
        int after = pos + w.length();
        if (after >= end || (b[after] != ' ' && b[after] != '\t')) return false;
        pos = after;
        skipBlanks();
        return true;
    }

    private boolean startsWith(String w) {
        if (pos + w.length() > end) return false;
        for (int i = 0; i < w.length(); i++) {
            if (b[pos + i] != w.charAt(i)) return false;
        }
        return true;
    }

    private String unescape(int s, int e, boolean quotes) {
        return unescape(b, s, e, quotes);
    }

    /**
     * Prometheus's replacers: {@code \\} and {@code \n} always, {@code \"} when {@code quotes}
     * (label values, names, OpenMetrics help); any other escape stays as written.
     */
    private static String unescape(byte[] buf, int s, int e, boolean quotes) {
        int bs = -1;
        for (int i = s; i < e; i++) {
            if (buf[i] == '\\') {
                bs = i;
                break;
            }
        }
        if (bs < 0) return new String(buf, s, e - s, StandardCharsets.UTF_8);
        byte[] out = new byte[e - s];
        int n = 0;
        for (int i = s; i < e; i++) {
            byte c = buf[i];
            if (c == '\\' && i + 1 < e) {
                byte d = buf[i + 1];
                if (d == '\\' || d == 'n' || (quotes && d == '"')) {
                    out[n++] = d == 'n' ? (byte) '\n' : d;
                    i++;
                    continue;
                }
            }
            out[n++] = c;
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    private void skipBlanks() {
        while (pos < end && (b[pos] == ' ' || b[pos] == '\t')) pos++;
    }

    private void skipToEol() {
        while (pos < end && b[pos] != '\n') pos++;
    }

    /** At '\n' (consumed) or the end of the body. */
    private void endOfLine() {
        if (pos < end) newline();
    }

    private void newline() {
        pos++;
        line++;
        lineStart = pos;
    }

    private ParseException error(String detail) {
        return errorAt(pos, detail);
    }

    private ParseException errorAt(int at, String detail) {
        int col = 1;
        for (int i = lineStart; i < at && i < end; i++) {
            if ((b[i] & 0xC0) != 0x80) col++;
        }
        return ParseException.at(line, col, detail);
    }

    /** What is at {@code at}, for "got ..." in messages. */
    private String describe(int at) {
        if (at >= end) return "end of input";
        int e = at + 1;
        while (e < end && e < at + 4 && (b[e] & 0xC0) == 0x80) e++; // whole UTF-8 character
        return quote(text(at, e));
    }

    private String text(int s, int e) {
        return new String(b, s, Math.max(0, e - s), StandardCharsets.UTF_8);
    }

    /** Go's %q, roughly: quotes, escapes backslash, quote, newline, tab and control bytes. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\uFFFD') {
                        sb.append(String.format("\\x%02x", (int) c & 0xFF));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static boolean isMetricStart(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    }

    private static boolean isMetricChar(byte c) {
        return isMetricStart(c) || (c >= '0' && c <= '9');
    }

    private static boolean isLabelStart(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isLabelChar(byte c) {
        return isLabelStart(c) || (c >= '0' && c <= '9');
    }
}
