package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.tsdb.Labels;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TargetBuilderTest {
    static ScrapeConfig job(String yaml) {
        PrometheusConfig c = ConfigParser.parse("scrape_configs:\n  - job_name: j\n" + yaml.indent(4), "p.yml", Path.of("/"), n -> null);
        return c.scrapeConfigs().getFirst();
    }

    static TargetBuilder.Result one(String yaml, Labels target, Labels group) {
        return TargetBuilder.populate(target, group, job(yaml));
    }

    @Test
    void defaults_fill_internal_labels_job_and_instance() {
        var r = one("", Labels.of("__address__", "a:1"), Labels.of("foo", "bar"));
        assertEquals(Labels.of("__address__", "a:1", "__metrics_path__", "/metrics", "__scheme__", "http",
                "__scrape_interval__", "1m", "__scrape_timeout__", "10s", "instance", "a:1", "job", "j", "foo", "bar"),
                r.target().labels());
        assertEquals(Labels.of("instance", "a:1", "job", "j", "foo", "bar"), r.target().publicLabels());
        assertEquals("http://a:1/metrics", r.target().url());
        assertEquals(60_000, r.target().intervalMs());
        assertEquals(10_000, r.target().timeoutMs());
    }

    record Case(String name, String yaml, Labels target, Labels group, Labels wantPublic, String wantUrl, String wantError, boolean dropped) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        Labels addr = Labels.of("__address__", "h:9");
        return Stream.of(
                new Case("target label wins over group label", "", Labels.of("__address__", "h:9", "x", "t"), Labels.of("x", "g"),
                        Labels.of("instance", "h:9", "job", "j", "x", "t"), "http://h:9/metrics", null, false),
                new Case("params become __param_ labels and the query", "params: {module: [icmp, tcp], b: [1]}", addr, Labels.EMPTY,
                        Labels.of("instance", "h:9", "job", "j"), "http://h:9/metrics?b=1&module=icmp&module=tcp", null, false),
                new Case("relabeled __param_ overrides the first value",
                        "params: {module: [icmp, tcp]}\nrelabel_configs:\n  - {target_label: __param_module, replacement: http}", addr, Labels.EMPTY,
                        Labels.of("instance", "h:9", "job", "j"), "http://h:9/metrics?module=http&module=tcp", null, false),
                new Case("blackbox style address rewrite keeps instance",
                        "metrics_path: /probe\nrelabel_configs:\n  - {source_labels: [__address__], target_label: __param_target}\n"
                                + "  - {source_labels: [__param_target], target_label: instance}\n  - {target_label: __address__, replacement: 'bb:9115'}",
                        Labels.of("__address__", "example.com"), Labels.EMPTY,
                        Labels.of("instance", "example.com", "job", "j"), "http://bb:9115/probe?target=example.com", null, false),
                new Case("meta labels removed, tmp labels kept private",
                        "relabel_configs:\n  - {source_labels: [__meta_x], target_label: __tmp_y}\n  - {source_labels: [__tmp_y], target_label: y}",
                        Labels.of("__address__", "h:9", "__meta_x", "v"), Labels.EMPTY, Labels.of("instance", "h:9", "job", "j", "y", "v"),
                        "http://h:9/metrics", null, false),
                new Case("keep drops", "relabel_configs:\n  - {source_labels: [a], regex: yes, action: keep}", addr, Labels.EMPTY,
                        null, null, null, true),
                new Case("no address", "relabel_configs:\n  - {action: labeldrop, regex: __address__}", addr, Labels.EMPTY, null, null,
                        "no address", false),
                new Case("url in address", "relabel_configs:\n  - {target_label: __address__, replacement: 'h/x'}", addr, Labels.EMPTY,
                        null, null, "\"h/x\" is not a valid hostname", false),
                new Case("relabeled timeout above interval", "relabel_configs:\n  - {target_label: __scrape_timeout__, replacement: 2m}", addr,
                        Labels.EMPTY, null, null, "scrape timeout cannot be greater than scrape interval (\"2m\" > \"1m\")", false),
                new Case("bad relabeled interval", "relabel_configs:\n  - {target_label: __scrape_interval__, replacement: soon}", addr,
                        Labels.EMPTY, null, null, "error parsing scrape interval: not a valid duration string: \"soon\"", false),
                new Case("job set by relabeling and scheme https", "scheme: https\nrelabel_configs:\n  - {target_label: job, replacement: other}",
                        addr, Labels.EMPTY, Labels.of("instance", "h:9", "job", "other"), "https://h:9/metrics", null, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void populate_labels(Case c) {
        var r = one(c.yaml(), c.target(), c.group());
        if (c.dropped()) {
            assertNull(r.target());
            assertNull(r.error());
            assertEquals("j", r.dropped().get("job"), "dropped targets keep their discovered labels");
        } else if (c.wantError() != null) {
            assertEquals(c.wantError(), r.error());
        } else {
            assertNull(r.error());
            assertEquals(c.wantPublic(), r.target().publicLabels());
            assertEquals(c.wantUrl(), r.target().url());
        }
    }

    @Test
    void caas_example_keeps_annotated_pods_only() {
        PrometheusConfig c = ConfigParser.load(Path.of("/work/shared/examples/caas/prometheus.yml"));
        ScrapeConfig s = c.scrapeConfigs().getFirst();
        List<TargetBuilder.Result> rs = s.staticConfigs().stream().flatMap(g -> TargetBuilder.fromGroup(g, s).stream()).toList();
        List<Target> active = rs.stream().map(TargetBuilder.Result::target).filter(Objects::nonNull).toList();
        assertEquals(5, active.size());
        assertEquals(1, rs.stream().filter(r -> r.dropped() != null).count());
        Target gw = active.getFirst();
        assertEquals(Labels.of("app", "gateway", "instance", "127.0.0.1:9401", "job", "caas-services", "namespace", "caas",
                "pod", "gateway-7b9f6d5c4-kq2xz"), gw.publicLabels());
    }

    @Test
    void offsets_are_deterministic_and_spread() {
        ScrapeConfig s = job("scrape_interval: 10s");
        Target a = TargetBuilder.populate(Labels.of("__address__", "a:1"), Labels.EMPTY, s).target();
        Target b = TargetBuilder.populate(Labels.of("__address__", "b:1"), Labels.EMPTY, s).target();
        long now = 1_700_000_000_123L;
        long oa = a.offsetMs(now, 10_000, 0);
        assertEquals(oa, a.offsetMs(now, 10_000, 0));
        assertTrue(oa >= 0 && oa <= 10_000);
        // The phase is pinned to absolute time: asking a second later moves the offset by a second.
        assertEquals(Math.floorMod(now + oa, 10_000), Math.floorMod(now + 1000 + a.offsetMs(now + 1000, 10_000, 0), 10_000));
        assertNotEquals(Math.floorMod(now + oa, 10_000), Math.floorMod(now + b.offsetMs(now, 10_000, 0), 10_000));
    }
}
