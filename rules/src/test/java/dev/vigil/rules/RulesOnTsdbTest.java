package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.Value;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rules on the real storage engine rather than the in-memory fake: recording outputs, ALERTS and staleness markers
 * go through the head's appender, and a restart (storage reopened from its WAL, rule manager rebuilt from the state
 * file) keeps both the data and the firing alert.
 */
class RulesOnTsdbTest {
    static final long M = 60_000;
    static final long T0 = 1_700_000_000_000L - 1_700_000_000_000L % M;

    @TempDir
    Path dir;
    final Engine engine = new Engine(EngineOptions.defaults());

    static void up(Storage s, long t, double v, double w) {
        Appender app = s.appender();
        app.append(0, Labels.of("__name__", "up", "instance", "a", "job", "node"), t, v);
        app.append(0, Labels.of("__name__", "up", "instance", "b", "job", "node"), t, w);
        app.commit();
    }

    RuleManager manager(Storage s) throws Exception {
        RuleManager m = new RuleManager(new RuleManager.Options(s, engine, dir.resolve("data"), null, M, () -> T0));
        m.load(List.of("r.yml"), dir, RuleManager.Settings.defaults());
        return m;
    }

    Value.Vector query(Storage s, String q, long t) {
        return (Value.Vector) engine.instant(s, q, t).value();
    }

    @Test
    void recordingAlertsStalenessAndRestart_onRealStorage() throws Exception {
        Files.writeString(dir.resolve("r.yml"), """
                groups:
                  - name: g
                    rules:
                      - record: instance:up:down
                        expr: up == 0
                      - alert: Down
                        expr: instance:up:down
                        for: 2m
                """);
        try (Storage s = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults())) {
            RuleManager m = manager(s);
            for (int i = 0; i <= 3; i++) {
                up(s, T0 + i * M - 1000, 0, i < 2 ? 0 : 1);
                m.evaluateAll(T0 + i * M);
            }
            // b recovered at 2m: its recorded series got a staleness marker, not 5 minutes of lookback
            assertEquals(1, query(s, "instance:up:down", T0 + 3 * M + 1000).size());
            assertEquals(1, query(s, "ALERTS{alertstate=\"firing\"}", T0 + 3 * M).size());
            assertEquals("a", query(s, "ALERTS{alertstate=\"firing\"}", T0 + 3 * M).labels()[0].get("instance"));
            assertEquals(0L, m.stats().samplesRejected());
            m.close();
        }
        try (Storage s = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults())) {
            RuleManager m = manager(s);
            List<RulesApi.AlertInfo> alerts = m.alerts();
            assertEquals(1, alerts.size());
            assertEquals("firing", alerts.get(0).state());
            assertEquals(T0, alerts.get(0).activeAtMs());
            up(s, T0 + 4 * M - 1000, 0, 1);
            m.evaluateAll(T0 + 4 * M);
            assertEquals(Map.of("alertname", "Down", "instance", "a", "job", "node"), m.alerts().get(0).labels());
            assertEquals("firing", m.alerts().get(0).state());
            assertTrue(query(s, "ALERTS_FOR_STATE", T0 + 4 * M).vs()[0] == T0 / 1000.0);
            m.close();
        }
    }
}
