package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/vigil check ...}: promtool's output and exit codes, checked against promtool's own on the same files. */
class CheckTest {
    @TempDir
    Path dir;

    private String[] run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        int code = Check.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(code), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }

    private String[] promtool(String... args) throws Exception {
        Path promtool = Path.of("/usr/bin/promtool");
        org.junit.jupiter.api.Assertions.assertTrue(Files.isExecutable(promtool), "promtool (Debian's prometheus package) is needed (.ci/run installs it)");
        String[] cmd = new String[args.length + 1];
        cmd[0] = promtool.toString();
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).start(); // in this JVM's working directory, as relative paths are
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        return new String[] {Integer.toString(p.waitFor()), out, err};
    }

    @Test
    void checkConfigChecksTheRuleFilesItNamesAsPromtoolDoes() throws Exception {
        Files.writeString(dir.resolve("good.yml"), "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(up)\n  - alert: A\n    expr: up == 0\n");
        Files.writeString(dir.resolve("bad.yml"), "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(\n");
        Files.writeString(dir.resolve("ok.yml"), "rule_files: [" + dir.resolve("good.yml") + "]\nscrape_configs: []\n");
        Files.writeString(dir.resolve("two.yml"), "rule_files: [" + dir.resolve("good.yml") + ", " + dir.resolve("bad.yml") + "]\nscrape_configs: []\n");

        String ok = dir.resolve("ok.yml").toString(), two = dir.resolve("two.yml").toString();
        String[] vigil = run("config", ok);
        assertEquals("0", vigil[0]);
        assertEquals("Checking " + ok + "\n  SUCCESS: 1 rule files found\n SUCCESS: " + ok + " is valid prometheus config file syntax\n\n"
                + "Checking " + dir.resolve("good.yml") + "\n  SUCCESS: 2 rules found\n\n", vigil[1]);
        String[] reference = promtool("check", "config", ok);
        assertEquals(reference[0] + reference[1], vigil[0] + vigil[1]);

        vigil = run("config", two);
        reference = promtool("check", "config", two);
        assertEquals("1", vigil[0]);
        assertEquals(reference[0] + reference[1] + reference[2], vigil[0] + vigil[1] + vigil[2]);

        vigil = run("rules", dir.resolve("bad.yml").toString());
        reference = promtool("check", "rules", dir.resolve("bad.yml").toString());
        assertEquals(reference[0] + reference[1] + reference[2], vigil[0] + vigil[1] + vigil[2]);
    }

    @Test
    void relativePathsAreShownAsPromtoolShowsThem() throws Exception {
        Files.writeString(dir.resolve("good.yml"), "groups:\n- name: g\n  rules:\n  - record: a:b\n    expr: sum(up)\n");
        Files.writeString(dir.resolve("prometheus.yml"), "rule_files: [good.yml, '*.rules']\nscrape_configs: []\n");
        Files.writeString(dir.resolve("x.rules"), "groups: []\n");
        // the config named relative to the working directory: its rule files are named relative to it too
        String config = Path.of("").toAbsolutePath().relativize(dir.resolve("prometheus.yml")).toString();
        String[] vigil = run("config", config);
        String[] reference = promtool("check", "config", config);
        assertEquals(reference[0] + reference[1] + reference[2], vigil[0] + vigil[1] + vigil[2]);
        assertEquals(true, vigil[1].contains("Checking " + Path.of(config).getParent().resolve("good.yml") + "\n"), vigil[1]);
    }
}
