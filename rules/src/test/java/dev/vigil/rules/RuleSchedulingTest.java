package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.unittest.MemStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSchedulingTest {
    @Test
    void start_evaluatesOnAlignedTimestamps_stopHalts(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("r.yml"), """
                groups:
                  - name: fast
                    interval: 200ms
                    rules:
                      - record: one
                        expr: vector(1)
                """);
        MemStorage storage = new MemStorage();
        RuleManager m = new RuleManager(RuleManager.Options.of(storage, new Engine(EngineOptions.defaults()), null,
                null));
        m.load(List.of("r.yml"), dir, new RuleManager.Settings(60_000, 0, Map.of(), ""));
        m.start();
        RuleGroup g = m.groupList().get(0);
        long deadline = System.currentTimeMillis() + 5_000;
        while (g.lastEvaluationMs() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        Thread.sleep(500);
        m.stop();
        long last = g.lastEvaluationMs();
        assertTrue(last > 0, "evaluated");
        assertEquals(g.offsetMs(), Math.floorMod(last, 200L), "evaluation times keep the group's phase");
        Thread.sleep(500);
        assertEquals(last, g.lastEvaluationMs(), "no evaluation after stop");
        assertEquals(RuleHealth.OK, g.rules().get(0).health());
    }
}
