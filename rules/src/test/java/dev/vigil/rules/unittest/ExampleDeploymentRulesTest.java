package dev.vigil.rules.unittest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.rules.config.RuleFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The rule files and rule unit tests of the example deployments ({@code ../shared/examples/*}, checked on Prometheus
 * 2.42): every rules.yml validates, and every rules.test.yml passes on Vigil's rule engine as it does in promtool.
 * Skipped with a message when {@code ../shared} is absent.
 */
class ExampleDeploymentRulesTest {
    static Path examples() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path e = p.resolveSibling("shared").resolve("examples");
            if (Files.isDirectory(e)) return e;
        }
        return null;
    }

    @TestFactory
    List<DynamicTest> exampleRules() throws Exception {
        Path ex = examples();
        assumeTrue(ex != null, "../shared/examples not found: example deployment rule tests skipped");
        List<DynamicTest> tests = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(ex)) {
            for (Path d : dirs.sorted().toList()) {
                Path rules = d.resolve("rules.yml");
                Path unit = d.resolve("rules.test.yml");
                if (Files.exists(rules)) {
                    tests.add(DynamicTest.dynamicTest(d.getFileName() + " rules.yml validates", () -> {
                        RuleFiles.Result r = RuleFiles.parseFile(rules);
                        assertEquals(List.of(), r.errors());
                        assertTrue(r.ruleCount() > 0);
                    }));
                }
                if (Files.exists(unit)) {
                    tests.add(DynamicTest.dynamicTest(d.getFileName() + " rules.test.yml passes", () -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        int rc = RuleUnitTests.run(new String[] {unit.toString()},
                                new PrintStream(out, true, StandardCharsets.UTF_8));
                        String text = out.toString(StandardCharsets.UTF_8);
                        assertEquals(0, rc, text);
                        assertTrue(text.matches("(?s).*\\n[1-9][0-9]* passed, 0 failed\\n"), text);
                    }));
                }
            }
        }
        return tests;
    }
}
