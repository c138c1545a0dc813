package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.Value;
import dev.vigil.rules.notify.NotifierAlert;
import dev.vigil.rules.unittest.MemStorage;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleManagerTest {
    static final long M = 60_000;
    @TempDir
    Path dir;
    final MemStorage storage = new MemStorage();
    final Engine engine = new Engine(EngineOptions.defaults());
    final List<NotifierAlert> sent = new ArrayList<>();

    RuleManager manager(String rules, Path dataDir) throws Exception {
        Path f = dir.resolve("rules.yml");
        Files.writeString(f, rules);
        RuleManager m = new RuleManager(new RuleManager.Options(storage, engine, dataDir, sent::addAll, M, () -> 0L));
        m.load(List.of("rules.yml"), dir, new RuleManager.Settings(M, 0, Map.of("cluster", "eu1"),
                "http://vigil:9090"));
        return m;
    }

    Value.Vector query(String q, long t) {
        return (Value.Vector) engine.instant(storage, q, t).value();
    }

    Map<String, Double> byLabel(String q, long t, String label) {
        Value.Vector v = query(q, t);
        Map<String, Double> out = new java.util.TreeMap<>();
        for (int i = 0; i < v.size(); i++) out.put(v.labels()[i].get(label), v.vs()[i]);
        return out;
    }

    void x(String i, long t, double v) {
        storage.load(Labels.of("__name__", "x", "i", i), t, v);
    }

    @Test
    void recordingRule_outputVisibleToLaterRulesOfSameEvaluation() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - record: x:sum
                        expr: sum(x)
                      - record: x:sum_doubled
                        expr: x:sum * 2
                        labels: {kind: doubled}
                """, null);
        x("1", 0, 1);
        x("2", 0, 2);
        m.evaluateAll(M);
        assertEquals(Map.of("doubled", 6.0), byLabel("x:sum_doubled", M, "kind"));
        Value.Vector v = query("x:sum_doubled", M);
        assertEquals(Labels.of("__name__", "x:sum_doubled", "kind", "doubled"), v.labels()[0]);
        assertEquals(RuleHealth.OK, m.groupList().get(0).rules().get(1).health());
    }

    @Test
    void recordingRule_writesStaleMarkerWhenSeriesDisappears() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - record: pos
                        expr: x > 0
                """, null);
        x("1", 0, 1);
        x("2", 0, 2);
        m.evaluateAll(M);
        assertEquals(Map.of("1", 1.0, "2", 2.0), byLabel("pos", M, "i"));
        x("2", M + 1, -1);
        x("1", M + 1, 1);
        m.evaluateAll(2 * M);
        // without the marker, pos{i="2"} would still be returned for 5 minutes of lookback
        assertEquals(Map.of("1", 1.0), byLabel("pos", 2 * M + 1000, "i"));
        var raw = storage.store();
        Value.Matrix mat = (Value.Matrix) engine.instant(storage, "pos{i=\"2\"}[10m]", 2 * M).value();
        assertEquals(1, mat.series().get(0).vs().length, "the stale marker is not a returned point");
        assertTrue(raw.labelSets().contains(Labels.of("__name__", "pos", "i", "2")));
    }

    @Test
    void alertingRule_pendingFiringResolved_withAlertsSeriesAndTemplates() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - alert: High
                        expr: x > 5
                        for: 2m
                        labels:
                          severity: "{{ if gt $value 8.0 }}page{{ else }}ticket{{ end }}"
                        annotations:
                          summary: "{{ $labels.i }} is {{ $value }} in {{ $externalLabels.cluster }}"
                """, null);
        x("1", 0, 7);
        m.evaluateAll(M); // active at 1m
        AlertingRule r = (AlertingRule) m.groupList().get(0).rules().get(0);
        assertEquals(AlertState.PENDING, r.state());
        Alert a = r.activeAlerts().get(0);
        assertEquals(Labels.of("alertname", "High", "i", "1", "severity", "ticket"), a.labels());
        assertEquals(Map.of("summary", "1 is 7 in eu1"), a.annotations());
        assertEquals(Map.of("pending", 1.0), byLabel("ALERTS", M, "alertstate"));
        assertEquals(60.0, query("ALERTS_FOR_STATE", M).vs()[0]);
        assertTrue(sent.isEmpty(), "pending alerts are not sent");

        x("1", 2 * M - 1, 7);
        m.evaluateAll(2 * M);
        assertEquals(AlertState.PENDING, r.state());
        x("1", 3 * M - 1, 7);
        m.evaluateAll(3 * M);
        assertEquals(AlertState.FIRING, r.state());
        assertEquals(Map.of("firing", 1.0), byLabel("ALERTS", 3 * M, "alertstate"));
        assertEquals(1, sent.size());
        NotifierAlert n = sent.get(0);
        assertEquals(3 * M, n.startsAtMs());
        assertEquals(3 * M + 4 * M, n.endsAtMs());
        assertEquals("http://vigil:9090/graph?g0.expr=x+%3E+5&g0.tab=1", n.generatorUrl());

        // unchanged firing alert: re-sent only after the resend delay
        x("1", 4 * M - 1, 7);
        m.evaluateAll(4 * M);
        assertEquals(1, sent.size());
        x("1", 5 * M - 1, 7);
        m.evaluateAll(5 * M + 1);
        assertEquals(2, sent.size());

        // the condition clears: resolved, sent at once with endsAt = resolution time, ALERTS goes stale
        x("1", 6 * M - 1, 1);
        m.evaluateAll(6 * M);
        assertEquals(AlertState.INACTIVE, r.state());
        assertEquals(List.of(), r.activeAlerts());
        assertEquals(3, sent.size());
        assertEquals(6 * M, sent.get(2).endsAtMs());
        assertEquals(0, query("ALERTS", 6 * M + 1000).size());
    }

    @Test
    void alertingRule_keepFiringFor_holdsThenResolves() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - alert: Flappy
                        expr: x > 5
                        keep_firing_for: 3m
                """, null);
        x("1", 0, 7);
        m.evaluateAll(M);
        AlertingRule r = (AlertingRule) m.groupList().get(0).rules().get(0);
        assertEquals(AlertState.FIRING, r.state(), "no 'for': fires at once");
        x("1", M + 1, 1);
        m.evaluateAll(2 * M);
        assertEquals(AlertState.FIRING, r.state());
        assertEquals(2 * M, r.activeAlerts().get(0).keepFiringSinceMs());
        m.evaluateAll(4 * M);
        assertEquals(AlertState.FIRING, r.state());
        m.evaluateAll(5 * M);
        assertEquals(AlertState.INACTIVE, r.state(), "3m after the condition cleared");
    }

    @Test
    void alertState_survivesRestart_includingKeepFiringSince() throws Exception {
        String rules = """
                groups:
                  - name: g
                    rules:
                      - alert: Slow
                        expr: x > 5
                        for: 5m
                        keep_firing_for: 10m
                """;
        Path data = dir.resolve("data");
        RuleManager m = manager(rules, data);
        x("1", 0, 7);
        for (long t = M; t <= 6 * M; t += M) {
            x("1", t - 1, 7);
            m.evaluateAll(t);
        }
        AlertingRule r = (AlertingRule) m.groupList().get(0).rules().get(0);
        assertEquals(AlertState.FIRING, r.state());
        x("1", 7 * M - 1, 1);
        m.evaluateAll(7 * M);
        assertEquals(7 * M, r.activeAlerts().get(0).keepFiringSinceMs());
        m.stop();

        RuleManager restarted = manager(rules, data);
        AlertingRule r2 = (AlertingRule) restarted.groupList().get(0).rules().get(0);
        Alert a = r2.activeAlerts().get(0);
        assertEquals(AlertState.FIRING, a.state());
        assertEquals(M, a.activeAtMs());
        assertEquals(6 * M, a.firedAtMs());
        assertEquals(7 * M, a.keepFiringSinceMs());
        assertEquals(6 * M, a.lastSentAtMs(), "last send restored: no burst of re-notifications after restart");
        restarted.evaluateAll(8 * M);
        assertEquals(AlertState.FIRING, r2.state(), "still within keep_firing_for across the restart");
        restarted.evaluateAll(17 * M + 1);
        assertEquals(AlertState.INACTIVE, r2.state());
    }

    @Test
    void errors_markRuleUnhealthy_othersContinue_andLimit() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    limit: 1
                    rules:
                      - record: too_many
                        expr: x
                      - record: bad
                        expr: label_replace(x, "a", "$1", "i", "(")
                      - record: fine
                        expr: vector(1)
                """, null);
        x("1", 0, 1);
        x("2", 0, 2);
        m.evaluateAll(M);
        List<Rule> rs = m.groupList().get(0).rules();
        assertEquals(RuleHealth.ERR, rs.get(0).health());
        assertEquals("exceeded limit of 1 with 2 series", rs.get(0).lastError());
        assertEquals(RuleHealth.ERR, rs.get(1).health());
        assertTrue(rs.get(1).lastError().contains("invalid regular expression"), rs.get(1).lastError());
        assertEquals(RuleHealth.OK, rs.get(2).health());
        assertNull(rs.get(2).lastError());
        assertEquals(1, query("fine", M).size());
    }

    @Test
    void queryOffset_evaluatesAndWritesInThePast() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    query_offset: 1m
                    rules:
                      - record: r
                        expr: x
                """, null);
        x("1", 0, 5);
        x("1", 2 * M, 9);
        m.evaluateAll(2 * M + 30_000);
        Value.Matrix mat = (Value.Matrix) engine.instant(storage, "r[10m]", 3 * M).value();
        assertEquals(M + 30_000, mat.series().get(0).ts()[0]);
        assertEquals(5.0, mat.series().get(0).vs()[0]);
    }

    @Test
    void reload_badFileKeepsOldRules_goodReloadCarriesAlertState() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - alert: A
                        expr: x > 0
                """, null);
        x("1", 0, 1);
        m.evaluateAll(M);
        Files.writeString(dir.resolve("rules.yml"), "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: x >\n");
        RuleManager.RuleLoadException e = assertThrows(RuleManager.RuleLoadException.class,
                () -> m.load(List.of("rules.yml"), dir, new RuleManager.Settings(M, 0, Map.of(), "")));
        assertTrue(e.errors().get(0).startsWith(dir.resolve("rules.yml") + ": 5:15: group \"g\", rule 1, \"A\""),
                e.errors().get(0));
        assertEquals(1, m.alerts().size());
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: g
                    interval: 30s
                    rules:
                      - alert: A
                        expr: x > 0
                        annotations: {a: b}
                """);
        m.load(List.of("rules.yml"), dir, new RuleManager.Settings(M, 0, Map.of(), ""));
        assertEquals(30_000, m.groupList().get(0).intervalMs());
        assertEquals(M, m.alerts().get(0).activeAtMs(), "state carried over the reload");
    }

    @Test
    void apiJson_hasPrometheusShapes() throws Exception {
        RuleManager m = manager("""
                groups:
                  - name: g
                    rules:
                      - record: r
                        expr: sum by(i) (x)
                      - alert: A
                        expr: x > 0
                        for: 1m
                        labels: {severity: page}
                        annotations: {summary: "v={{ $value }}"}
                """, null);
        long t0 = 1_700_000_000_000L - 1_700_000_000_000L % M + 5;
        x("1", t0 - 1000, 1234567);
        m.evaluateAll(t0);
        StringBuilder b = new StringBuilder();
        m.writeAlertsJson(b);
        String t = "2023-11-14T22:13:00.005Z";
        assertEquals("{\"alerts\":[{\"labels\":{\"alertname\":\"A\",\"i\":\"1\",\"severity\":\"page\"},"
                + "\"annotations\":{\"summary\":\"v=1.234567e+06\"},\"state\":\"pending\",\"activeAt\":\"" + t + "\","
                + "\"value\":\"1.234567e+06\"}]}", b.toString());
        b.setLength(0);
        m.writeRulesJson(b, new RulesApi.RulesFilter("alert", java.util.Set.of(), java.util.Set.of(),
                java.util.Set.of(), true));
        String s = b.toString();
        assertTrue(s.matches("\\{\"groups\":\\[\\{\"name\":\"g\",\"file\":\"[^\"]*rules.yml\",\"rules\":\\[\\{\"state\":"
                + "\"pending\",\"name\":\"A\",\"query\":\"x \\\\u003e 0\",\"duration\":60,\"keepFiringFor\":0,\"labels\":"
                + "\\{\"severity\":\"page\"\\},\"annotations\":\\{\"summary\":\"v=\\{\\{ \\$value }}\"\\},"
                + "\"health\":\"ok\",\"evaluationTime\":[0-9.e-]+,\"lastEvaluation\":\"" + t + "\",\"type\":"
                + "\"alerting\"}],\"interval\":60,\"limit\":0,\"evaluationTime\":[0-9.e-]+,\"lastEvaluation\":\""
                + t + "\"}]}"), s);
        b.setLength(0);
        m.writeRulesJson(b, RulesApi.RulesFilter.ALL);
        assertTrue(b.toString().contains("{\"name\":\"r\",\"query\":\"sum by (i) (x)\",\"health\":\"ok\""),
                b.toString());
    }

    @Test
    void reload_removedGroupsSeriesGoStale_unchangedGroupsKeepRunning() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: keep
                    rules:
                      - record: kept
                        expr: vector(1)
                  - name: drop
                    rules:
                      - record: dropped
                        expr: vector(2)
                """);
        RuleManager.Settings settings = RuleManager.Settings.defaults();
        // the clock is the reload time: after the last evaluation, as in a running server
        RuleManager m = new RuleManager(new RuleManager.Options(storage, engine, null, null, M, () -> 2 * M));
        m.load(List.of("rules.yml"), dir, settings);
        m.evaluateAll(M);
        assertEquals(1, query("dropped", 2 * M + 1000).size());
        RuleGroup kept = m.groupList().get(0);
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: keep
                    rules:
                      - record: kept
                        expr: vector(1)
                """);
        m.load(List.of("rules.yml"), dir, settings);
        assertEquals(1, m.groupList().size());
        assertTrue(kept == m.groupList().get(0), "an unchanged group keeps running as it is");
        assertEquals(0, query("dropped", 2 * M + 1000).size(), "stale from the reload on");
        assertEquals(1, query("kept", 2 * M + 1000).size());
    }

    @Test
    void groupSchedule_alignedWithStablePerGroupOffset() throws Exception {
        RuleManager m = manager("groups:\n  - name: g\n    rules:\n      - record: r\n        expr: vector(1)\n", null);
        RuleGroup g = m.groupList().get(0);
        long off = g.offsetMs();
        assertTrue(off >= 0 && off < M);
        assertEquals(10 * M + off, g.evalTimestamp(10 * M + off + 59_999));
        assertEquals(9 * M + off, g.evalTimestamp(10 * M + off - 1));
        assertTrue(StaleMarker.isStale(StaleMarker.STALE_NAN));
    }
}
