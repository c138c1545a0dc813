package dev.vigil.ingest.remotewrite;

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
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.Yaml;

/**
 * A real remote-write receiver run as a child process on 127.0.0.1: Debian's {@code prometheus}
 * (with {@code --web.enable-remote-write-receiver}) or Debian's {@code victoria-metrics}. It can be
 * stopped and started again on the same port and data directory, to stage an outage. Only the
 * process this object started is ever stopped.
 */
final class ReceiverProcess implements AutoCloseable {
    enum Kind {
        PROMETHEUS("/usr/bin/prometheus", "/api/v1/write"),
        VICTORIA_METRICS("/usr/bin/victoria-metrics", "/api/v1/write");

        final Path binary;
        final String writePath;

        Kind(String binary, String writePath) {
            this.binary = Path.of(binary);
            this.writePath = writePath;
        }
    }

    final Kind kind;
    final int port;
    private final Path dir;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    ReceiverProcess(Kind kind, Path dir) throws IOException {
        this.kind = kind;
        this.dir = dir;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            this.port = s.getLocalPort();
        }
        Files.createDirectories(dir);
    }

    String writeUrl() {
        return "http://127.0.0.1:" + port + kind.writePath;
    }

    void start() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(kind.binary.toString());
        if (kind == Kind.PROMETHEUS) {
            Path cfg = dir.resolve("prometheus.yml");
            Files.writeString(cfg, "global:\n  scrape_interval: 1h\n");
            cmd.addAll(List.of("--config.file=" + cfg, "--storage.tsdb.path=" + dir.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver"));
        } else {
            cmd.addAll(List.of("-httpListenAddr=127.0.0.1:" + port, "-storageDataPath=" + dir.resolve("data")));
        }
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log.txt").toFile())).start();
        String ready = kind == Kind.PROMETHEUS ? "/-/ready" : "/health";
        long end = System.currentTimeMillis() + 30_000;
        while (System.currentTimeMillis() < end) {
            if (!process.isAlive()) throw new IOException(kind + " exited: " + Files.readString(dir.resolve("log.txt")));
            try {
                if (get(ready).statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IOException(kind + " not ready after 30s");
    }

    /** SIGTERM to the child we started, and wait for it: a planned outage. */
    void stop() throws InterruptedException {
        if (process == null) return;
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor();
        }
        process = null;
    }

    private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Every stored sample of metric {@code name}: series (labels rendered as a sorted map) to
     * (timestamp ms, value) pairs in time order.
     */
    @SuppressWarnings("unchecked")
    Map<String, List<double[]>> samples(String name) throws IOException, InterruptedException {
        Map<String, List<double[]>> out = new TreeMap<>();
        Yaml json = new Yaml(); // JSON is YAML: no JSON library needed in this module
        if (kind == Kind.PROMETHEUS) {
            String q = URLEncoder.encode(name + "[1d]", StandardCharsets.UTF_8);
            HttpResponse<String> r = get("/api/v1/query?query=" + q + "&time=" + (System.currentTimeMillis() / 1000.0 + 60));
            if (r.statusCode() != 200) throw new IOException(r.statusCode() + " " + r.body());
            Map<String, Object> body = json.load(r.body());
            List<Map<String, Object>> result = (List<Map<String, Object>>) ((Map<String, Object>) body.get("data")).get("result");
            for (Map<String, Object> s : result) {
                List<double[]> pts = new ArrayList<>();
                for (List<Object> v : (List<List<Object>>) s.get("values")) {
                    pts.add(new double[] {Math.round(((Number) v.get(0)).doubleValue() * 1000), Double.parseDouble((String) v.get(1))});
                }
                out.put(new TreeMap<>((Map<String, String>) s.get("metric")).toString(), pts);
            }
        } else {
            get("/internal/force_flush"); // make what was just written searchable now
            String q = URLEncoder.encode("{__name__=\"" + name + "\"}", StandardCharsets.UTF_8);
            HttpResponse<String> r = get("/api/v1/export?match[]=" + q);
            if (r.statusCode() != 200) throw new IOException(r.statusCode() + " " + r.body());
            for (String line : r.body().split("\n")) {
                if (line.isBlank()) continue;
                Map<String, Object> s = json.load(line);
                List<Number> ts = (List<Number>) s.get("timestamps");
                List<Number> vs = (List<Number>) s.get("values");
                List<double[]> pts = new ArrayList<>();
                for (int i = 0; i < ts.size(); i++) pts.add(new double[] {ts.get(i).doubleValue(), vs.get(i).doubleValue()});
                pts.sort((a, b) -> Double.compare(a[0], b[0]));
                out.put(new TreeMap<>((Map<String, String>) s.get("metric")).toString(), pts);
            }
        }
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
