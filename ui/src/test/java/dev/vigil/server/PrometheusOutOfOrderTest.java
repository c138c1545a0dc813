package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * storage.tsdb.out_of_order_time_window against a real Prometheus (Debian's package): the same
 * remote-write requests, in order, late within the window, too old, repeated, go to both; both
 * answer each with the same status, and then the same queries get byte-identical answers.
 */
class PrometheusOutOfOrderTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void lateSamplesAreKeptAndRejectedAsPrometheusDoes() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is needed (.ci/run installs it)");
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                storage:
                  tsdb:
                    out_of_order_time_window: 30m
                """);
        int promPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            promPort = s.getLocalPort();
        }
        Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("prom"),
                "--web.enable-remote-write-receiver", "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prom.log").toFile()).start();
        Flags flags = Flags.parse(new String[] {"--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("vigil"),
                "--web.enable-remote-write-receiver", "--web.listen-address=127.0.0.1:0"});
        try (Server vigil = Server.start(flags, () -> {}, false)) {
            awaitReady(promPort);
            long now = System.currentTimeMillis() / 60_000 * 60_000;
            List<String> steps = new ArrayList<>();
            // {series, t, value}; each line one request
            long[][][] requests = {
                {{'a', now - 300_000, 1}, {'a', now - 240_000, 2}, {'a', now - 180_000, 3}, {'a', now - 120_000, 4}, {'a', now, 5}},
                {{'a', now - 150_000, 10}},            // late, within the window
                {{'a', now - 29 * 60_000L, 11}},       // late, near the window's edge
                {{'a', now - 31 * 60_000L, 12}},       // too old
                {{'a', now - 150_000, 10}},            // a late sample again, same value
                {{'a', now - 150_000, 99}},            // a late sample's time, another value
                {{'b', now - 20 * 60_000L, 1}},        // a new series' first sample, behind the head
                {{'b', now - 25 * 60_000L, 2}, {'b', now - 22 * 60_000L, 3}},
                {{'b', now - 10 * 60_000L, 4}},        // in order for b
                {{'b', now - 40 * 60_000L, 5}},        // too old for b too
            };
            for (long[][] req : requests) {
                byte[] body = writeRequest(req);
                int own = post(vigil.port(), body), other = post(promPort, body);
                steps.add(describe(req) + " -> " + own);
                // Debian's Prometheus 2.42 answers a too old sample with 500; 3.x with 400, which
                // clients do not retry (storage/remote/write_handler.go lists ErrTooOldSample there)
                if (other == 500 && own == 400) continue;
                assertEquals(other, own, "status of " + describe(req) + " (Prometheus " + other + ")");
            }
            assertEquals(List.of(204, 204, 204, 400, 204, 204, 204, 204, 204, 400),
                    steps.stream().map(s -> Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1))).toList(), steps.toString());
            // Evaluation times avoid sample times (+ the 5m lookback): Prometheus 2.x closes the
            // lookback window on the left, 3.x (and Vigil) leave it open.
            long end = now / 1000 + 7;
            String[][] cases = {
                {"query", "a[1h]", "time=" + end},
                {"query", "b[1h]", "time=" + end},
                {"query", "count_over_time(a[1h]) + count_over_time(b[1h])", "time=" + end},
                {"query_range", "a", "start=" + (end - 1800) + "&end=" + end + "&step=30"},
                {"query_range", "sum(b)", "start=" + (end - 1800) + "&end=" + end + "&step=60"},
            };
            PrometheusRemoteReadTest.assertSameAnswers(http, vigil.port(), promPort, cases);

            String metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vigil.port() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(metrics.contains("\nprometheus_tsdb_head_out_of_order_samples_appended_total{type=\"float\"} 4\n"), metrics);
            assertTrue(metrics.contains("\nprometheus_tsdb_too_old_samples_total{type=\"float\"} 2\n"), metrics);

            // a reload without the window: late samples are out of order again, and what was kept stays
            Files.writeString(config, "global: {scrape_interval: 15s}\n");
            assertEquals(null, vigil.loadConfig());
            assertEquals(400, post(vigil.port(), writeRequest(new long[][] {{'a', now - 60_000, 6}})));
            assertTrue(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vigil.port() + "/api/v1/query?query="
                    + enc("count_over_time(a[1h])") + "&time=" + end)).build(), HttpResponse.BodyHandlers.ofString()).body()
                    .contains("\"value\":[" + end + ",\"7\"]"), "five in order, two late");
        } finally {
            prom.destroy();
            prom.waitFor();
        }
    }

    private static String describe(long[][] req) {
        StringBuilder sb = new StringBuilder();
        for (long[] s : req) sb.append((char) s[0]).append('@').append(s[1]).append('=').append(s[2]).append(' ');
        return sb.toString().trim();
    }

    private static byte[] writeRequest(long[][] samples) throws IOException {
        Remote.WriteRequest.Builder req = Remote.WriteRequest.newBuilder();
        for (long[] s : samples) {
            req.addTimeseries(Types.TimeSeries.newBuilder()
                    .addLabels(Types.Label.newBuilder().setName("__name__").setValue(String.valueOf((char) s[0])))
                    .addSamples(Types.Sample.newBuilder().setTimestamp(s[1]).setValue(s[2])));
        }
        return Snappy.compress(req.build().toByteArray());
    }

    private int post(int port, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private void awaitReady(int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Prometheus did not get ready; see " + dir.resolve("prom.log"));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
