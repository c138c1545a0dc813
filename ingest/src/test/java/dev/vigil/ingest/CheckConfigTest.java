package dev.vigil.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckConfigTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {}

    Run check(String yaml) throws IOException {
        Path f = dir.resolve("prometheus.yml");
        Files.writeString(f, yaml);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CheckConfig.run(List.of("config", f.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void valid_config_prints_promtool_style_success() throws IOException {
        Files.writeString(dir.resolve("rules.yml"), "groups: []\n");
        Run r = check("rule_files: [rules.yml]\nscrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['h:1']}]\n");
        assertEquals(CheckConfig.SUCCESS, r.code());
        Path f = dir.resolve("prometheus.yml");
        assertEquals("Checking " + f + "\n  SUCCESS: 1 rule files found\n SUCCESS: " + f + " is valid prometheus config file syntax\n\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void problems_fail_with_exit_code_1() throws IOException {
        Run r = check("rule_files: [missing.yml]\n");
        assertEquals(CheckConfig.FAILURE, r.code());
        assertTrue(r.err().startsWith("  FAILED: ") && r.err().contains("missing.yml\" does not point to an existing file"), r.err());

        r = check("scrape_configs:\n  - job_name: a\n    scrape_intervall: 1m\n");
        assertEquals(CheckConfig.FAILURE, r.code());
        assertTrue(r.err().contains("prometheus.yml:3:5: unknown key \"scrape_intervall\" [key=scrape_configs[0].scrape_intervall]"), r.err());

        r = check("scrape_configs:\n  - job_name: a\n    relabel_configs: [{action: labeldrop, regex: __address__}]\n"
                + "    static_configs: [{targets: ['h:1']}]\n");
        assertEquals(CheckConfig.FAILURE, r.code());
        assertTrue(r.err().contains("instance 0 in group 0: no address [job=a]"), r.err());

        r = check("scrape_configs:\n  - job_name: a\n    authorization: {credentials_file: nope}\n");
        assertEquals(CheckConfig.FAILURE, r.code());
        assertTrue(r.err().contains("error checking authorization credentials or bearer token file"), r.err());
    }

    @Test
    void file_sd_files_are_checked_and_missing_ones_warned_about() throws IOException {
        Run r = check("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['sd/*.json', 'none.yml']}]\n");
        assertEquals(CheckConfig.SUCCESS, r.code());
        assertTrue(r.out().contains("  WARNING: file \"" + dir.resolve("none.yml") + "\" for file_sd in scrape job \"a\" does not exist"), r.out());

        Files.createDirectories(dir.resolve("sd"));
        Files.writeString(dir.resolve("sd/t.json"), "[{\"targets\": [\"http://h/x\"]}]");
        r = check("scrape_configs:\n  - job_name: a\n    file_sd_configs: [{files: ['sd/*.json']}]\n");
        assertEquals(CheckConfig.FAILURE, r.code());
        assertTrue(r.err().contains("\"http://h/x\" is not a valid hostname"), r.err());
    }

    @Test
    void usage_errors_exit_2() {
        assertEquals(CheckConfig.USAGE, CheckConfig.run(List.of("rules"), System.out, new PrintStream(new ByteArrayOutputStream())));
    }
}
