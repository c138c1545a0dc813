package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.rules.config.RuleFiles;
import dev.vigil.rules.unittest.RuleUnitTests;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The five example deployments of ../shared/examples run on Vigil: each config and rule file loads,
 * each rule unit-test file passes in Vigil's runner, and the examples' own live verifier
 * (_verify/verify.py: per scenario a fresh simulator and a fresh Vigil, checks of targets, rule
 * health, recording-rule series, dashboard queries, alerts firing, reaching a real Alertmanager and
 * resolving) reports no failure. Skipped, saying so, where ../shared is absent.
 */
class ExampleDeploymentsTest {
    static final List<String> EXAMPLES = List.of("videocall", "nova-streaming", "websocket-test", "platform-mimir", "caas");

    static Path examples() {
        for (String p : List.of("../../shared/examples", "../shared/examples")) {
            Path d = Path.of(p).toAbsolutePath().normalize();
            if (Files.isRegularFile(d.resolve("_verify/verify.py"))) return d;
        }
        return null;
    }

    static Path requireExamples() {
        Path d = examples();
        assumeTrue(d != null, "../shared/examples is absent next to the repository: the example deployments are not run");
        return d;
    }

    @TestFactory
    Stream<DynamicTest> configRulesAndRuleTestsLoadInVigil() {
        Path root = requireExamples();
        return EXAMPLES.stream().map(ex -> DynamicTest.dynamicTest(ex, () -> {
            Path d = root.resolve(ex);
            ConfigParser.load(d.resolve("prometheus.yml"));
            RuleFiles.Result rules = RuleFiles.parseFile(d.resolve("rules.yml"));
            assertEquals(List.of(), rules.errors(), ex + "/rules.yml");
            assertTrue(!rules.groups().isEmpty(), ex + "/rules.yml has groups");
            if (Files.exists(d.resolve("rules.test.yml"))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                int rc = RuleUnitTests.run(new String[] {d.resolve("rules.test.yml").toString()}, new PrintStream(out, true, StandardCharsets.UTF_8));
                String text = out.toString(StandardCharsets.UTF_8);
                assertEquals(0, rc, ex + "/rules.test.yml:\n" + text);
                assertTrue(text.trim().endsWith(" 0 failed"), text);
            }
        }));
    }

    @Test
    void liveVerifierPassesOnVigil() throws Exception {
        Path root = requireExamples();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/promtool")) || System.getenv("CI") != null,
                "promtool (Debian prometheus) is not installed: the live verifier needs it for its test copies");
        Path work = Files.createTempDirectory("vigil-examples");
        List<String> cmd = new ArrayList<>();
        cmd.add("/usr/bin/python3");
        cmd.add(root.resolve("_verify/verify.py").toString());
        cmd.addAll(EXAMPLES);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve("verify.log").toFile());
        pb.environment().put("PROMETHEUS_CMD", vigilCommand());
        boolean am = Files.isExecutable(Path.of("/usr/bin/prometheus-alertmanager"));
        pb.environment().put("ALERTMANAGER_CMD", am ? "/usr/bin/prometheus-alertmanager" : "-");
        pb.environment().put("VERIFY_PARALLEL", "2");
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        boolean ended = p.waitFor(20, TimeUnit.MINUTES);
        if (!ended) p.destroy();
        List<String> lines = Files.readAllLines(work.resolve("verify.log"));
        long passed = lines.stream().filter(l -> l.startsWith("PASS")).count();
        List<String> failed = lines.stream().filter(l -> l.startsWith("FAIL")).toList();
        System.out.println("EXAMPLES_VERIFY passed=" + passed + " failed=" + failed.size() + " alertmanager=" + am
                + " (" + lines.stream().filter(l -> l.startsWith("INFO total")).findFirst().orElse("") + ")");
        assertTrue(ended, "the verifier did not end within 20 minutes");
        assertEquals(List.of(), failed, "log: " + work.resolve("verify.log"));
        assertTrue(passed > 300, "only " + passed + " checks passed:\n" + String.join("\n", lines));
        assertEquals(0, p.exitValue(), String.join("\n", lines));
        // Kept when a check fails, for the log and the data directories; removed once all pass.
        try (Stream<Path> w = Files.walk(work)) {
            w.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    /** This JVM's java, its Chronicle flags and the test classpath, running Vigil's main(). */
    static String vigilCommand() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> parts = new ArrayList<>();
        parts.add(java);
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc")
                    || a.startsWith("-Dchronicle") || a.startsWith("-Djdk.attach")) {
                parts.add(a);
            }
        }
        parts.add("-Xmx1g");
        parts.add("-XX:+UseSerialGC"); // ten of them share two cores with the simulators
        parts.add("-XX:TieredStopAtLevel=1");
        parts.add("-cp");
        parts.add(String.join(File.pathSeparator, classpath()));
        parts.add(Main.class.getName());
        StringBuilder sb = new StringBuilder();
        for (String s : parts) sb.append(sb.isEmpty() ? "" : " ").append('\'').append(s.replace("'", "'\\''")).append('\'');
        return sb.toString();
    }

    /** The test classpath, unpacked from surefire's manifest-only jar when it uses one. */
    static List<String> classpath() throws Exception {
        List<String> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.contains("surefirebooter") && e.endsWith(".jar")) {
                try (JarFile jar = new JarFile(e)) {
                    String cp = jar.getManifest().getMainAttributes().getValue("Class-Path");
                    for (String u : cp.trim().split("\\s+")) out.add(Path.of(URI.create(u)).toString());
                }
            } else {
                out.add(e);
            }
        }
        return out;
    }
}
