package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/v1/targets, targets/metadata and metadata from live scrape targets, in Prometheus's shapes. */
class TargetsApiTest {
    @TempDir
    Path dir;

    @Test
    void activeAndDroppedTargetsAndTheirMetadata() throws Exception {
        HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = "# HELP jobs_total Jobs done.\n# TYPE jobs_total counter\njobs_total 7\n".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        String addr = "127.0.0.1:" + target.getAddress().getPort();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                scrape_configs:
                  - job_name: demo
                    scrape_interval: 500ms
                    scrape_timeout: 400ms
                    keep_dropped_targets: 10
                    static_configs:
                      - targets: ['%s', 'drop-me:1234']
                    relabel_configs:
                      - source_labels: [__address__]
                        regex: 'drop-me:.*'
                        action: drop
                """.formatted(addr));
        try (Server s = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:0", "--config.file", config.toString()}), () -> {}, false)) {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.port();
            String targets = "";
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (System.nanoTime() < deadline) {
                targets = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets")).build(), HttpResponse.BodyHandlers.ofString()).body();
                if (targets.contains("\"health\":\"up\"")) break;
                Thread.sleep(100);
            }
            assertTrue(targets.startsWith("{\"status\":\"success\",\"data\":{\"activeTargets\":[{\"discoveredLabels\":{\"__address__\":\"" + addr + "\""), targets);
            assertTrue(targets.contains("\"labels\":{\"instance\":\"" + addr + "\",\"job\":\"demo\"},\"scrapePool\":\"demo\",\"scrapeUrl\":\"http://" + addr
                    + "/metrics\",\"globalUrl\":\"http://" + Flags.hostname() + ":" + target.getAddress().getPort() + "/metrics\",\"lastError\":\"\",\"lastScrape\":\""), targets);
            assertTrue(targets.contains("\"health\":\"up\",\"scrapeInterval\":\"500ms\",\"scrapeTimeout\":\"400ms\"}"), targets);
            assertTrue(targets.contains("\"droppedTargets\":[{\"discoveredLabels\":{\"__address__\":\"drop-me:1234\""), targets);
            assertTrue(targets.endsWith("\"droppedTargetCounts\":{\"demo\":1}}}"), targets);
            String active = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets?state=active")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(active.contains("\"droppedTargets\":[]"), active);

            String tm = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets/metadata?match_target=" + java.net.URLEncoder.encode("{job=\"demo\"}", StandardCharsets.UTF_8)))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("{\"status\":\"success\",\"data\":[{\"target\":{\"instance\":\"" + addr + "\",\"job\":\"demo\"},\"metric\":\"jobs_total\","
                    + "\"type\":\"counter\",\"help\":\"Jobs done.\",\"unit\":\"\"}]}", tm);
            String one = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/targets/metadata?metric=jobs_total")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            // as Prometheus: a request that names the metric gets entries without it
            assertEquals("{\"status\":\"success\",\"data\":[{\"target\":{\"instance\":\"" + addr + "\",\"job\":\"demo\"},"
                    + "\"type\":\"counter\",\"help\":\"Jobs done.\",\"unit\":\"\"}]}", one);
            String pools = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/scrape_pools")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("{\"status\":\"success\",\"data\":{\"scrapePools\":[\"demo\"]}}", pools);
            String md = c.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/metadata?metric=jobs_total")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals("{\"status\":\"success\",\"data\":{\"jobs_total\":[{\"type\":\"counter\",\"help\":\"Jobs done.\",\"unit\":\"\"}]}}", md);
        } finally {
            target.stop(0);
        }
    }
}
