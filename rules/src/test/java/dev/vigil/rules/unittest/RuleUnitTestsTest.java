package dev.vigil.rules.unittest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rule unit-test runner gives the same verdicts as promtool on the same files: {@code tests.yml} (expectations
 * taken from promtool 2.42's own results, covering for, keep_firing_for, templates with $value/$labels/
 * $externalLabels, humanize, printf, recording rules feeding later rules and alerts, stale inputs) passes in both;
 * {@code failing.yml} (two wrong expectations) fails in both.
 */
class RuleUnitTestsTest {
    static Path resource(String name) throws Exception {
        return Path.of(RuleUnitTestsTest.class.getResource("/unittest/" + name).toURI());
    }

    static String run(Path file, int[] rc) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        rc[0] = RuleUnitTests.run(new String[] {file.toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void passingFile_passes() throws Exception {
        int[] rc = new int[1];
        String out = run(resource("tests.yml"), rc);
        assertTrue(out.contains("  SUCCESS"), out);
        assertTrue(out.endsWith("11 passed, 0 failed\n"), out);
        assertEquals(0, rc[0]);
    }

    @Test
    void failingFile_reportsEachWrongExpectation() throws Exception {
        int[] rc = new int[1];
        String out = run(resource("failing.yml"), rc);
        assertEquals(1, rc[0]);
        assertTrue(out.contains("alertname: InstanceDown, time: 5m"), out);
        assertTrue(out.contains("expr: \"job:requests:rate5m_doubled\", time: 5m"), out);
        assertTrue(out.endsWith("9 passed, 2 failed\n"), out);
    }

    @Test
    void sameVerdictsAsPromtool() throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        assertTrue(Files.isExecutable(promtool), "promtool (Debian's prometheus package) is needed (.ci/run installs it)");
        for (String f : List.of("tests.yml", "failing.yml")) {
            Process p = new ProcessBuilder(promtool.toString(), "test", "rules", f)
                    .directory(resource(f).getParent().toFile()).redirectErrorStream(true).start();
            String promOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int promRc = p.waitFor();
            int[] rc = new int[1];
            run(resource(f), rc);
            assertEquals(promRc, rc[0], f + ": promtool said\n" + promOut);
        }
    }

    @Test
    void expandingNotation() {
        List<Double> v = RuleUnitTests.expand("1 _ 2+3x2 10-1x1 _x2 7x1 stale -1");
        assertEquals(Arrays.asList(1.0, null, 2.0, 5.0, 8.0, 10.0, 9.0, null, null, 7.0, 7.0), v.subList(0, 11));
        assertTrue(StaleMarker.isStale(v.get(11)));
        assertEquals(-1.0, v.get(12));
        assertEquals(Labels.of("__name__", "up", "job", "a"), RuleUnitTests.parseLabels("up{job=\"a\"}"));
    }
}
