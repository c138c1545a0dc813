package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.unittest.MemStorage;
import dev.vigil.tsdb.Labels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleDependenciesTest {
    static RecordingRule rec(String name, String expr) {
        return new RecordingRule(name, expr, Map.of());
    }

    static AlertingRule alert(String name, String expr, Map<String, String> annotations) {
        return new AlertingRule(name, expr, 0, 0, Map.of(), annotations, Map.of(), "");
    }

    @Test
    void waves_followReadsOfEarlierOutputs() {
        List<Rule> rules = List.of(
                rec("a", "sum(x)"),                       // 0
                rec("b", "a * 2"),                        // 1: reads a
                rec("c", "sum(y)"),                       // 0
                alert("D", "up == 0", Map.of()),          // 0
                rec("e", "count(ALERTS)"),                // 1: reads D's ALERTS
                rec("f", "rate(b[5m]) + on() c"),         // 2: reads b (wave 1) and c
                rec("g", "{job=\"x\"}"),                  // 3: no metric name, may read anything
                alert("H", "z > 1", Map.of("s", "{{ with query \"b\" }}{{ . }}{{ end }}")), // 4: template query
                rec("i", "{__name__=~\"q.*\"}"));          // 0: regex excludes every earlier name
        assertArrayEquals(new int[] {0, 1, 0, 0, 1, 2, 3, 4, 0}, RuleDependencies.waves(rules));
    }

    @Test
    void concurrentEvaluation_givesTheSameResultsAsInOrder(@TempDir Path dir) throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: g\n    rules:\n");
        for (int i = 0; i < 20; i++) {
            rules.append("      - record: r").append(i).append("\n        expr: sum(x) + ").append(i).append('\n');
            rules.append("      - record: d").append(i).append("\n        expr: r").append(i).append(" * 2\n");
        }
        rules.append("      - alert: A\n        expr: d19 > 0\n");
        Files.writeString(dir.resolve("r.yml"), rules);
        double[][] results = new double[2][];
        for (int concurrency : new int[] {1, 4}) {
            MemStorage storage = new MemStorage();
            storage.load(Labels.of("__name__", "x", "i", "1"), 0, 1);
            storage.load(Labels.of("__name__", "x", "i", "2"), 0, 2);
            Engine engine = new Engine(EngineOptions.defaults());
            try (RuleManager m = new RuleManager(RuleManager.Options.of(storage, engine, null, null)
                    .withRuleConcurrency(concurrency))) {
                m.load(List.of("r.yml"), dir, RuleManager.Settings.defaults());
                m.evaluateAll(60_000);
                double[] v = new double[20];
                for (int i = 0; i < 20; i++) {
                    v[i] = ((dev.vigil.query.eval.Value.Vector) engine.instant(storage, "d" + i, 60_000).value()).vs()[0];
                }
                results[concurrency == 1 ? 0 : 1] = v;
                assertEquals(1, m.alerts().size(), "A reads d19 of the same evaluation");
            }
        }
        assertArrayEquals(results[0], results[1]);
        assertEquals(2 * (3 + 19), results[1][19]);
    }
}
