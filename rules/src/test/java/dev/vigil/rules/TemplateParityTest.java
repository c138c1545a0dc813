package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.unittest.MemStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Annotations expanded by Vigil equal what Prometheus 2.42 produced for the same rule (its output captured with
 * {@code promtool test rules}), errors included: error texts, fmt verbs, Go float printing, query results, humanize*.
 */
class TemplateParityTest {
    @Test
    void annotations_matchPrometheusOutput(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("r.yml"), """
                groups:
                  - name: g
                    rules:
                      - alert: T
                        expr: vector(1)
                        annotations:
                          a: '{{ humanize "abc" }}'
                          b: '{{ $labels.x.y }}'
                          c: '{{ first (query "vector(1) == 2") }}'
                          d: '{{ printf "%d %s %5.1f|%-4s|%x" 3 "s" 2.25 "ab" 255 }}'
                          e: '{{ index $labels "nope" }}|{{ .Labels.nope }}|{{ $value }}|{{ 1e6 }}|{{ 0.00001 }}|{{ 123456789.0 }}'
                          f: '{{ range $i, $e := query "vector(3)" }}{{ $i }}:{{ $e.Value }}{{ end }}|{{ len "héllo" }}|{{ "x" | printf "%q" }}'
                          g: '{{ reReplaceAll "a*" "X" "baaac" }}|{{ title "hello wORLD foo-bar" }}|{{ humanizeTimestamp 1.5 }}'
                          h: '{{ 5 | humanizeDuration }}|{{ humanize 0.000001234 }}|{{ humanize1024 1024 }}|{{ humanizePercentage 0.5 }}'
                """);
        RuleManager m = new RuleManager(RuleManager.Options.of(new MemStorage(), new Engine(EngineOptions.defaults()),
                null, null));
        m.load(List.of("r.yml"), dir, RuleManager.Settings.defaults());
        m.evaluateAll(0);
        Map<String, String> got = m.alerts().get(0).annotations();
        assertEquals("<error expanding template: error executing template __alert_T: template: __alert_T:1:115: "
                + "executing \"__alert_T\" at <humanize \"abc\">: error calling humanize: strconv.ParseFloat: parsing "
                + "\"abc\": invalid syntax>", got.get("a"));
        assertEquals("<error expanding template: error executing template __alert_T: template: __alert_T:1:122: "
                + "executing \"__alert_T\" at <$labels.x.y>: can't evaluate field y in type string>", got.get("b"));
        assertEquals("<error expanding template: error executing template __alert_T: template: __alert_T:1:115: "
                + "executing \"__alert_T\" at <first (query \"vector(1) == 2\")>: error calling first: first() called "
                + "on vector with no elements>", got.get("c"));
        assertEquals("3 s   2.2|ab  |ff", got.get("d"));
        assertEquals("||1|1e+06|1e-05|1.23456789e+08", got.get("e"));
        assertEquals("0:3|6|\"x\"", got.get("f"));
        assertEquals("XbXcX|Hello WORLD Foo-Bar|1970-01-01 00:00:01.5 +0000 UTC", got.get("g"));
        assertEquals("5s|1.234u|1ki|50%", got.get("h"));
    }
}
