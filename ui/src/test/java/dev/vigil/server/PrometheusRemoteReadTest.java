package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.backfill.OpenMetricsBackfill;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package) reads from Vigil with remote_read: data from a block (dense
 * chunks, re-encoded to XOR) and from the head (XOR chunks shipped as they are) come back exactly
 * through Prometheus's own query API.
 */
class PrometheusRemoteReadTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path dir;

    @Test
    void prometheusQueriesVigilThroughRemoteRead() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is needed (.ci/run installs it)");
        long now = System.currentTimeMillis() / 1000 * 1000;
        long blockStart = (now / 7_200_000 - 2) * 7_200_000; // two block ranges ago: surely a closed block
        StringBuilder om = new StringBuilder("# TYPE old_gauge gauge\n");
        for (int i = 0; i < 200; i++) {
            om.append("old_gauge{k=\"v\"} ").append(i * 0.5).append(' ').append((blockStart + i * 15_000L) / 1000).append('\n');
        }
        om.append("# EOF\n");
        Path data = dir.resolve("vigil");
        Files.writeString(dir.resolve("old.om"), om);
        OpenMetricsBackfill.run(dir.resolve("old.om"), data);

        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", data.toString(), "--web.listen-address=127.0.0.1:0"});
        try (Server vigil = Server.start(flags, () -> {}, false)) {
            Appender app = vigil.storage.appender();
            for (int i = 0; i < 30; i++) app.append(0, Labels.of("__name__", "new_counter_total", "job", "x"), now - 600_000 + i * 10_000L, i * 3);
            app.commit();

            int port;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    remote_read:
                      - url: http://127.0.0.1:%d/api/v1/read
                        read_recent: true
                    """.formatted(vigil.port()));
            Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prom"),
                    "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prom.log").toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String oldResult = awaitQuery(http, port, "old_gauge[1d]", (now / 1000));
                StringBuilder expected = new StringBuilder("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"__name__\":\"old_gauge\",\"k\":\"v\"},\"values\":[");
                for (int i = 0; i < 200; i++) {
                    if (i > 0) expected.append(',');
                    double v = i * 0.5;
                    expected.append('[').append((blockStart + i * 15_000L) / 1000).append(",\"").append(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)).append("\"]");
                }
                expected.append("]}]}}");
                assertEquals(expected.toString(), oldResult);
                String newResult = awaitQuery(http, port, "new_counter_total[1h]", now / 1000);
                assertTrue(newResult.contains("\"metric\":{\"__name__\":\"new_counter_total\",\"job\":\"x\"}"), newResult);
                assertEquals(30, newResult.split("\\],\\[").length, newResult);
                assertTrue(newResult.contains("[" + (now - 600_000) / 1000 + ",\"0\"]"), newResult);
                assertTrue(newResult.contains("[" + (now - 600_000 + 290_000) / 1000 + ",\"87\"]"), newResult);

                // The same PromQL through Prometheus (evaluating remote-read data) and against Vigil
                // directly. Evaluation times avoid sample timestamps: Prometheus 2.x closes range
                // windows on the left, 3.x (and Vigil) leave them open.
                long tNew = (now - 400_000) / 1000 + 3, tOld = (blockStart + 1_800_000) / 1000 + 7;
                String[][] cases = {
                    {"query", "new_counter_total", "time=" + tNew},
                    {"query", "rate(new_counter_total[1m])", "time=" + tNew},
                    {"query", "sum(old_gauge) * 2", "time=" + tOld},
                    {"query", "max_over_time(old_gauge[10m])", "time=" + tOld},
                    {"query_range", "rate(new_counter_total[1m])", "start=" + (tNew - 120) + "&end=" + tNew + "&step=30"},
                    {"query_range", "avg_over_time(old_gauge[5m])", "start=" + (tOld - 600) + "&end=" + tOld + "&step=60"},
                };
                assertSameAnswers(http, vigil.port(), port, cases);
            } finally {
                prom.destroy();
                prom.waitFor();
            }
        }
    }

    /**
     * The other direction: Vigil, with no data of its own, reads a real Prometheus through
     * remote_read, and its answers equal Prometheus's own.
     */
    @Test
    void vigilQueriesPrometheusThroughRemoteRead() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is needed (.ci/run installs it)");
        java.util.concurrent.atomic.AtomicLong scrapes = new java.util.concurrent.atomic.AtomicLong();
        com.sun.net.httpserver.HttpServer target = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        target.createContext("/metrics", ex -> {
            byte[] body = ("demo_requests_total{path=\"/a\"} " + scrapes.incrementAndGet() * 3 + "\ndemo_temperature 21.5\n")
                    .getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        target.start();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path promConfig = dir.resolve("prometheus.yml");
        Files.writeString(promConfig, """
                global: {scrape_interval: 1s}
                scrape_configs:
                  - job_name: demo
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(target.getAddress().getPort()));
        Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + promConfig, "--storage.tsdb.path=" + dir.resolve("prom"),
                "--web.listen-address=127.0.0.1:" + port).redirectErrorStream(true).redirectOutput(dir.resolve("prom.log").toFile()).start();
        Path vigilConfig = dir.resolve("vigil.yml");
        Files.writeString(vigilConfig, """
                remote_read:
                  - url: http://127.0.0.1:%d/api/v1/read
                    name: prom
                """.formatted(port));
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("vigil").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", vigilConfig.toString()});
        try (Server vigil = Server.start(flags, () -> {}, false)) {
            HttpClient http = HttpClient.newHttpClient();
            long start = System.currentTimeMillis() / 1000;
            awaitQuery(http, port, "demo_requests_total[2m]", start + 60); // a window that the coming scrapes fall into
            while (scrapes.get() < 6) Thread.sleep(200);
            long t = System.currentTimeMillis() / 1000 - 1;
            String[][] cases = {
                {"query", "demo_requests_total", "time=" + t},
                {"query", "rate(demo_requests_total[4s])", "time=" + t},
                {"query", "up", "time=" + t},
                {"query_range", "demo_temperature", "start=" + (t - 5) + "&end=" + t + "&step=1"},
                {"query_range", "sum by (job) (demo_requests_total)", "start=" + (t - 5) + "&end=" + t + "&step=2"},
            };
            assertSameAnswers(http, port, vigil.port(), cases);
            assertEquals(0, vigil.storage.stats().headSeries(), "every answer came from Prometheus");
        } finally {
            prom.destroy();
            prom.waitFor();
            target.stop(0);
        }
    }

    /**
     * Asks both servers each case ({API, query, parameters}) and asserts the same JSON; the server
     * that holds the data ({@code dataPort}) must have some.
     */
    static void assertSameAnswers(HttpClient http, int dataPort, int otherPort, String[][] cases) throws Exception {
        for (String[] c : cases) {
            String path = "/api/v1/" + c[0] + "?query=" + URLEncoder.encode(c[1], StandardCharsets.UTF_8) + "&" + c[2];
            String own = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dataPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            String other = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otherPort + path)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(own.contains("\"result\":[{"), c[1] + " has data: " + own);
            assertEquals(own, other, c[1]);
        }
    }

    /** Queries Prometheus until it answers with data (it starts in the background). */
    static String awaitQuery(HttpClient http, int port, String query, long time) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/query?query="
                        + URLEncoder.encode(query, StandardCharsets.UTF_8) + "&time=" + time)).build(), HttpResponse.BodyHandlers.ofString());
                last = r.body();
                if (r.statusCode() == 200 && last.contains("\"values\"")) return last;
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no data from Prometheus for " + query + ": " + last);
    }
}
