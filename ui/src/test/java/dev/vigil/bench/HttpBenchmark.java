package dev.vigil.bench;

import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import java.io.File;
import java.lang.management.ManagementFactory;
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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * The server's HTTP figures of issue 5, Vigil and Prometheus side by side, each in its own process,
 * one at a time on the same machine:
 *
 * <ol>
 *   <li>query throughput: concurrent clients send the PromQL benchmark's dashboard queries (instant and
 *       1h range) over HTTP for a fixed time against the same data (QueryBenchmark's: promtool-backfilled
 *       blocks for Prometheus, the same samples appended to Vigil); requests per second and latency;
 *   <li>label lookups at 1M series: the same 1M series remote-written into a fresh Vigil and a fresh
 *       Prometheus, then {@code /api/v1/labels} and {@code /api/v1/label/<name>/values} with {@code limit}
 *       (median and worst of repeated calls; the target is under 50 ms).
 * </ol>
 *
 * <p>Run with {@code bin/vigil bench-http [--seconds N] [--clients N] [--series N] [--work DIR] [--only queries|labels]}.
 */
public final class HttpBenchmark {
    public static void main(String[] args) throws Exception {
        int seconds = 20, clients = 4, series = 1_000_000;
        String only = "";
        Path work = Path.of("target/bench-query");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--series" -> series = Integer.parseInt(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                case "--only" -> only = args[++i];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        if (only.equals("labels")) {
            Files.createDirectories(work);
            Files.writeString(work.resolve("http-bench.yml"), "global:\n  scrape_interval: 1h\n");
            labels(http, work, series);
            return;
        }
        long t0 = QueryBenchmark.prepare(work);
        long tEnd = t0 + QueryBenchmark.SPAN_MS - QueryBenchmark.STEP_MS;
        List<String> urls = new ArrayList<>();
        for (String q : QueryBenchmark.QUERIES) {
            String enc = URLEncoder.encode(q, StandardCharsets.UTF_8);
            urls.add("/api/v1/query?query=" + enc + "&time=" + tEnd / 1000.0);
            urls.add("/api/v1/query_range?query=" + enc + "&start=" + (tEnd - 3_600_000) / 1000.0 + "&end=" + tEnd / 1000.0 + "&step=60");
        }
        Path emptyConfig = work.resolve("http-bench.yml");
        Files.writeString(emptyConfig, "global:\n  scrape_interval: 1h\n");

        List<String> report = new ArrayList<>();
        report.add("| server | clients | requests/s | p50 ms | p99 ms | errors |");
        report.add("|---|---:|---:|---:|---:|---:|");
        double[] rps = new double[2];
        int idx = 0;
        for (String server : List.of("vigil", "prometheus")) {
            int port = freePort();
            Process p = server.equals("vigil")
                    ? startVigil(work.resolve("vigil"), emptyConfig, port, work.resolve("http-bench-vigil.log"))
                    : startPrometheus(work.resolve("prometheus"), emptyConfig, port, work.resolve("http-bench-prometheus.log"), false);
            try {
                QueryBenchmark.waitReady(http, port);
                load(http, port, urls, clients, 3); // warm-up
                Load l = load(http, port, urls, clients, seconds);
                rps[idx++] = l.perSecond();
                report.add(String.format(Locale.ROOT, "| %s | %d | %.0f | %.1f | %.1f | %d |", server, clients, l.perSecond(),
                        l.percentile(0.5), l.percentile(0.99), l.errors()));
                log(report.getLast());
            } finally {
                stop(p);
            }
        }
        System.out.println();
        System.out.println("HTTP query throughput, " + urls.size() + " dashboard queries (instant and 1h/60s range) round robin, "
                + seconds + " s per server:");
        report.forEach(System.out::println);
        System.out.printf(Locale.ROOT, "Vigil/Prometheus throughput: %.2fx%n", rps[0] / rps[1]);

