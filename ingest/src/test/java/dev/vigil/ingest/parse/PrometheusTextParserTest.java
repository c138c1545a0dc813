package dev.vigil.ingest.parse;

import static dev.vigil.ingest.parse.Recorder.helpLine;
import static dev.vigil.ingest.parse.Recorder.sample;
import static dev.vigil.ingest.parse.Recorder.typeLine;
import static dev.vigil.ingest.parse.SampleSink.NO_TIMESTAMP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Ported in good part from Prometheus's model/textparse/promparse_test.go. */
class PrometheusTextParserTest {
    static final ExpositionFormat F = ExpositionFormat.PROMETHEUS_TEXT;

    @Test
    void promParse() {
        String input = """
                # HELP go_gc_duration_seconds A summary of the GC invocation durations.
                # \tTYPE go_gc_duration_seconds summary
                go_gc_duration_seconds{quantile="0"} 4.9351e-05
                go_gc_duration_seconds{quantile="0.25",} 7.424100000000001e-05
                go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
                go_gc_duration_seconds{quantile="0.8", a="b"} 8.3835e-05
                go_gc_duration_seconds{ quantile="0.9", a="b"} 8.3835e-05
                # Hrandom comment starting with prefix of HELP
                #
                wind_speed{A="2",c="3"} 12345
                # comment with escaped \\n newline
                # comment with escaped \\ escape character
                # HELP nohelp1
                """ + "# HELP nohelp2 \n" + """
                go_gc_duration_seconds{ quantile="1.0", a="b" } 8.3835e-05
                go_gc_duration_seconds { quantile="1.0", a="b" } 8.3835e-05
                go_gc_duration_seconds { quantile= "1.0", a= "b", } 8.3835e-05
                go_gc_duration_seconds { quantile = "1.0", a = "b" } 8.3835e-05
                go_gc_duration_seconds { quantile = "2.0" a = "b" } 8.3835e-05
                go_gc_duration_seconds_count 99
                some:aggregate:rate5m{a_b="c"}\t1
                # HELP go_goroutines Number of goroutines that currently exist.
                # TYPE go_goroutines gauge
                go_goroutines 33  \t123123
                _metric_starting_with_underscore 1
                testmetric{_label_starting_with_underscore="foo"} 1
                testmetric{label="\\"bar\\""} 1
                # HELP metric foo\u0000bar
                null_byte_metric{a="abc\u0000"} 1""";
        List<String> exp = List.of(
                helpLine("go_gc_duration_seconds", "A summary of the GC invocation durations."),
                typeLine("go_gc_duration_seconds", MetricType.SUMMARY),
                sample("go_gc_duration_seconds{quantile=\"0\"}", "go_gc_duration_seconds{quantile=\"0.0\"}", 4.9351e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{quantile=\"0.25\",}", "go_gc_duration_seconds{quantile=\"0.25\"}", 7.424100000000001e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"}", "go_gc_duration_seconds{a=\"b\", quantile=\"0.5\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{quantile=\"0.8\", a=\"b\"}", "go_gc_duration_seconds{a=\"b\", quantile=\"0.8\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{ quantile=\"0.9\", a=\"b\"}", "go_gc_duration_seconds{a=\"b\", quantile=\"0.9\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("wind_speed{A=\"2\",c=\"3\"}", "wind_speed{A=\"2\", c=\"3\"}", 12345, NO_TIMESTAMP),
                helpLine("nohelp1", ""),
                helpLine("nohelp2", ""),
                sample("go_gc_duration_seconds{ quantile=\"1.0\", a=\"b\" }", "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds { quantile=\"1.0\", a=\"b\" }", "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds { quantile= \"1.0\", a= \"b\", }", "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds { quantile = \"1.0\", a = \"b\" }", "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                // Like Prometheus, the text format tolerates a missing comma between labels.
                sample("go_gc_duration_seconds { quantile = \"2.0\" a = \"b\" }", "go_gc_duration_seconds{a=\"b\", quantile=\"2.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds_count", "go_gc_duration_seconds_count{}", 99, NO_TIMESTAMP),
                sample("some:aggregate:rate5m{a_b=\"c\"}", "some:aggregate:rate5m{a_b=\"c\"}", 1, NO_TIMESTAMP),
                helpLine("go_goroutines", "Number of goroutines that currently exist."),
                typeLine("go_goroutines", MetricType.GAUGE),
                sample("go_goroutines", "go_goroutines{}", 33, 123123),
                sample("_metric_starting_with_underscore", "_metric_starting_with_underscore{}", 1, NO_TIMESTAMP),
                sample("testmetric{_label_starting_with_underscore=\"foo\"}", "testmetric{_label_starting_with_underscore=\"foo\"}", 1, NO_TIMESTAMP),
                sample("testmetric{label=\"\\\"bar\\\"\"}", "testmetric{label=\"\\\"bar\\\"\"}", 1, NO_TIMESTAMP),
                helpLine("metric", "foo\u0000bar"),
                sample("null_byte_metric{a=\"abc\u0000\"}", "null_byte_metric{a=\"abc\u0000\"}", 1, NO_TIMESTAMP));
        assertEquals(exp, Recorder.parse(F, input));
    }

    @Test
    void utf8PromParse() {
        String input = """
                # HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
                # \tTYPE "go.gc_duration_seconds" summary
                {"go.gc_duration_seconds",quantile="0"} 4.9351e-05
                {"go.gc_duration_seconds",quantile="0.25",} 7.424100000000001e-05
                {"go.gc_duration_seconds",quantile="0.5",a="b"} 8.3835e-05
                {"go.gc_duration_seconds", quantile="0.9", a="b"} 8.3835e-05
                { "go.gc_duration_seconds", quantile="1.0", a="b" } 8.3835e-05
                { "go.gc_duration_seconds", quantile = "1.0", a = "b" } 8.3835e-05
                {"go.gc_duration_seconds_count"} 99
                {"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0""";
        List<String> exp = List.of(
                helpLine("go.gc_duration_seconds", "A summary of the GC invocation durations."),
                typeLine("go.gc_duration_seconds", MetricType.SUMMARY),
                sample("{\"go.gc_duration_seconds\",quantile=\"0\"}", "go.gc_duration_seconds{quantile=\"0.0\"}", 4.9351e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds\",quantile=\"0.25\",}", "go.gc_duration_seconds{quantile=\"0.25\"}", 7.424100000000001e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds\",quantile=\"0.5\",a=\"b\"}", "go.gc_duration_seconds{a=\"b\", quantile=\"0.5\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds\", quantile=\"0.9\", a=\"b\"}", "go.gc_duration_seconds{a=\"b\", quantile=\"0.9\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{ \"go.gc_duration_seconds\", quantile=\"1.0\", a=\"b\" }", "go.gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{ \"go.gc_duration_seconds\", quantile = \"1.0\", a = \"b\" }", "go.gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds_count\"}", "go.gc_duration_seconds_count{}", 99, NO_TIMESTAMP),
                sample("{\"Heizölrückstoßabdämpfung 10€ metric with \\\"interesting\\\" {character\\nchoices}\",\"strange©™\\n'quoted' \\\"name\\\"\"=\"6\"}",
                        "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}{strange©™\n'quoted' \"name\"=\"6\"}", 10, NO_TIMESTAMP));
        assertEquals(exp, Recorder.parse(F, input));
    }

    record Bad(String input, int line, String message) {
        @Override
        public String toString() {
            return "[" + input.replace("\n", "\\n") + "]";
        }
    }

    static Stream<Bad> errors() {
        return Stream.of(
                new Bad("a", 1, "line 1, column 2: expected value after metric, got end of input"),
                new Bad("a{b='c'} 1\n", 1, "line 1, column 5: expected label value after label name \"b\", got \"'\""),
                new Bad("a{b=\n", 1, "line 1, column 5: expected label value after label name \"b\", got \"\\n\""),
                new Bad("a{\u00ff=\"foo\"} 1\n", 1, "line 1, column 3: expected label name, got \"ÿ\""),
                new Bad("a{b=\"\\xff\"} 1\n".replace("\\xff", "\u00ff").replace("\u00ff", "\u00ff"), 0, null), // valid: U+00FF is valid UTF-8
                new Bad("{\"a\", \"b = \"c\"}", 1, "line 1, column 13: expected equal sign after label name \"b = \", got \"c\""),
                new Bad("{\"a\",b\\nc=\"d\"} 1", 1, "line 1, column 7: expected equal sign after label name \"b\", got \"\\\\\""),
                new Bad("a true\n", 1, "line 1, column 3: invalid value \"true\": not a float"),
                new Bad("something_weird{problem=\"", 1, "line 1, column 25: unterminated quoted label value"),
                new Bad("empty_label_name{=\"\"} 0", 1, "line 1, column 18: expected label name, got \"=\""),
                new Bad("foo 1_2\n", 1, "line 1, column 5: invalid value \"1_2\": not a float"),
                new Bad("foo 0x1p-3\n", 1, "line 1, column 5: invalid value \"0x1p-3\": not a float"),
                new Bad("foo 0x1P-3\n", 1, "line 1, column 5: invalid value \"0x1P-3\": not a float"),
                new Bad("foo 0 1_2\n", 1, "line 1, column 8: expected next entry after timestamp, got \"_\""),
                new Bad("{a=\"ok\"} 1", 1, "line 1, column 1: metric name not set"),
                new Bad("# TYPE #\n#EOF\n", 1, "line 1, column 8: expected metric name after TYPE, got \"#\""),
                new Bad("# HELP #\n#EOF\n", 1, "line 1, column 8: expected metric name after HELP, got \"#\""),
                new Bad("# TYPE foo bar\n", 1, "line 1, column 12: invalid metric type \"bar\""),
                new Bad("a{b=\"\u0000ss\"} 1\n", 0, null),
                new Bad("a{b=\u0000\"ssss\"} 1\n", 1, "line 1, column 5: expected label value after label name \"b\", got \"\\x00\""),
                new Bad("a{b\u0000=\"hiih\"}\t1", 1, "line 1, column 4: expected equal sign after label name \"b\", got \"\\x00\""),
                new Bad("a\u0000{b=\"ddd\"} 1", 1, "line 1, column 2: invalid value \"\\x00\": not a float"),
                new Bad("a 0 1\u0000", 1, "line 1, column 6: expected next entry after timestamp, got \"\\x00\""),
                // Ours.
                new Bad("ok 1\nok 2\n\nx{a=\"1\",a=\"2\"} 3\n", 4, "line 4, column 9: duplicate label name \"a\""),
                new Bad("x{__name__=\"y\"} 3\n", 1, "line 1, column 3: duplicate label name \"__name__\": the metric name is set already"),
                new Bad("x{\"y\"} 3\n", 1, "line 1, column 3: metric name already set"),
                new Bad("x 1 99999999999999999999\n", 1, "line 1, column 5: timestamp out of range"),
                new Bad("x 1 -5\n", 1, "line 1, column 5: expected timestamp or new record, got \"-\""),
                new Bad("ünicode 1\n", 1, "line 1, column 1: expected a valid start token"),
                new Bad("x{a=\"b\nc\"} 1\n", 1, "line 1, column 5: unterminated quoted label value"),
                new Bad("# HELP x \u00ff\u00fe\n", 0, null),
                new Bad("x 1e400\n", 1, "line 1, column 3: invalid value \"1e400\": out of range"),
                new Bad("x -1e400\n", 1, "line 1, column 3: invalid value \"-1e400\": out of range"),
                new Bad("x 1e-400\n", 0, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errors(Bad c) {
        if (c.message() == null) {
            Recorder.parse(F, c.input());
            return;
        }
        ParseException e = assertThrows(ParseException.class, () -> Recorder.parse(F, c.input()));
        assertEquals(c.message(), e.getMessage());
        assertEquals(c.line(), e.line());
    }

    @Test
    void invalidUtf8LabelValue_isAnError() {
        byte[] b = {'a', '{', 'b', '=', '"', (byte) 0xff, '"', '}', ' ', '1', '\n'};
        ExpositionParser p = F.newParser();
        ParseException e = assertThrows(ParseException.class, () -> p.parse(b, b.length, new Recorder(p)));
        assertEquals("line 1, column 6: invalid UTF-8 label value for label \"b\"", e.getMessage());
    }

    @Test
    void specialValuesAndTimestamps() {
        List<String> got = Recorder.parse(F, "a +Inf\nb -Inf 5\nc NaN\nd -0\ne 1e3\nf .5\ng 1.\nh inf\ni Infinity\n");
        assertEquals(List.of(
                sample("a", "a{}", Double.POSITIVE_INFINITY, NO_TIMESTAMP),
                sample("b", "b{}", Double.NEGATIVE_INFINITY, 5),
                sample("c", "c{}", Double.NaN, NO_TIMESTAMP),
                sample("d", "d{}", -0.0, NO_TIMESTAMP),
                sample("e", "e{}", 1000, NO_TIMESTAMP),
                sample("f", "f{}", 0.5, NO_TIMESTAMP),
                sample("g", "g{}", 1, NO_TIMESTAMP),
                sample("h", "h{}", Double.POSITIVE_INFINITY, NO_TIMESTAMP),
                sample("i", "i{}", Double.POSITIVE_INFINITY, NO_TIMESTAMP)), got);
    }

    @Test
    void histogramLe_isNormalized_onlyInItsFamily() {
        List<String> got = Recorder.parse(F, """
                # TYPE h histogram
                h_bucket{le="1"} 1
                h_bucket{le="1e6"} 1
                h_bucket{le="100000"} 1
                h_bucket{le="0.00001"} 1
                h_bucket{le="+Inf"} 2
                other_bucket{le="1"} 1
                """);
        assertEquals(List.of(
                typeLine("h", MetricType.HISTOGRAM),
                sample("h_bucket{le=\"1\"}", "h_bucket{le=\"1.0\"}", 1, NO_TIMESTAMP),
                sample("h_bucket{le=\"1e6\"}", "h_bucket{le=\"1e+06\"}", 1, NO_TIMESTAMP),
                sample("h_bucket{le=\"100000\"}", "h_bucket{le=\"100000.0\"}", 1, NO_TIMESTAMP),
                sample("h_bucket{le=\"0.00001\"}", "h_bucket{le=\"1e-05\"}", 1, NO_TIMESTAMP),
                sample("h_bucket{le=\"+Inf\"}", "h_bucket{le=\"+Inf\"}", 2, NO_TIMESTAMP),
                sample("other_bucket{le=\"1\"}", "other_bucket{le=\"1\"}", 1, NO_TIMESTAMP)), got);
    }

    @Test
    void nanIsPrometheusNormalNan_neverTheStaleMarker() {
        ExpositionParser p = F.newParser();
        long[] bits = new long[1];
        byte[] b = "x NaN\n".getBytes();
        p.parse(b, b.length, (buf, s, e, h, v, t) -> bits[0] = Double.doubleToRawLongBits(v));
        assertEquals(0x7ff8000000000001L, bits[0]);
    }

    @Test
    void emptyBody_hasNoSamples() {
        assertEquals(List.of(), Recorder.parse(F, ""));
        assertEquals(List.of(), Recorder.parse(F, "\n\n  \n# just a comment"));
    }

    @Test
    void parse_honoursLength() {
        ExpositionParser p = F.newParser();
        byte[] b = "a 1\nb 2\ngarbage garbage".getBytes();
        assertEquals(2, p.parse(b, 8, new Recorder(p)));
    }

    @Test
    void manyLabels_duplicatesFound_inLinearTime() {
        StringBuilder sb = new StringBuilder("big{");
        for (int i = 0; i < 200_000; i++) sb.append("l").append(i).append("=\"v\",");
        String ok = sb + "} 1\n";
        ExpositionParser p = F.newParser();
        byte[] b = ok.getBytes();
        assertEquals(1, p.parse(b, b.length, (buf, s, e, h, v, t) -> {}));
        byte[] dup = (sb + "l77=\"w\"} 1\n").getBytes();
        ParseException e = assertThrows(ParseException.class, () -> p.parse(dup, dup.length, (buf, s, en, h, v, t) -> {}));
        assertEquals("duplicate label name \"l77\"", e.detail());
        byte[] dup2 = "x{a=\"1\",b=\"1\",c=\"1\",d=\"1\",e=\"1\",f=\"1\",g=\"1\",h=\"1\",i=\"1\",j=\"1\",k=\"1\",l=\"1\",m=\"1\",n=\"1\",o=\"1\",p=\"1\",q=\"1\",a=\"2\"} 1\n".getBytes();
        ParseException e2 = assertThrows(ParseException.class, () -> p.parse(dup2, dup2.length, (buf, s, en, h, v, t) -> {}));
        assertEquals("duplicate label name \"a\"", e2.detail());
    }
}
