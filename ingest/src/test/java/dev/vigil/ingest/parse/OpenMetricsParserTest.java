package dev.vigil.ingest.parse;

import static dev.vigil.ingest.parse.Recorder.helpLine;
import static dev.vigil.ingest.parse.Recorder.sample;
import static dev.vigil.ingest.parse.Recorder.typeLine;
import static dev.vigil.ingest.parse.Recorder.unitLine;
import static dev.vigil.ingest.parse.SampleSink.NO_TIMESTAMP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Ported in good part from Prometheus's model/textparse/openmetricsparse_test.go. */
class OpenMetricsParserTest {
    static final ExpositionFormat F = ExpositionFormat.OPENMETRICS_TEXT;

    @Test
    void openMetricsParse() {
        String input = """
                # HELP go_gc_duration_seconds A summary of the GC invocation durations.
                # TYPE go_gc_duration_seconds summary
                # UNIT go_gc_duration_seconds seconds
                go_gc_duration_seconds{quantile="0"} 4.9351e-05
                go_gc_duration_seconds{quantile="0.25"} 7.424100000000001e-05
                go_gc_duration_seconds{quantile="0.5",a="b"} 8.3835e-05
                """ + "# HELP nohelp1 \n" + """
                # HELP help2 escape \\ \\n \\\\ \\" \\x chars
                """ + "# UNIT nounit \n" + """
                go_gc_duration_seconds{quantile="1.0",a="b"} 8.3835e-05
                go_gc_duration_seconds_count 99
                some:aggregate:rate5m{a_b="c"} 1
                # HELP go_goroutines Number of goroutines that currently exist.
                # TYPE go_goroutines gauge
                go_goroutines 33 123.123
                # TYPE hh histogram
                hh_bucket{le="+Inf"} 1
                # TYPE gh gaugehistogram
                gh_bucket{le="+Inf"} 1
                # TYPE hhh histogram
                hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
                hhh_count 1 # {id="histogram-count-test"} 4
                # TYPE ggh gaugehistogram
                ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
                ggh_count 1 # {id="gaugehistogram-count-test",xx="yy"} 4 123.123
                # TYPE smr_seconds summary
                smr_seconds_count 2.0 # {id="summary-count-test"} 1 123.321
                smr_seconds_sum 42.0 # {id="summary-sum-test"} 1 123.321
                # TYPE ii info
                ii{foo="bar"} 1
                # TYPE ss stateset
                ss{ss="foo"} 1
                ss{ss="bar"} 0
                ss{A="a"} 0
                # TYPE un unknown
                _metric_starting_with_underscore 1
                testmetric{_label_starting_with_underscore="foo"} 1
                testmetric{label="\\"bar\\""} 1
                # HELP foo Counter with and without labels to certify CT is parsed for both cases
                # TYPE foo counter
                foo_total 17.0 1520879607.789 # {id="counter-test"} 5
                foo_created 1520872607.123
                foo_total{a="b"} 17.0 1520879607.789 # {id="counter-test"} 5
                foo_created{a="b"} 1520872607.123
                # TYPE something histogram
                something_count 18
                something_sum 324789.4
                something_created 1520430001
                something_bucket{le="0.0"} 1
                something_bucket{le="1"} 2
                something_bucket{le="+Inf"} 18
                # HELP metric foo\u0000bar
                null_byte_metric{a="abc\u0000"} 1
                # EOF
                """;
        List<String> exp = List.of(
                helpLine("go_gc_duration_seconds", "A summary of the GC invocation durations."),
                typeLine("go_gc_duration_seconds", MetricType.SUMMARY),
                unitLine("go_gc_duration_seconds", "seconds"),
                sample("go_gc_duration_seconds{quantile=\"0\"}", "go_gc_duration_seconds{quantile=\"0.0\"}", 4.9351e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{quantile=\"0.25\"}", "go_gc_duration_seconds{quantile=\"0.25\"}", 7.424100000000001e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds{quantile=\"0.5\",a=\"b\"}", "go_gc_duration_seconds{a=\"b\", quantile=\"0.5\"}", 8.3835e-05, NO_TIMESTAMP),
                helpLine("nohelp1", ""),
                helpLine("help2", "escape \\ \n \\ \" \\x chars"),
                unitLine("nounit", ""),
                sample("go_gc_duration_seconds{quantile=\"1.0\",a=\"b\"}", "go_gc_duration_seconds{a=\"b\", quantile=\"1.0\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("go_gc_duration_seconds_count", "go_gc_duration_seconds_count{}", 99, NO_TIMESTAMP),
                sample("some:aggregate:rate5m{a_b=\"c\"}", "some:aggregate:rate5m{a_b=\"c\"}", 1, NO_TIMESTAMP),
                helpLine("go_goroutines", "Number of goroutines that currently exist."),
                typeLine("go_goroutines", MetricType.GAUGE),
                sample("go_goroutines", "go_goroutines{}", 33, 123123),
                typeLine("hh", MetricType.HISTOGRAM),
                sample("hh_bucket{le=\"+Inf\"}", "hh_bucket{le=\"+Inf\"}", 1, NO_TIMESTAMP),
                typeLine("gh", MetricType.GAUGEHISTOGRAM),
                sample("gh_bucket{le=\"+Inf\"}", "gh_bucket{le=\"+Inf\"}", 1, NO_TIMESTAMP),
                typeLine("hhh", MetricType.HISTOGRAM),
                sample("hhh_bucket{le=\"+Inf\"}", "hhh_bucket{le=\"+Inf\"}", 1, NO_TIMESTAMP),
                sample("hhh_count", "hhh_count{}", 1, NO_TIMESTAMP),
                typeLine("ggh", MetricType.GAUGEHISTOGRAM),
                sample("ggh_bucket{le=\"+Inf\"}", "ggh_bucket{le=\"+Inf\"}", 1, NO_TIMESTAMP),
                sample("ggh_count", "ggh_count{}", 1, NO_TIMESTAMP),
                typeLine("smr_seconds", MetricType.SUMMARY),
                sample("smr_seconds_count", "smr_seconds_count{}", 2, NO_TIMESTAMP),
                sample("smr_seconds_sum", "smr_seconds_sum{}", 42, NO_TIMESTAMP),
                typeLine("ii", MetricType.INFO),
                sample("ii{foo=\"bar\"}", "ii{foo=\"bar\"}", 1, NO_TIMESTAMP),
                typeLine("ss", MetricType.STATESET),
                sample("ss{ss=\"foo\"}", "ss{ss=\"foo\"}", 1, NO_TIMESTAMP),
                sample("ss{ss=\"bar\"}", "ss{ss=\"bar\"}", 0, NO_TIMESTAMP),
                sample("ss{A=\"a\"}", "ss{A=\"a\"}", 0, NO_TIMESTAMP),
                typeLine("un", MetricType.UNKNOWN),
                sample("_metric_starting_with_underscore", "_metric_starting_with_underscore{}", 1, NO_TIMESTAMP),
                sample("testmetric{_label_starting_with_underscore=\"foo\"}", "testmetric{_label_starting_with_underscore=\"foo\"}", 1, NO_TIMESTAMP),
                sample("testmetric{label=\"\\\"bar\\\"\"}", "testmetric{label=\"\\\"bar\\\"\"}", 1, NO_TIMESTAMP),
                helpLine("foo", "Counter with and without labels to certify CT is parsed for both cases"),
                typeLine("foo", MetricType.COUNTER),
                sample("foo_total", "foo_total{}", 17, 1520879607789L),
                sample("foo_created", "foo_created{}", 1520872607.123, NO_TIMESTAMP),
                sample("foo_total{a=\"b\"}", "foo_total{a=\"b\"}", 17, 1520879607789L),
                sample("foo_created{a=\"b\"}", "foo_created{a=\"b\"}", 1520872607.123, NO_TIMESTAMP),
                typeLine("something", MetricType.HISTOGRAM),
                sample("something_count", "something_count{}", 18, NO_TIMESTAMP),
                sample("something_sum", "something_sum{}", 324789.4, NO_TIMESTAMP),
                sample("something_created", "something_created{}", 1520430001, NO_TIMESTAMP),
                sample("something_bucket{le=\"0.0\"}", "something_bucket{le=\"0.0\"}", 1, NO_TIMESTAMP),
                sample("something_bucket{le=\"1\"}", "something_bucket{le=\"1.0\"}", 2, NO_TIMESTAMP),
                sample("something_bucket{le=\"+Inf\"}", "something_bucket{le=\"+Inf\"}", 18, NO_TIMESTAMP),
                helpLine("metric", "foo\u0000bar"),
                sample("null_byte_metric{a=\"abc\u0000\"}", "null_byte_metric{a=\"abc\u0000\"}", 1, NO_TIMESTAMP));
        assertEquals(exp, Recorder.parse(F, input));
    }

    @Test
    void utf8OpenMetricsParse() {
        String input = """
                # HELP "go.gc_duration_seconds" A summary of the GC invocation durations.
                # TYPE "go.gc_duration_seconds" summary
                # UNIT "go.gc_duration_seconds" seconds
                {"go.gc_duration_seconds",quantile="0"} 4.9351e-05
                {"go.gc_duration_seconds",quantile="0.25"} 7.424100000000001e-05
                {"go.gc_duration_seconds_created"} 1520872607.123
                {"http.status",q="0.9",a="b"} 8.3835e-05
                {q="0.9","http.status",a="b"} 8.3835e-05
                {"Heizölrückstoßabdämpfung 10€ metric with \\"interesting\\" {character\\nchoices}","strange©™\\n'quoted' \\"name\\""="6"} 10.0
                quotedexemplar_count 1 # {"id.thing"="histogram-count-test"} 4
                quotedexemplar2_count 1 # {"id.thing"="histogram-count-test",other="hello"} 4
                # EOF
                """;
        List<String> exp = List.of(
                helpLine("go.gc_duration_seconds", "A summary of the GC invocation durations."),
                typeLine("go.gc_duration_seconds", MetricType.SUMMARY),
                unitLine("go.gc_duration_seconds", "seconds"),
                sample("{\"go.gc_duration_seconds\",quantile=\"0\"}", "go.gc_duration_seconds{quantile=\"0.0\"}", 4.9351e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds\",quantile=\"0.25\"}", "go.gc_duration_seconds{quantile=\"0.25\"}", 7.424100000000001e-05, NO_TIMESTAMP),
                sample("{\"go.gc_duration_seconds_created\"}", "go.gc_duration_seconds_created{}", 1520872607.123, NO_TIMESTAMP),
                sample("{\"http.status\",q=\"0.9\",a=\"b\"}", "http.status{a=\"b\", q=\"0.9\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{q=\"0.9\",\"http.status\",a=\"b\"}", "http.status{a=\"b\", q=\"0.9\"}", 8.3835e-05, NO_TIMESTAMP),
                sample("{\"Heizölrückstoßabdämpfung 10€ metric with \\\"interesting\\\" {character\\nchoices}\",\"strange©™\\n'quoted' \\\"name\\\"\"=\"6\"}",
                        "Heizölrückstoßabdämpfung 10€ metric with \"interesting\" {character\nchoices}{strange©™\n'quoted' \"name\"=\"6\"}", 10, NO_TIMESTAMP),
                sample("quotedexemplar_count", "quotedexemplar_count{}", 1, NO_TIMESTAMP),
                sample("quotedexemplar2_count", "quotedexemplar2_count{}", 1, NO_TIMESTAMP));
        assertEquals(exp, Recorder.parse(F, input));
    }

    record Bad(String input, int line, String detail) {
        @Override
        public String toString() {
            return "[" + input.replace("\n", "\\n") + "]";
        }
    }

    static Stream<Bad> errors() {
        return Stream.of(
                new Bad("# EOF", 0, null),
                new Bad("# EOF\n", 0, null),
                new Bad("", 1, "data does not end with # EOF"),
                new Bad("\n", 1, "expected a valid start token, got \"\\n\""),
                new Bad("metric", 1, "expected value after metric, got end of input"),
                new Bad("metric 1", 1, "data does not end with # EOF"),
                new Bad("metric 1\n", 2, "data does not end with # EOF"),
                new Bad("metric_total 1 # {aa=\"bb\"} 4", 1, "data does not end with # EOF"),
                new Bad("a\n#EOF\n", 1, "expected value after metric, got \"\\n\""),
                new Bad("\n\n#EOF\n", 1, "expected a valid start token, got \"\\n\""),
                new Bad(" a 1\n#EOF\n", 1, "expected a valid start token, got \" \""),
                new Bad("9\n#EOF\n", 1, "expected a valid start token, got \"9\""),
                new Bad("# TYPE u untyped\n#EOF\n", 1, "invalid metric type \"untyped\""),
                new Bad("# TYPE c counter \n#EOF\n", 1, "invalid metric type \"counter \""),
                new Bad("#  TYPE c counter\n#EOF\n", 1, "expected a valid start token, got \"#\""),
                new Bad("# TYPE \n#EOF\n", 1, "expected metric name after TYPE, got \"\\n\""),
                new Bad("# TYPE m\n#EOF\n", 1, "expected text in TYPE"),
                new Bad("# UNIT metric suffix\n#EOF\n", 1, "unit \"suffix\" not a suffix of metric \"metric\""),
                new Bad("# UNIT metricsuffix suffix\n#EOF\n", 1, "unit \"suffix\" not a suffix of metric \"metricsuffix\""),
                new Bad("# UNIT m suffix\n#EOF\n", 1, "unit \"suffix\" not a suffix of metric \"m\""),
                new Bad("# UNIT \n#EOF\n", 1, "expected metric name after UNIT, got \"\\n\""),
                new Bad("# UNIT m\n#EOF\n", 1, "expected text in UNIT"),
                new Bad("# HELP \n#EOF\n", 1, "expected metric name after HELP, got \"\\n\""),
                new Bad("# HELP m\n#EOF\n", 1, "expected text in HELP"),
                new Bad("a\t1\n#EOF\n", 1, "expected value after metric, got \"\\t\""),
                new Bad("a 1\t2\n#EOF\n", 1, "invalid value \"1\\t2\": not a float"),
                new Bad("a 1 2 \n#EOF\n", 1, "expected next entry after timestamp, got \" \""),
                new Bad("a 1 2 #\n#EOF\n", 1, "expected next entry after timestamp, got \" \""),
                new Bad("a 1 1z\n#EOF\n", 1, "invalid timestamp \"1z\""),
                new Bad(" # EOF\n", 1, "expected a valid start token, got \" \""),
                new Bad("# EOF\na 1", 1, "unexpected data after # EOF"),
                new Bad("# EOF\n\n", 1, "unexpected data after # EOF"),
                new Bad("# EOFa 1", 1, "unexpected data after # EOF"),
                new Bad("#\tTYPE c counter\n", 1, "expected a valid start token, got \"#\""),
                new Bad("# TYPE c  counter\n", 1, "invalid metric type \" counter\""),
                new Bad("a 1 1 1\n# EOF\n", 1, "expected next entry after timestamp, got \" \""),
                new Bad("a{b='c'} 1\n# EOF\n", 1, "expected label value after label name \"b\", got \"'\""),
                new Bad("a{,b=\"c\"} 1\n# EOF\n", 1, "expected label name, got \",\""),
                new Bad("a{b=\"c\"d=\"e\"} 1\n# EOF\n", 1, "expected comma or brace close, got \"d\""),
                new Bad("a{b=\"c\",,d=\"e\"} 1\n# EOF\n", 1, "expected label name, got \",\""),
                new Bad("a{b=\n# EOF\n", 1, "expected label value after label name \"b\", got \"\\n\""),
                new Bad("a{\u00ff=\"foo\"} 1\n# EOF\n", 1, "expected label name, got \"ÿ\""),
                new Bad("{\"a\",\"b = \"c\"}\n# EOF\n", 1, "expected equal sign after label name \"b = \", got \"c\""),
                new Bad("{\"a\",b\\nc=\"d\"} 1\n# EOF\n", 1, "expected equal sign after label name \"b\", got \"\\\\\""),
                new Bad("a true\n", 1, "invalid value \"true\": not a float"),
                new Bad("something_weird{problem=\"\n# EOF\n", 1, "unterminated quoted label value"),
                new Bad("empty_label_name{=\"\"} 0\n# EOF\n", 1, "expected label name, got \"=\""),
                new Bad("foo 1_2\n\n# EOF\n", 1, "invalid value \"1_2\": not a float"),
                new Bad("foo 0x1p-3\n\n# EOF\n", 1, "invalid value \"0x1p-3\": not a float"),
                new Bad("foo 0 1_2\n\n# EOF\n", 1, "invalid timestamp \"1_2\""),
                new Bad("custom_metric_total 1 # {aa=bb}\n# EOF\n", 1, "expected label value after label name \"aa\", got \"b\""),
                new Bad("custom_metric_total 1 # {aa=\"bb\"}\n# EOF\n", 1, "expected value after exemplar labels, got \"\\n\""),
                new Bad("custom_metric_total 1 # {aa=\"bb\"}", 1, "expected value after exemplar labels, got end of input"),
                new Bad("custom_metric_total 1 # {bb}", 1, "expected equal sign after label name \"bb\", got \"}\""),
                new Bad("custom_metric_total 1 # {bb, a=\"dd\"}", 1, "expected equal sign after label name \"bb\", got \",\""),
                new Bad("custom_metric_total 1 # {aa=\"bb\",,cc=\"dd\"} 1", 1, "expected label name, got \",\""),
                new Bad("custom_metric_total 1 # {aa=\"bb\"} 1_2", 1, "invalid exemplar value \"1_2\": not a float"),
                new Bad("custom_metric_total 1 # {aa=\"bb\"} true", 1, "invalid exemplar value \"true\": not a float"),
                new Bad("custom_metric_total 1 # {aa=\"bb\",cc=}", 1, "expected label value after label name \"cc\", got \"}\""),
                new Bad("{b=\"c\",} 1", 1, "metric name not set"),
                new Bad("a 1 NaN", 1, "invalid timestamp NaN"),
                new Bad("a 1 -Inf", 1, "invalid timestamp -Inf"),
                new Bad("a 1 Inf", 1, "invalid timestamp +Inf"),
                new Bad("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 NaN", 2, "invalid exemplar timestamp NaN"),
                new Bad("# TYPE hhh histogram\nhhh_bucket{le=\"+Inf\"} 1 # {aa=\"bb\"} 4 -Inf", 2, "invalid exemplar timestamp -Inf"),
                // Null bytes (TestOMNullByteHandling).
                new Bad("null_byte_metric{a=\"abc\u0000\"} 1\n# EOF\n", 0, null),
                new Bad("a{b=\"\u0000ss\"} 1\n# EOF\n", 0, null),
                new Bad("a{b=\"\u0000\"} 1\n# EOF", 0, null),
                new Bad("a{b=\u0000\"ssss\"} 1\n# EOF\n", 1, "expected label value after label name \"b\", got \"\\x00\""),
                new Bad("a{b=\"\u0000", 1, "unterminated quoted label value"),
                new Bad("a{b\u0000=\"hiih\"}\t1", 1, "expected equal sign after label name \"b\", got \"\\x00\""),
                new Bad("#", 1, "expected a valid start token, got \"#\""),
                new Bad("# H", 1, "expected a valid start token, got \"#\""),
                new Bad("custom_metric_total 1 # {b=\u0000\"ssss\"} 1\n", 1, "expected label value after label name \"b\", got \"\\x00\""),
                // Ours.
                new Bad("a 1\nb 2\nc{x=\"1\",x=\"2\"} 3\n# EOF\n", 3, "duplicate label name \"x\""),
                new Bad("a  1\n# EOF\n", 1, "expected value after metric, got \" \""),
                new Bad("a{b=\"c\"}\n# EOF\n", 1, "expected value after metric, got \"\\n\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void errors(Bad c) {
        if (c.detail() == null) {
            Recorder.parse(F, c.input());
            return;
        }
        ParseException e = assertThrows(ParseException.class, () -> Recorder.parse(F, c.input()));
        assertEquals(c.detail(), e.detail(), e.getMessage());
        assertEquals(c.line(), e.line(), e.getMessage());
    }

    @Test
    void timestampsAreSecondsToMillis() {
        List<String> got = Recorder.parse(F, "a 1 1.5\nb 2 -1\nc 3 1e3\n# EOF\n");
        assertEquals(List.of(
                sample("a", "a{}", 1, 1500),
                sample("b", "b{}", 2, -1000),
                sample("c", "c{}", 3, 1_000_000)), got);
    }

    @Test
    void errorMessage_namesLineAndColumn() {
        ParseException e = assertThrows(ParseException.class, () -> Recorder.parse(F, "a 1\nfoo{bar=\"x\"} 1\nfoo{bar\"x\"} 2\n# EOF\n"));
        assertEquals("line 3, column 8: expected equal sign after label name \"bar\", got \"\\\"\"", e.getMessage());
        assertEquals(8, e.column());
    }

    @Test
    void exemplars_areReportedAfterTheirSample() {
        String input = """
                # TYPE hhh histogram
                hhh_bucket{le="+Inf"} 1 # {id="histogram-bucket-test"} 4
                ggh_bucket{le="+Inf"} 1 # {id="gaugehistogram-bucket-test",xx="yy"} 4 123.123
                foo_total 17.0 1520879607.789 # {"id.thing"="counter-test"} 5
                plain 1
                # EOF
                """;
        ExpositionParser p = F.newParser();
        java.util.List<String> got = new java.util.ArrayList<>();
        byte[] b = input.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        p.parse(b, b.length, new SampleSink() {
            @Override
            public void sample(byte[] buf, int s, int e, long h, double v, long t) {
                got.add("sample " + p.labels(buf, s, e));
            }

            @Override
            public void exemplar(byte[] buf, int s, int e, double v, long t) {
                got.add("exemplar " + p.labels(buf, s, e) + " " + v + (t == NO_TIMESTAMP ? "" : " @" + t));
            }
        });
        assertEquals(List.of(
                "sample hhh_bucket{le=\"+Inf\"}",
                "exemplar {id=\"histogram-bucket-test\"} 4.0",
                "sample ggh_bucket{le=\"+Inf\"}",
                "exemplar {id=\"gaugehistogram-bucket-test\", xx=\"yy\"} 4.0 @123123",
                "sample foo_total{}",
                "exemplar {id.thing=\"counter-test\"} 5.0",
                "sample plain{}"), got);
    }
}
