package dev.vigil.rules.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleFilesTest {
    static final String GOOD = """
            groups:
              - name: node
                interval: 30s
                query_offset: 1m
                limit: 10
                labels:
                  team: infra
                rules:
                  - record: job:up:sum
                    expr: sum by (job) (up)
                    labels:
                      tier: "1"
                  - alert: InstanceDown
                    expr: up == 0
                    for: 5m
                    keep_firing_for: 2m
                    labels:
                      severity: page
                    annotations:
                      summary: "{{ $labels.instance }} down ({{ $value | humanize }})"
            """;

    @Test
    void parse_prometheusFormat_allFields() {
        RuleFiles.Result r = RuleFiles.parse("good.yml", GOOD);
        assertEquals(List.of(), r.errors());
        RuleGroupConfig g = r.groups().get(0);
        assertEquals("node", g.name());
        assertEquals(30_000, g.intervalMs());
        assertEquals(60_000, g.queryOffsetMs());
        assertEquals(10, g.limit());
        assertEquals(Map.of("team", "infra"), g.labels());
        assertEquals(2, g.rules().size());
        RuleConfig rec = g.rules().get(0);
        assertEquals(RuleConfig.Kind.RECORD, rec.kind());
        assertEquals(Map.of("tier", "1"), rec.labels());
        RuleConfig alert = g.rules().get(1);
        assertEquals(RuleConfig.Kind.ALERT, alert.kind());
        assertEquals(300_000, alert.forMs());
        assertEquals(120_000, alert.keepFiringForMs());
        assertEquals(13, alert.line());
    }

    @Test
    void parse_prometheusRuleManifest_specGroups_multipleDocuments() {
        String manifest = """
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata:
                  name: k8s
                  labels: {release: prom}
                spec:
                  groups:
                    - name: a
                      rules:
                        - alert: A
                          expr: vector(1)
                ---
                apiVersion: monitoring.coreos.com/v1
                kind: PrometheusRule
                metadata: {name: other}
                spec:
                  groups:
                    - name: b
                      partial_response_strategy: warn
                      rules:
                        - record: b:x
                          expr: vector(2)
                """;
        RuleFiles.Result r = RuleFiles.parse("m.yaml", manifest);
        assertEquals(List.of(), r.errors());
        assertEquals(List.of("a", "b"), r.groups().stream().map(RuleGroupConfig::name).toList());
        assertEquals(2, r.ruleCount());
    }

    @Test
    void errors_nameFileLineGroupRuleAndProblem_likePromtool() {
        String bad = """
                groups:
                  - name: g
                    rules:
                      - record: job:up:sum
                        expr: sum(up) by (job
                      - alert: X
                        expr: up == 0
                        for: 5m
                        annotations:
                          summary: "{{ $labels.job "
                      - record: a
                        expr: up
                        for: 1m
                  - name: g
                    rules: []
                """;
        RuleFiles.Result r = RuleFiles.parse("bad.yml", bad);
        // the same four problems, in the order, wording and positions promtool 2.42 reports for this file (promtool
        // gives no position for a bad template; we give the annotation's)
        assertEquals(4, r.errors().size(), r.errors().toString());
        assertEquals("bad.yml: 5:15: group \"g\", rule 1, \"job:up:sum\": could not parse expression: "
                + "1:16: parse error: unclosed left parenthesis", r.errors().get(0));
        assertEquals("bad.yml: 10:20: group \"g\", rule 2, \"X\": annotation \"summary\": template: __alert_X:1: "
                + "unclosed action", r.errors().get(1));
        assertEquals("bad.yml: 11:17: group \"g\", rule 3, \"a\": invalid field 'for' in recording rule",
                r.errors().get(2));
        assertEquals("bad.yml: 14:5: groupname: \"g\" is repeated in the same file", r.errors().get(3));
    }

    @Test
    void errors_unknownKeysAndBadValues() {
        String bad = """
                groups:
                  - name: g
                    foo: 1
                    interval: 5x
                    rules:
                      - record: "bad name"
                        expr: up
                        bar: 2
                        labels: {"bad-label": x}
                      - alert: Y
                      - expr: up
                        record: r
                        alert: r
                """;
        List<String> errs = RuleFiles.parse("u.yml", bad).errors();
        String all = String.join("\n", errs);
        assertTrue(all.contains("u.yml: 3:5: field foo not found in rule group"), all);
        assertTrue(all.contains("u.yml: 4:15: group \"g\": interval: not a valid duration string: \"5x\""), all);
        assertTrue(all.contains("u.yml: 8:9: group \"g\", rule 1, \"bad name\": field bar not found in rule"), all);
        assertTrue(all.contains("invalid recording rule name: bad name"), all);
        assertTrue(all.contains("invalid label name: bad-label"), all);
        assertTrue(all.contains("u.yml: 10:9: group \"g\", rule 2, \"Y\": field 'expr' must be set in rule"), all);
        assertTrue(all.contains("group \"g\", rule 3, \"r\": only one of 'record' and 'alert' must be set"), all);
    }

    @Test
    void errors_yamlSyntax_hasLine() {
        List<String> errs = RuleFiles.parse("y.yml", "groups:\n  - name: [x\n").errors();
        assertEquals(1, errs.size());
        assertTrue(errs.get(0).startsWith("y.yml: 3:"), errs.get(0));
    }

    @Test
    void checkRules_outputAndExitCode_likePromtool(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yml");
        Files.writeString(good, GOOD);
        Path bad = dir.resolve("bad.yml");
        Files.writeString(bad, "groups:\n  - name: g\n    rules:\n      - record: r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int rc = CheckRules.run(new String[] {good.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(0, rc);
        assertEquals("Checking " + good + "\n  SUCCESS: 2 rules found\n\n", out.toString(StandardCharsets.UTF_8));
        out.reset();
        rc = CheckRules.run(new String[] {good.toString(), bad.toString()},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(1, rc);
        assertEquals("  FAILED:\n" + bad + ": 4:9: group \"g\", rule 1, \"r\": field 'expr' must be set in rule\n",
                err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void expand_globs(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("rules/sub"));
        Files.writeString(dir.resolve("rules/a.yml"), "");
        Files.writeString(dir.resolve("rules/b.yaml"), "");
        Files.writeString(dir.resolve("rules/c.txt"), "");
        Files.writeString(dir.resolve("rules/sub/d.yml"), "");
        List<Path> files = RuleFiles.expand(List.of("rules/*.yml", "rules/*.yaml", "rules/*/*.yml", "rules/a.yml"), dir);
        assertEquals(List.of(dir.resolve("rules/a.yml"), dir.resolve("rules/b.yaml"), dir.resolve("rules/sub/d.yml")),
                files);
    }
}