        if (!only.equals("queries")) labels(http, work, series);
    }

    // ---- label lookups at 1M series -----------------------------------------------------------------------------

    static void labels(HttpClient http, Path work, int series) throws Exception {
        List<String> calls = List.of(
                "/api/v1/labels?limit=1000",
                "/api/v1/label/__name__/values?limit=1000",
                "/api/v1/label/instance/values?limit=1000",
                "/api/v1/label/series_id/values?limit=1000",
                "/api/v1/label/instance/values?limit=1000&match[]=" + URLEncoder.encode("bench_metric_7", StandardCharsets.UTF_8),
                "/api/v1/labels?limit=1000&match[]=" + URLEncoder.encode("{job=\"job-3\"}", StandardCharsets.UTF_8));
        List<String> report = new ArrayList<>();
        report.add("| call | Vigil median ms | Vigil max ms | Prometheus median ms | Prometheus max ms |");
        report.add("|---|---:|---:|---:|---:|");
        double[][] med = new double[calls.size()][2], max = new double[calls.size()][2];
        Path cfg = work.resolve("http-bench.yml");
        for (int s = 0; s < 2; s++) {
            boolean vigil = s == 0;
            Path data = work.resolve("labels-" + (vigil ? "vigil" : "prometheus"));
            deleteTree(data);
            int port = freePort();
            Process p = vigil ? startVigil(data, cfg, port, work.resolve("labels-vigil.log"))
                    : startPrometheus(data, cfg, port, work.resolve("labels-prometheus.log"), true);
            try {
                QueryBenchmark.waitReady(http, port);
                long t = System.nanoTime();
                pushSeries(http, port, series);
                log((vigil ? "vigil" : "prometheus") + ": " + series + " series remote-written in " + (System.nanoTime() - t) / 1_000_000_000 + " s");
                for (int c = 0; c < calls.size(); c++) {
                    double[] ms = new double[21];
                    for (int r = -1; r < 20; r++) {
                        long n0 = System.nanoTime();
                        HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + calls.get(c))).build(),
                                HttpResponse.BodyHandlers.ofString());
                        double took = (System.nanoTime() - n0) / 1e6;
                        if (res.statusCode() != 200) throw new IllegalStateException(calls.get(c) + ": " + res.statusCode() + " " + res.body());
                        if (r >= 0) ms[r] = took;
                    }
                    double[] runs = Arrays.copyOf(ms, 20);
                    med[c][s] = QueryBenchmark.median(runs);
                    max[c][s] = Arrays.stream(runs).max().orElse(0);
                }
            } finally {
                stop(p);
                deleteTree(data);
            }
        }
        for (int c = 0; c < calls.size(); c++) {
            report.add(String.format(Locale.ROOT, "| `%s` | %.1f | %.1f | %.1f | %.1f |", calls.get(c).replace("|", "\\|"),
                    med[c][0], max[c][0], med[c][1], max[c][1]));
        }
        System.out.println();
        System.out.println("Label lookups at " + series + " series (remote-written into fresh servers; 20 calls each after one warm-up):");
        report.forEach(System.out::println);
    }

    /** Series bench_metric_{0..999}{job=job-{0..9}, instance=host-{0..99}, series_id=N}, one sample each, by remote write 1.0. */
    static void pushSeries(HttpClient http, int port, int series) throws Exception {
        long now = System.currentTimeMillis();
        int batch = 10_000;
        for (int from = 0; from < series; from += batch) {
            Remote.WriteRequest.Builder req = Remote.WriteRequest.newBuilder();
            for (int i = from; i < Math.min(series, from + batch); i++) {
                req.addTimeseries(Types.TimeSeries.newBuilder()
                        .addLabels(label("__name__", "bench_metric_" + (i % 1000)))
                        .addLabels(label("instance", "host-" + (i / 10_000 % 100)))
                        .addLabels(label("job", "job-" + (i % 10)))
                        .addLabels(label("series_id", Integer.toString(i)))
                        .addSamples(Types.Sample.newBuilder().setTimestamp(now).setValue(i)));
            }
            byte[] body = Snappy.compress(req.build().toByteArray());
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/write"))
                    .header("Content-Encoding", "snappy").header("Content-Type", "application/x-protobuf")
                    .header("X-Prometheus-Remote-Write-Version", "0.1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) throw new IllegalStateException("remote write: " + r.statusCode() + " " + r.body());
        }
    }

    static Types.Label label(String n, String v) {
        return Types.Label.newBuilder().setName(n).setValue(v).build();
    }

    // ---- load --------------------------------------------------------------------------------------------------

    record Load(long requests, long errors, double seconds, long[] latenciesMicros) {
        double perSecond() {
            return requests / seconds;
        }

        double percentile(double q) {
            if (latenciesMicros.length == 0) return 0;
            long[] a = latenciesMicros.clone();
            Arrays.sort(a);
            return a[Math.min(a.length - 1, (int) (q * a.length))] / 1000.0;
        }
    }

    static Load load(HttpClient http, int port, List<String> urls, int clients, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong errors = new AtomicLong();
        AtomicInteger next = new AtomicInteger();
        long[][] lat = new long[clients][];
        int[] counts = new int[clients];
        Thread[] threads = new Thread[clients];
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int id = c;
            lat[c] = new long[1 << 16];
            threads[c] = Thread.ofPlatform().start(() -> {
                while (!stop.get()) {
                    String u = urls.get(Math.floorMod(next.getAndIncrement(), urls.size()));
                    long n0 = System.nanoTime();
                    try {
                        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + u)).build(),
                                HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) errors.incrementAndGet();
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    if (counts[id] == lat[id].length) lat[id] = Arrays.copyOf(lat[id], lat[id].length * 2);
                    lat[id][counts[id]++] = (System.nanoTime() - n0) / 1000;
                }
            });
        }
        Thread.sleep(seconds * 1000L);
        stop.set(true);
        for (Thread t : threads) t.join();
        double took = (System.nanoTime() - start) / 1e9;
        long total = 0;
        for (int n : counts) total += n;
        long[] all = new long[(int) total];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(lat[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        return new Load(total, errors.get(), took, all);
    }

    // ---- processes ---------------------------------------------------------------------------------------------

    static Process startVigil(Path data, Path config, int port, Path log) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-") || a.startsWith("--enable-native-access") || a.startsWith("--sun-misc") || a.startsWith("-D")) cmd.add(a);
        }
        cmd.addAll(List.of("-Xmx6g", "-cp", System.getProperty("java.class.path"), "dev.vigil.server.Main",
                "--config.file=" + config, "--storage.tsdb.path=" + data, "--storage.tsdb.retention.time=100y",
                "--web.listen-address=127.0.0.1:" + port, "--web.enable-remote-write-receiver", "--log.level=warn"));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static Process startPrometheus(Path data, Path config, int port, Path log, boolean receiver) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("prometheus", "--config.file=" + config, "--storage.tsdb.path=" + data,
                "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
        if (receiver) cmd.add("--web.enable-remote-write-receiver");
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
    }

    static int freePort() throws Exception {
        try (ServerSocket ss = new ServerSocket(0)) {
            return ss.getLocalPort();
        }
    }

    static void deleteTree(Path dir) throws Exception {
        if (!Files.exists(dir)) return;
        try (var w = Files.walk(dir)) {
            w.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
    }

    static void log(String s) {
        System.err.println("[bench-http] " + s);
    }
}
