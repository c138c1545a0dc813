package dev.vigil.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.unittest.MemStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code data} of /api/v1/rules and /api/v1/alerts equals what Prometheus 2.42 served for the same rule file
 * ({@code src/test/resources/api-parity}: the rule file and what a real Prometheus answered, fetched with curl),
 * once times and evaluation durations are masked.
 */
class ApiParityTest {
    static String prometheusData(String file) throws Exception {
        String body = Files.readString(Path.of(ApiParityTest.class.getResource("/api-parity/" + file).toURI())).strip();
        String prefix = "{\"status\":\"success\",\"data\":";
        return body.substring(prefix.length(), body.length() - 1);
    }

    static String mask(String json) {
        return json.replaceAll("\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"", "\"T\"")
                .replaceAll("\"evaluationTime\":[0-9.e-]+", "\"evaluationTime\":0");
    }

    @Test
    void rulesAndAlertsJson_equalPrometheus(@TempDir Path dir) throws Exception {
        Files.copy(Path.of(ApiParityTest.class.getResource("/api-parity/rules.yml").toURI()), dir.resolve("rules.yml"));
        RuleManager m = new RuleManager(RuleManager.Options.of(new MemStorage(), new Engine(EngineOptions.defaults()),
                null, null));
        m.load(List.of("rules.yml"), dir, new RuleManager.Settings(1000, 0, java.util.Map.of(), ""));
        long t = 1_764_551_968_632L;
        for (int i = 0; i < 5; i++) m.evaluateAll(t + i * 1000);
        StringBuilder rules = new StringBuilder();
        m.writeRulesJson(rules, RulesApi.RulesFilter.ALL);
        StringBuilder alerts = new StringBuilder();
        m.writeAlertsJson(alerts);
        // Prometheus names the file as configured (relative); we name it as resolved
        assertEquals(mask(prometheusData("rules.json")), mask(rules.toString().replace(dir.resolve("rules.yml").toString(),
                "rules.yml")));
        assertEquals(mask(prometheusData("alerts.json")), mask(alerts.toString()));
    }
}
