package dev.vigil.ingest.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.relabel.RelabelAction;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ConfigParserTest {
    private static final Path DIR = Path.of("/etc/vigil");

    static PrometheusConfig parse(String yaml) {
        return ConfigParser.parse(yaml, "prometheus.yml", DIR, name -> name.equals("REGION") ? "eu-1" : null);
    }

    @Test
    void empty_file_gives_prometheus_defaults() {
        PrometheusConfig c = parse("");
        assertEquals(60_000, c.global().scrapeIntervalMs());
        assertEquals(10_000, c.global().scrapeTimeoutMs());
        assertEquals(60_000, c.global().evaluationIntervalMs());
        assertTrue(c.scrapeConfigs().isEmpty());
        assertEquals(StorageConfig.DEFAULT, c.storage());
    }

    @Test
    void scrape_config_inherits_globals_and_takes_defaults() {
        PrometheusConfig c = parse("""
                global:
                  scrape_interval: 1h30m
                  scrape_timeout: 20s
                  sample_limit: 500
                  label_limit: 30
                  body_size_limit: 10MB
                  external_labels:
                    region: $REGION
                    cluster: ${UNSET}x
                scrape_configs:
                  - job_name: a
                  - job_name: b
                    scrape_interval: 5s
                    sample_limit: 7
                    params:
                      module: [http_2xx, other]
                """);
        ScrapeConfig a = c.scrapeConfigs().get(0);
        assertEquals(5_400_000, a.scrapeIntervalMs());
        assertEquals(20_000, a.scrapeTimeoutMs());
        assertEquals("/metrics", a.metricsPath());
        assertEquals("http", a.scheme());
        assertFalse(a.honorLabels());
        assertTrue(a.honorTimestamps());
        assertTrue(a.enableCompression());
        assertTrue(a.http().followRedirects());
        assertEquals(500, a.limits().sampleLimit());
        assertEquals(30, a.limits().labelLimit());
        assertEquals(10L << 20, a.limits().bodySizeLimitBytes());
        assertEquals(ScrapeConfig.DEFAULT_SCRAPE_PROTOCOLS, a.scrapeProtocols());
        ScrapeConfig b = c.scrapeConfigs().get(1);
        assertEquals(5_000, b.scrapeIntervalMs());
        assertEquals(5_000, b.scrapeTimeoutMs(), "the timeout is capped by a shorter interval");
        assertEquals(7, b.limits().sampleLimit());
        assertEquals(Map.of("module", List.of("http_2xx", "other")), b.params());
        assertEquals(Labels.of("region", "eu-1", "cluster", "x"), c.global().externalLabels());
    }

    @Test
    void scrape_protocols_come_from_the_job_then_global_then_the_default() {
        PrometheusConfig c = parse("global:\n  scrape_protocols: [PrometheusText0.0.4]\nscrape_configs:\n  - job_name: a\n"
                + "  - job_name: b\n    scrape_protocols: [OpenMetricsText1.0.0, PrometheusText0.0.4]\n");
        assertEquals(List.of("PrometheusText0.0.4"), c.scrapeConfigs().get(0).scrapeProtocols());
        assertEquals(List.of("OpenMetricsText1.0.0", "PrometheusText0.0.4"), c.scrapeConfigs().get(1).scrapeProtocols());
        assertEquals(ScrapeConfig.DEFAULT_SCRAPE_PROTOCOLS, parse("scrape_configs: [{job_name: a}]").scrapeConfigs().getFirst().scrapeProtocols());
    }

    @Test
    void unquoted_boolean_regex_is_the_string_true() {
        PrometheusConfig c = parse("""
                scrape_configs:
                  - job_name: j
                    relabel_configs:
                      - source_labels: [a]
                        action: keep
                        regex: true
                """);
        var r = c.scrapeConfigs().getFirst().relabelConfigs().getFirst();
        assertEquals(RelabelAction.KEEP, r.action());
        assertTrue(r.regex().matches("true"));
    }

    @Test
    void paths_are_resolved_against_the_config_directory() {
        PrometheusConfig c = parse("""
                rule_files: [rules/*.yml, /abs/r.yml]
                scrape_configs:
                  - job_name: j
                    file_sd_configs:
                      - files: [sd/*.json]
                    authorization:
                      credentials_file: token
                    bearer_token: ignored-no
                """.replace("    bearer_token: ignored-no\n", ""));
        assertEquals(List.of("/etc/vigil/rules/*.yml", "/abs/r.yml"), c.ruleFiles());
        ScrapeConfig s = c.scrapeConfigs().getFirst();
        assertEquals(List.of("/etc/vigil/sd/*.json"), s.fileSdConfigs().getFirst().files());
        assertEquals(300_000, s.fileSdConfigs().getFirst().refreshIntervalMs());
        assertEquals("Bearer", s.http().authorization().type());
        assertEquals("/etc/vigil/token", s.http().authorization().credentialsFile());
    }

    @Test
    void alerting_remote_write_and_storage_defaults() {
        PrometheusConfig c = parse("""
                alerting:
                  alertmanagers:
                    - static_configs:
                        - targets: ['127.0.0.1:9093']
                      path_prefix: /am
                remote_write:
                  - url: http://127.0.0.1:9009/api/v1/push
                    headers: {X-Scope-OrgID: prod}
                    queue_config: {max_shards: 10}
                storage:
                  tsdb:
                    out_of_order_time_window: 10m
                    retention: {time: 15d, size: 50GB}
                """);
        var am = c.alerting().alertmanagers().getFirst();
        assertEquals("http", am.scheme());
        assertEquals(10_000, am.timeoutMs());
        assertEquals("v2", am.apiVersion());
        assertEquals("/am", am.pathPrefix());
        assertEquals("127.0.0.1:9093", am.staticConfigs().getFirst().targets().getFirst().get("__address__"));
        var rw = c.remoteWrite().getFirst();
        assertEquals(30_000, rw.remoteTimeoutMs());
        assertEquals(10, rw.queue().maxShards());
        assertEquals(2000, rw.queue().maxSamplesPerSend());
        assertEquals(RemoteWriteConfig.WRITE_V1, rw.protobufMessage());
        assertFalse(rw.http().enableHttp2(), "remote write defaults to HTTP/1.1 as in Prometheus");
        assertEquals(600_000, c.storage().outOfOrderTimeWindowMs());
        assertEquals(15 * 86_400_000L, c.storage().retentionTimeMs());
        assertEquals(50L << 30, c.storage().retentionSizeBytes());
    }

    @Test
    void yaml_merge_keys_are_honoured() {
        PrometheusConfig c = parse("""
                x: &defaults
                  scrape_interval: 30s
                """.replace("x: &defaults\n  scrape_interval: 30s\n", "") + """
                scrape_configs:
                  - &base
                    job_name: a
                    scrape_interval: 30s
                  - <<: *base
                    job_name: b
                """);
        assertEquals(30_000, c.scrapeConfigs().get(1).scrapeIntervalMs());
        assertEquals("b", c.scrapeConfigs().get(1).jobName());
    }

    record Bad(String name, String yaml, int line, String key, String detail) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Bad> badConfigs() {
        return Stream.of(
                new Bad("unknown top-level key", "global: {}\nscrape_config: []\n", 2, "scrape_config", "unknown key \"scrape_config\""),
                new Bad("unknown scrape key", "scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n", 3,
                        "scrape_configs[0].scrape_intervall", "unknown key \"scrape_intervall\""),
                new Bad("bad duration", "global:\n  scrape_interval: 15\n", 2, "global.scrape_interval", "not a valid duration string: \"15\""),
                new Bad("units out of order", "global:\n  scrape_interval: 30m1h\n", 2, "global.scrape_interval", "not a valid duration string: \"30m1h\""),
                new Bad("global timeout above interval", "global:\n  scrape_interval: 5s\n  scrape_timeout: 6s\n", 3,
                        "global.scrape_timeout", "global scrape timeout greater than scrape interval"),
                new Bad("job timeout above interval", "scrape_configs:\n  - job_name: a\n    scrape_interval: 5s\n    scrape_timeout: 10s\n", 4,
                        "scrape_configs[0].scrape_timeout", "scrape timeout greater than scrape interval for scrape config with job name \"a\""),
                new Bad("duplicate job", "scrape_configs:\n  - job_name: a\n  - job_name: a\n", 3, "scrape_configs[1].job_name",
                        "found multiple scrape configs with job name \"a\""),
                new Bad("empty job name", "scrape_configs:\n  - scrape_interval: 5s\n", 2, "scrape_configs[0].job_name", "job_name is empty"),
                new Bad("duplicate key", "global:\n  scrape_interval: 5s\n  scrape_interval: 6s\n", 3, "global.scrape_interval",
                        "mapping key \"scrape_interval\" already defined at line 2"),
                new Bad("bad bool", "scrape_configs:\n  - job_name: a\n    honor_labels: maybe\n", 3, "scrape_configs[0].honor_labels",
                        "cannot read \"maybe\" as a boolean"),
                new Bad("negative limit", "scrape_configs:\n  - job_name: a\n    sample_limit: -1\n", 3, "scrape_configs[0].sample_limit",
                        "cannot read \"-1\" as an unsigned integer"),
                new Bad("bad byte size", "global:\n  body_size_limit: 10 apples\n", 2, "global.body_size_limit", "byte size"),
                new Bad("url as target", "scrape_configs:\n  - job_name: a\n    static_configs:\n      - targets: ['http://x:1/metrics']\n", 4,
                        "scrape_configs[0].static_configs[0].targets", "\"http://x:1/metrics\" is not a valid hostname"),
                new Bad("bad relabel action", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: frobnicate\n", 4,
                        "scrape_configs[0].relabel_configs[0]", "unknown relabel action \"frobnicate\""),
                new Bad("hashmod without modulus", "scrape_configs:\n  - job_name: a\n    relabel_configs:\n      - action: hashmod\n        target_label: x\n", 4,
                        "scrape_configs[0].relabel_configs[0]", "relabel configuration for hashmod requires non-zero modulus"),
                new Bad("bad regex", "scrape_configs:\n  - job_name: a\n    metric_relabel_configs:\n      - regex: '(('\n        action: drop\n", 4,
                        "scrape_configs[0].metric_relabel_configs[0]", "invalid relabel regex"),
                new Bad("unsupported sd", "scrape_configs:\n  - job_name: a\n    kubernetes_sd_configs: [{role: pod}]\n", 3,
                        "scrape_configs[0].kubernetes_sd_configs", "service discovery \"kubernetes_sd_configs\" is not supported"),
                new Bad("dns_sd without names", "scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - type: A\n        port: 80\n", 4,
                        "scrape_configs[0].dns_sd_configs[0].names", "DNS-SD config must contain at least one SRV record name"),
                new Bad("dns_sd A without port", "scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x.test]\n        type: a\n", 4,
                        "scrape_configs[0].dns_sd_configs[0].port", "a port is required in DNS-SD configs for all record types except SRV"),
                new Bad("dns_sd bad type", "scrape_configs:\n  - job_name: a\n    dns_sd_configs:\n      - names: [x.test]\n        type: TXT\n", 5,
                        "scrape_configs[0].dns_sd_configs[0].type", "invalid DNS-SD records type TXT"),
                new Bad("dns_sd unknown key", "alerting:\n  alertmanagers:\n    - dns_sd_configs:\n        - names: [x.test]\n          server: 1.1.1.1\n", 5,
                        "alerting.alertmanagers[0].dns_sd_configs[0].server", "unknown key \"server\""),
                new Bad("file_sd bad extension", "scrape_configs:\n  - job_name: a\n    file_sd_configs:\n      - files: [t.txt]\n", 4,
                        "scrape_configs[0].file_sd_configs[0].files", "path name \"t.txt\" is not valid for file discovery"),
                new Bad("wildcard in directory", "rule_files: ['a/*/r.yml']\n", 1, "rule_files", "invalid rule file path \"a/*/r.yml\""),
                new Bad("two auth methods", "scrape_configs:\n  - job_name: a\n    basic_auth: {username: u}\n    authorization: {credentials: c}\n", 4,
                        "scrape_configs[0].authorization", "at most one of basic_auth, oauth2 & authorization must be configured"),
                new Bad("authorization type basic", "scrape_configs:\n  - job_name: a\n    authorization: {type: Basic}\n", 3,
                        "scrape_configs[0].authorization", "authorization type cannot be set to \"basic\""),
                new Bad("remote write without url", "remote_write:\n  - name: x\n", 2, "remote_write[0].url", "url for remote_write is empty"),
                new Bad("remote write reserved header", "remote_write:\n  - url: http://a/\n    headers: {Content-Type: x}\n", 3,
                        "remote_write[0].headers", "Content-Type is a reserved header. It must not be changed"),
                new Bad("remote write duplicate name", "remote_write:\n  - url: http://a/\n    name: x\n  - url: http://b/\n    name: x\n", 4,
                        "remote_write[1].name", "found multiple remote write configs with job name \"x\""),
                new Bad("alertmanager api v1", "alerting:\n  alertmanagers:\n    - api_version: v1\n", 3,
                        "alerting.alertmanagers[0].api_version", "expected Alertmanager api version to be one of [v2] but got v1"),
                new Bad("external label name", "global:\n  metric_name_validation_scheme: legacy\n  external_labels: {'a-b': x}\n", 3,
                        "global.external_labels", "\"a-b\" is not a valid label name"),
                new Bad("list where a mapping belongs", "global: [1]\n", 1, "global", "expected a mapping, got a list"),
                new Bad("unknown storage key", "storage:\n  tsdb:\n    retention.time: 15d\n", 3, "storage.tsdb.retention.time",
                        "unknown key \"retention.time\""),
                new Bad("unknown scrape protocol", "global:\n  scrape_protocols: [Foo]\n", 2, "global.scrape_protocols",
                        "unknown scrape protocol Foo"),
                new Bad("not yaml", "global:\n  a: [\n", 3, "", "invalid YAML"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badConfigs")
    void bad_config_names_file_line_and_key(Bad b) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(b.yaml()));
        assertEquals("prometheus.yml", e.file());
        assertEquals(b.line(), e.line(), e.getMessage());
        assertEquals(b.key(), e.key(), e.getMessage());
        assertTrue(e.detail().contains(b.detail()), e.getMessage());
        assertTrue(e.getMessage().startsWith("prometheus.yml:" + b.line() + ":"), e.getMessage());
    }

    @Test
    void settings_vigil_does_not_act_on_are_named_for_the_log() {
        assertEquals(List.of(), parse("global:\n  scrape_interval: 15s\n").unsupportedSettings());
        List<String> w = parse("""
                global:
                  query_log_file: /tmp/q.log
                  scrape_failure_log_file: /tmp/s.log
                storage:
                  tsdb:
                    out_of_order_time_window: 10m
                remote_read:
                  - url: http://remote:9090/api/v1/read
                scrape_configs:
                  - job_name: a
                    tls_config: {server_name: other.example}
                    proxy_url: http://proxy:3128
                    proxy_connect_header: {X-Proxy-Key: [k]}
                """).unsupportedSettings();
        assertEquals(1, w.size(), w.toString());
        assertTrue(w.get(0).startsWith("proxy_connect_header is not supported"), w.get(0));
        List<String> more = parse("""
                global:
                  scrape_native_histograms: true
                scrape_configs:
                  - job_name: a
                    scrape_native_histograms: true
                    convert_classic_histograms_to_nhcb: true
                tracing:
                  endpoint: otel:4317
                """).unsupportedSettings();
        assertEquals(List.of("scrape_native_histograms is not supported by Vigil: targets are asked for text formats, whose histograms are classic",
                "convert_classic_histograms_to_nhcb is not supported by Vigil: classic histograms are stored as they are",
                "tracing is not supported by Vigil: no traces are sent"), more, "each named once");
    }

    @Test
    void log_files_are_joined_to_the_config_directory_and_a_job_may_have_its_own() {
        PrometheusConfig c = ConfigParser.parse("""
                global:
                  query_log_file: logs/queries.log
                  scrape_failure_log_file: failures.log
                scrape_configs:
                  - job_name: inherits
                  - job_name: own
                    scrape_failure_log_file: /var/log/own.log
                  - job_name: relative
                    scrape_failure_log_file: jobs/relative.log
                """, "prometheus.yml", java.nio.file.Path.of("/etc/vigil"), n -> null);
        assertEquals("/etc/vigil/logs/queries.log", c.global().queryLogFile());
        assertEquals("/etc/vigil/failures.log", c.scrapeConfig("inherits").scrapeFailureLogFile());
        assertEquals("/var/log/own.log", c.scrapeConfig("own").scrapeFailureLogFile());
        assertEquals("/etc/vigil/jobs/relative.log", c.scrapeConfig("relative").scrapeFailureLogFile());
        assertEquals("", parse("scrape_configs:\n  - job_name: none\n").scrapeConfig("none").scrapeFailureLogFile());
    }

    @Test
    void http_headers_are_read_and_reserved_names_refused_as_prometheus_does() {
        PrometheusConfig c = ConfigParser.parse("""
                scrape_configs:
                  - job_name: a
                    http_headers:
                      X-Api-Key: {values: [v], secrets: [s], files: [key.txt]}
                      x-second: {values: [w]}
                """, "prometheus.yml", java.nio.file.Path.of("/etc/vigil"), n -> null);
        var h = c.scrapeConfig("a").http().httpHeaders();
        assertEquals(List.of("X-Api-Key", "x-second"), List.copyOf(h.keySet()));
        assertEquals(new HttpClientConfig.Header(List.of("v"), List.of("s"), List.of("/etc/vigil/key.txt")), h.get("X-Api-Key"));
        ConfigException reserved = assertThrows(ConfigException.class, () -> parse("""
                scrape_configs:
                  - job_name: a
                    http_headers:
                      user-agent: {values: [me]}
                """));
        assertTrue(reserved.getMessage().contains("setting header \"User-Agent\" is not allowed"), reserved.getMessage());
        assertTrue(reserved.getMessage().startsWith("prometheus.yml:4:"), reserved.getMessage());
        ConfigException unknown = assertThrows(ConfigException.class, () -> parse("""
                scrape_configs:
                  - job_name: a
                    http_headers:
                      X-A: {value: [v]}
                """));
        assertTrue(unknown.getMessage().contains("unknown key \"value\""), unknown.getMessage());
    }

    @Test
    void extra_scrape_metrics_is_inherited_from_global_unless_a_job_sets_it() {
        PrometheusConfig c = parse("global: {extra_scrape_metrics: true}\nscrape_configs:\n  - job_name: a\n  - job_name: b\n    extra_scrape_metrics: false\n");
        assertTrue(c.scrapeConfig("a").extraScrapeMetrics());
        assertFalse(c.scrapeConfig("b").extraScrapeMetrics());
        assertFalse(parse("scrape_configs:\n  - job_name: a\n").scrapeConfig("a").extraScrapeMetrics());
    }

    @Test
    void dns_sd_configs_take_prometheus_defaults() {
        PrometheusConfig c = parse("""
                scrape_configs:
                  - job_name: a
                    dns_sd_configs:
                      - names: [_node._tcp.example.test]
                      - names: [web.example.test, db.example.test]
                        type: aaaa
                        port: 9100
                        refresh_interval: 1m
                alerting:
                  alertmanagers:
                    - dns_sd_configs:
                        - names: [_am._tcp.example.test]
                """);
        List<DnsSdConfig> d = c.scrapeConfigs().getFirst().dnsSdConfigs();
        assertEquals(new DnsSdConfig(List.of("_node._tcp.example.test"), 30_000, "SRV", 0), d.get(0));
        assertEquals(new DnsSdConfig(List.of("web.example.test", "db.example.test"), 60_000, "AAAA", 9100), d.get(1));
        assertEquals(List.of(new DnsSdConfig(List.of("_am._tcp.example.test"), 30_000, "SRV", 0)),
                c.alerting().alertmanagers().getFirst().dnsSdConfigs());
    }

    @Test
    void scrape_config_files_are_merged_and_checked_for_duplicate_jobs(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("jobs"));
        Files.writeString(dir.resolve("jobs/a.yml"), "scrape_configs:\n  - job_name: extra\n");
        Files.writeString(dir.resolve("prometheus.yml"), "scrape_config_files: ['jobs/*.yml']\nscrape_configs:\n  - job_name: main\n");
        PrometheusConfig c = ConfigParser.load(dir.resolve("prometheus.yml"));
        assertEquals(List.of("main", "extra"), c.scrapeConfigs().stream().map(ScrapeConfig::jobName).toList());
        assertEquals(60_000, c.scrapeConfig("extra").scrapeIntervalMs());
        assertNull(c.scrapeConfig("none"));

        Files.writeString(dir.resolve("jobs/b.yml"), "scrape_configs:\n  - job_name: main\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.load(dir.resolve("prometheus.yml")));
        assertTrue(e.getMessage().contains("b.yml:2"), e.getMessage());
        assertTrue(e.detail().contains("found multiple scrape configs with job name \"main\", first found in main config file"), e.getMessage());
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/work/shared/examples"))) {
            return s.map(d -> d.resolve("prometheus.yml")).filter(Files::exists).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void shared_examples_parse(Path file) {
        PrometheusConfig c = ConfigParser.load(file);
        assertFalse(c.scrapeConfigs().isEmpty());
        assertEquals(1, c.ruleFiles().size());
        assertEquals(dev.vigil.ingest.CheckConfig.SUCCESS, dev.vigil.ingest.CheckConfig.run(List.of("config", file.toString()),
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()), new java.io.PrintStream(java.io.OutputStream.nullOutputStream())));
    }
}
