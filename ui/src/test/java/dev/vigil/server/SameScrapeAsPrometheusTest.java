package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil and a real Prometheus (Debian's package) scrape the same real node_exporter with the same
 * prometheus.yml (target labels, a job label overriding job_name, relabeling, metric relabeling) and
 * answer the same through the HTTP API: the same series, the same metadata, the same synthetic
 * scrape series and the same target labels.
 */
class SameScrapeAsPrometheusTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    static final Path NODE_EXPORTER = Path.of("/usr/bin/prometheus-node-exporter");
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    @Test
    void sameSeriesMetadataAndTargetsAsPrometheus() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is needed (.ci/run installs it)");
        assertTrue(Files.isExecutable(NODE_EXPORTER), "Debian's prometheus-node-exporter package is needed (.ci/run installs it)");
        int nodePort = freePort(), promPort = freePort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  external_labels: {site: here}
                scrape_configs:
                  - job_name: node
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                        labels: {env: test, job: node-exporter} # a job label of the target's wins over job_name
                    relabel_configs:
                      - source_labels: [__address__]
                        target_label: host
                        regex: '([^:]+):.*'
                    metric_relabel_configs:
                      - source_labels: [__name__]
                        regex: 'go_.*|promhttp_.*'
                        action: drop
                      - source_labels: [__name__, mode]
                        regex: 'node_cpu_seconds_total;(.*)'
                        target_label: cpu_mode
                        replacement: 'mode_$1'
                """.formatted(nodePort));
        Process node = new ProcessBuilder(NODE_EXPORTER.toString(), "--web.listen-address=127.0.0.1:" + nodePort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile()).start();
        Process prom = null;
        try (Server vigil = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("vigil").toString(),
                "--web.listen-address=127.0.0.1:0", "--config.file", config.toString()}), () -> {}, false)) {
            prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prom"),
                    "--web.listen-address=127.0.0.1:" + promPort).redirectErrorStream(true).redirectOutput(dir.resolve("prom.log").toFile()).start();
            String p = "http://127.0.0.1:" + promPort, v = "http://127.0.0.1:" + vigil.port();
            awaitScrapes(p, 3);
            awaitScrapes(v, 3);

            // node_exporter's output varies a little between scrapes (a collector's series may come and go):
            // the two answers are compared until they agree, and the last difference is reported
            String diff = "";
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); System.nanoTime() < deadline; Thread.sleep(500)) {
                long end = System.currentTimeMillis() / 1000;
                String q = "/api/v1/series?match[]=" + enc("{job=\"node-exporter\"}") + "&start=" + (end - 3) + "&end=" + end;
                diff = difference(seriesSet(get(p + q)), seriesSet(get(v + q)));
                if (diff.isEmpty()) break;
            }
            assertEquals("", diff, "series only in one of Prometheus and Vigil");
            List<String> series = seriesSet(get(v + "/api/v1/series?match[]=" + enc("{job=\"node-exporter\"}")));
            assertTrue(series.size() > 100, "node_exporter's series: " + series.size());
            assertTrue(series.stream().anyMatch(s -> s.contains("\"cpu_mode\":\"mode_idle\"")), "metric relabeling applied");
            assertTrue(series.stream().noneMatch(s -> s.contains("\"go_")), "metric relabeling dropped go_*");

            assertEquals(metadata(get(p + "/api/v1/metadata")), metadata(get(v + "/api/v1/metadata")));
            assertEquals(targetLabels(get(p + "/api/v1/targets")), targetLabels(get(v + "/api/v1/targets")));
            for (String gauge : new String[] {"node_memory_MemTotal_bytes", "count(node_cpu_seconds_total)", "up",
                    "scrape_samples_post_metric_relabeling > 0", "count(count by (__name__) ({job=\"node-exporter\"}))"}) {
                String pq = "", vq = "";
                for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10); System.nanoTime() < deadline; Thread.sleep(300)) {
                    pq = instant(p, gauge);
                    vq = instant(v, gauge);
                    if (pq.equals(vq)) break;
                }
                assertEquals(pq, vq, gauge);
            }
        } finally {
            if (prom != null) prom.destroy();
            node.destroy();
            if (prom != null) prom.waitFor(10, TimeUnit.SECONDS);
            node.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private void awaitScrapes(String base, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                String r = instant(base, "count_over_time(up{job=\"node-exporter\"}[1m])");
                if (!r.isEmpty() && Double.parseDouble(r.substring(r.lastIndexOf('=') + 1)) >= n) return;
            } catch (java.io.IOException | RuntimeException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no " + n + " scrapes of node_exporter by " + base);
            Thread.sleep(200);
        }
    }

    /** An instant query's result as sorted "labels=value" lines. */
    private String instant(String base, String query) throws Exception {
        JsonNode result = get(base + "/api/v1/query?query=" + enc(query)).path("data").path("result");
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode r : result) out.add(JSON.writeValueAsString(sorted(r.path("metric"))) + "=" + r.path("value").path(1).asText());
        return String.join("\n", out);
    }

    private static List<String> seriesSet(JsonNode resp) throws Exception {
        TreeSet<String> out = new TreeSet<>();
        for (JsonNode s : resp.path("data")) out.add(JSON.writeValueAsString(sorted(s)));
        return new ArrayList<>(out);
    }

    private static String difference(List<String> prometheus, List<String> vigil) {
        TreeSet<String> onlyP = new TreeSet<>(prometheus), onlyV = new TreeSet<>(vigil);
        onlyP.removeAll(vigil);
        onlyV.removeAll(prometheus);
        if (onlyP.isEmpty() && onlyV.isEmpty()) return "";
        return "only in Prometheus: " + onlyP + "\nonly in Vigil: " + onlyV;
    }

    /** metric → its distinct metadata entries, for node_exporter's metrics (both also have their own). */
    private static Map<String, String> metadata(JsonNode resp) {
        Map<String, String> out = new TreeMap<>();
        resp.path("data").properties().forEach(e -> {
            if (e.getKey().startsWith("node_")) out.put(e.getKey(), e.getValue().toString());
        });
        return out;
    }

    private static String targetLabels(JsonNode resp) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode t : resp.path("data").path("activeTargets")) {
            out.add(JSON.writeValueAsString(sorted(t.path("labels"))) + " " + t.path("health").asText() + " " + t.path("scrapePool").asText()
                    + " " + t.path("scrapeUrl").asText() + " " + t.path("globalUrl").asText() + " " + t.path("scrapeInterval").asText());
        }
        return String.join("\n", out);
    }

    private static Map<String, String> sorted(JsonNode labels) {
        Map<String, String> m = new TreeMap<>();
        labels.properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
        return m;
    }

    private JsonNode get(String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
