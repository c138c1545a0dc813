package dev.vigil.ingest.remote;

import static dev.vigil.ingest.remote.RemoteWriteTesting.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.remote.RemoteWriteTesting.Point;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
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
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus (Debian's package, which {@code .ci/run} installs) scrapes itself and
 * remote-writes into the receiver: every sample it stored is stored here too, exactly.
 */
class PrometheusRemoteWriteTest {
    static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");

    @TempDir
    Path dir;

    @Test
    void everySamplePrometheusSentIsStored() throws Exception {
        assertTrue(Files.isExecutable(PROMETHEUS), "Debian's prometheus package is needed (.ci/run installs it)");
        try (Storage storage = Tsdb.open(dir.resolve("vigil"), TsdbOptions.defaults())) {
            RemoteWriteHandler handler = new RemoteWriteHandler(storage, null);
            List<Integer> statuses = new CopyOnWriteArrayList<>();
            List<String> contentTypes = new CopyOnWriteArrayList<>();
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/api/v1/write", ex -> {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readAllBytes();
                }
                contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type") + " " + ex.getRequestHeaders().getFirst("X-Prometheus-Remote-Write-Version"));
                RemoteWriteHandler.Response r = handler.handle(ex.getRequestHeaders().getFirst("Content-Type"),
                        ex.getRequestHeaders().getFirst("Content-Encoding"), body, body.length);
                statuses.add(r.status());
                byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(r.status(), r.status() == 204 ? -1 : out.length);
                if (r.status() != 204) ex.getResponseBody().write(out);
                ex.close();
            });
            server.start();
            int promPort = freePort();
            Path config = dir.resolve("prometheus.yml");
            Files.writeString(config, """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: self
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    remote_write:
                      - url: http://127.0.0.1:%d/api/v1/write
                        queue_config:
                          batch_send_deadline: 200ms
                    """.formatted(promPort, server.getAddress().getPort()));
            Process prom = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + config,
                    "--storage.tsdb.path=" + dir.resolve("prom"), "--web.listen-address=127.0.0.1:" + promPort)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                String base = "http://127.0.0.1:" + promPort;
                // Everything Prometheus holds for its own job at time 'at', raw samples, once it has
                // scraped itself a few times (startup takes a while on a loaded machine).
                long at;
                Map<Labels, List<Point>> fromPrometheus = Map.of();
                long ready = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                do {
                    Thread.sleep(1000);
                    at = System.currentTimeMillis() / 1000;
                    try {
                        fromPrometheus = rawSamples(http, base, at);
                    } catch (IOException e) {
                        continue; // not listening yet
                    }
                } while (System.nanoTime() < ready && fromPrometheus.values().stream().mapToInt(List::size).max().orElse(0) < 4);
                assertTrue(fromPrometheus.size() > 100, "Prometheus scraped itself: " + fromPrometheus.size() + " series; its log:\n"
                        + Files.readString(dir.resolve("prometheus.log")));
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) {
                    Map<Labels, List<Point>> ours = dump(storage);
                    List<String> missing = new ArrayList<>();
                    long atMs = at * 1000;
                    fromPrometheus.forEach((labels, points) -> {
                        List<Point> got = ours.getOrDefault(labels, List.of());
                        List<Point> upTo = got.stream().filter(p -> p.t() <= atMs).toList();
                        if (!upTo.equals(points)) missing.add(labels + " prometheus " + points.size() + " vigil " + upTo.size());
                    });
                    if (missing.isEmpty()) break;
                    if (System.nanoTime() > deadline) fail(missing.size() + " series differ, e.g. " + missing.subList(0, Math.min(5, missing.size())));
                    Thread.sleep(500);
                }
                assertTrue(statuses.stream().allMatch(s -> s == 204), "statuses " + statuses);
                assertTrue(contentTypes.getFirst().startsWith("application/x-protobuf 0.1.0"), contentTypes.getFirst());
            } finally {
                prom.destroy();
                prom.waitFor();
                server.stop(0);
            }
        }
    }

    private static final Pattern SERIES = Pattern.compile("\\{\"metric\":\\{(.*?)\\},\"values\":\\[(.*?)\\]\\]\\}");
    private static final Pattern LABEL = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\":\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern VALUE = Pattern.compile("\\[([0-9.]+),\"([^\"]+)\"");

    /** Raw samples of the last 10 minutes of every series of job "self", through Prometheus's API. */
    static Map<Labels, List<Point>> rawSamples(HttpClient http, String base, long at) throws IOException, InterruptedException {
        String q = URLEncoder.encode("{job=\"self\"}[10m]", StandardCharsets.UTF_8);
        HttpResponse<String> resp = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/query?query=" + q + "&time=" + at)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, resp.statusCode(), resp.body());
        Map<Labels, List<Point>> out = new java.util.TreeMap<>();
        Matcher m = SERIES.matcher(resp.body());
        while (m.find()) {
            List<String> pairs = new ArrayList<>();
            Matcher l = LABEL.matcher(m.group(1));
            while (l.find()) {
                pairs.add(unescape(l.group(1)));
                pairs.add(unescape(l.group(2)));
            }
            List<Point> points = new ArrayList<>();
            Matcher v = VALUE.matcher(m.group(2) + "]");
            while (v.find()) {
                long t = Math.round(Double.parseDouble(v.group(1)) * 1000);
                String s = v.group(2);
                double d = switch (s) {
                    case "NaN" -> Double.longBitsToDouble(0x7ff8000000000001L);
                    case "+Inf" -> Double.POSITIVE_INFINITY;
                    case "-Inf" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(s);
                };
                points.add(Point.of(t, d));
            }
            out.put(Labels.of(pairs.toArray(String[]::new)), points);
        }
        return out;
    }

    static String unescape(String s) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
