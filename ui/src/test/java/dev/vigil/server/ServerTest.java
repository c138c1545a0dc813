package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTest {
    @TempDir
    Path dir;

    @Test
    void serves_health_and_its_own_storage_metrics() throws Exception {
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"});
        try (Server s = Server.start(flags, () -> {}, true)) {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.http.port();
            HttpResponse<String> health = c.send(HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            HttpResponse<String> metrics = c.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
            assertTrue(metrics.body().contains("prometheus_tsdb_head_series "), metrics.body());
            // as Prometheus: blocks only (none yet); the whole directory is Vigil's own metric
            assertTrue(metrics.body().contains("\nprometheus_tsdb_storage_blocks_bytes 0\n"), metrics.body());
            assertTrue(java.util.regex.Pattern.compile("\nvigil_tsdb_storage_bytes [1-9][0-9]*\n").matcher(metrics.body()).find(), metrics.body());
            // every family has HELP before its TYPE, as Prometheus's own /metrics (shown by /api/v1/metadata)
            String[] lines = metrics.body().split("\n");
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].startsWith("# TYPE ")) continue;
                String family = lines[i].split(" ")[2];
                assertTrue(i > 0 && lines[i - 1].startsWith("# HELP " + family + " "), "no HELP for " + family);
            }
            for (String m : new String[] {"process_cpu_seconds_total ", "process_resident_memory_bytes ", "jvm_memory_used_bytes{area=\"heap\"} ",
                    "prometheus_http_requests_total{code=\"200\",handler=\"/-/healthy\"} 1\n", "vigil_queries_total ",
                    "prometheus_target_scrapes_total ", "vigil_remote_write_samples_written_total "}) {
                assertTrue(metrics.body().contains(m), m + " in\n" + metrics.body());
            }
            // the embedded default config scrapes Vigil's own /metrics (first scrape within one 15s interval)
            long deadline = System.nanoTime() + 40_000_000_000L;
            String up = "";
            while (System.nanoTime() < deadline) {
                up = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query=up%7Bjob%3D%22vigil%22%7D")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                if (up.contains("\"value\"")) break;
                Thread.sleep(500);
            }
            assertTrue(up.contains("\"instance\":\"127.0.0.1:" + s.http.port() + "\",\"job\":\"vigil\"},\"value\":[") && up.contains(",\"1\"]"), up);
            long series = s.storage.stats().headSeries();
            assertTrue(series > 10, "self-scraped series in the head: " + series);
            assertTrue(metrics.body().contains("vigil_tsdb_rejected_samples_total{reason=\"out_of_order\"} 0"), metrics.body());
        }
    }

    @Test
    void scrapes_the_configured_targets_and_keeps_them_on_a_failed_reload() throws Exception {
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = "demo_value 42\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        Path config = dir.resolve("prometheus.yml");
        String addr = "127.0.0.1:" + target.getAddress().getPort();
        java.nio.file.Files.writeString(config, "scrape_configs:\n  - job_name: demo\n    scrape_interval: 500ms\n    scrape_timeout: 500ms\n"
                + "    static_configs: [{targets: ['" + addr + "']}]\n");
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", config.toString(), "--web.enable-lifecycle"});
        try (Server s = Server.start(flags, () -> {}, false)) {
            long deadline = System.nanoTime() + 20_000_000_000L;
            // The first scrapes of a cold JVM may time out; wait for a good one.
            while (s.scrapes.activeTargets().isEmpty() || !s.scrapes.activeTargets().getFirst().health().apiName().equals("up")) {
                assertTrue(System.nanoTime() < deadline, () -> "target never up: " + s.scrapes.activeTargets());
                Thread.sleep(20);
            }
            java.nio.file.Files.writeString(config, "scrape_configs:\n  - job_nam: demo\n");
            HttpClient c = HttpClient.newHttpClient();
            HttpResponse<String> r = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.http.port() + "/-/reload"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(500, r.statusCode());
            assertTrue(r.body().contains("unknown key \"job_nam\""), r.body());
            assertEquals(1, s.scrapes.activeTargets().size(), "the running config stays");
            String metrics = c.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.http.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("prometheus_config_last_reload_successful 0\n"), metrics);
            assertTrue(metrics.contains("vigil_targets_active 1\n"), metrics);
            assertTrue(metrics.contains("# TYPE prometheus_target_scrapes_total counter\n"), metrics);
        } finally {
            target.stop(0);
        }
    }

    @Test
    void a_broken_config_file_stops_startup() throws Exception {
        Path config = dir.resolve("bad.yml");
        java.nio.file.Files.writeString(config, "global:\n  scrape_interval: soon\n");
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", config.toString()});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Server.start(flags, () -> {}, false));
        assertTrue(e.getMessage().contains("bad.yml:2:20: not a valid duration string: \"soon\""), e.getMessage());
    }

    @Test
    void flags_follow_prometheus_names_and_reject_unknown_ones() {
        Flags f = Flags.parse(new String[] {"--storage.tsdb.retention.time=2w", "--storage.tsdb.retention.size", "512MB"});
        assertEquals(14L * 86_400_000, f.retentionMs());
        assertEquals(512L << 20, f.retentionBytes());
        assertEquals("0.0.0.0:9090", f.listenAddress());
        assertEquals(Path.of("data"), f.storagePath());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flags.parse(new String[] {"--nope=1"}));
        assertTrue(e.getMessage().contains("--nope"));
        assertEquals(90 * 60_000L, Durations.parse("1h30m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1x"));
    }

    @Test
    void external_url_is_computed_as_prometheus_does() {
        // no flag: the machine's name and the listen port, as Prometheus's computeExternalURL
        assertEquals("http://" + Flags.hostname() + ":9191", Flags.parse(new String[] {"--web.listen-address=127.0.0.1:9191"}).externalUrl());
        assertEquals("https://proxy.example:8443/vigil",
                Flags.parse(new String[] {"--web.external-url=https://proxy.example:8443/vigil//"}).externalUrl());
        assertEquals("http://proxy.example", Flags.parse(new String[] {"--web.external-url=http://proxy.example/"}).externalUrl());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Flags.parse(new String[] {"--web.external-url=\"http://proxy.example/\""}));
        assertTrue(e.getMessage().contains("must not begin or end with quotes"), e.getMessage());
    }

    @Test
    void the_config_api_shows_no_secrets() throws Exception {
        Path config = dir.resolve("prometheus.yml");
        java.nio.file.Files.writeString(config, """
                scrape_configs:
                  - job_name: private
                    basic_auth: {username: scraper, password: s3cret-pass}
                    static_configs: [{targets: ['127.0.0.1:1']}]
                  - job_name: token
                    authorization: {credentials: s3cret-token}
                    static_configs: [{targets: ['127.0.0.1:2']}]
                """);
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", config.toString()});
        try (Server s = Server.start(flags, () -> {}, false)) {
            String cfg = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + s.port() + "/api/v1/status/config")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            assertFalse(cfg.contains("s3cret"), cfg);
            // JSON-escaped as Prometheus (Go) escapes < and >
            assertTrue(cfg.contains("username: scraper\\n    password: \\u003csecret\\u003e") && cfg.contains("credentials: \\u003csecret\\u003e"), cfg);
        }
    }
}
