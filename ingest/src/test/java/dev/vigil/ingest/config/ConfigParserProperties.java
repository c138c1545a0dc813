package dev.vigil.ingest.config;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConfigParserProperties {
    // Pieces of real configs, so that mutations reach deep into the walker, not just the YAML scanner.
    private static final String[] TOKENS = {"global:", "scrape_configs:", "- job_name: a", "  scrape_interval: 15s",
            "  scrape_timeout: 1m", "static_configs:", "- targets: ['h:1']", "labels: {a: b}", "relabel_configs:",
            "- action: hashmod", "  modulus: 8", "  regex: (", "  target_label: x", "file_sd_configs: [{files: [a.json]}]",
            "remote_write: [{url: http://a/}]", "alerting: {alertmanagers: [{static_configs: [{targets: [a]}]}]}",
            "storage: {tsdb: {retention: {time: 1d}}}", "params: {m: [a]}", "basic_auth: {username: u}", "<<: *x",
            "&x", "*x", "[", "]", "{", "}", ":", "- ", "  ", "    ", "\t", "'", "\"", "null", "~", "true", "1h30m",
            "-1", "18446744073709551616", "ü", "#c", "---", "...", "!!binary", "? k"};

    @Test
    void arbitrary_documents_parse_or_fail_with_a_located_config_error() {
        qt().withExamples(2000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            StringBuilder sb = new StringBuilder();
            int lines = 1 + r.nextInt(12);
            for (int i = 0; i < lines; i++) {
                int parts = 1 + r.nextInt(3);
                sb.append("  ".repeat(r.nextInt(4)));
                for (int p = 0; p < parts; p++) sb.append(TOKENS[r.nextInt(TOKENS.length)]).append(r.nextBoolean() ? " " : "");
                sb.append('\n');
            }
            String text = sb.toString();
            try {
                ConfigParser.parse(text, "p.yml", Path.of("/etc"), n -> null);
            } catch (ConfigException e) {
                assertTrue(e.getMessage().startsWith("p.yml"), e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("not a ConfigException for:\n" + text, e);
            }
        });
    }

    @Test
    void file_sd_content_never_fails_otherwise() {
        qt().withExamples(1000).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            String[] json = {"[", "]", "{", "}", "\"targets\"", "\"labels\"", ":", ",", "\"a:1\"", "\"x\"", "1", "null", "\t", " "};
            StringBuilder sb = new StringBuilder();
            for (int i = 0, n = r.nextInt(30); i < n; i++) sb.append(json[r.nextInt(json.length)]);
            try {
                TargetGroupFiles.parse(sb.toString(), "t.json", true);
                TargetGroupFiles.parse(sb.toString(), "t.yml", false);
            } catch (ConfigException e) {
                assertTrue(e.getMessage().startsWith("t."), e.getMessage());
            } catch (RuntimeException | StackOverflowError e) {
                throw new AssertionError("not a ConfigException for: " + sb, e);
            }
        });
    }

    @Test
    void recursive_aliases_are_errors_not_stack_overflows() {
        for (String text : new String[] {"global: &x\n  <<: *x\n", "scrape_configs: &x [*x]\n", "rule_files: &x [*x]\n",
                "scrape_configs:\n  - &x\n    job_name: a\n    params: {m: *x}\n"}) {
            try {
                ConfigParser.parse(text, "p.yml", Path.of("/etc"), n -> null);
                throw new AssertionError("accepted: " + text);
            } catch (ConfigException e) {
                assertTrue(e.getMessage().startsWith("p.yml"), e.getMessage());
            }
        }
    }
}
