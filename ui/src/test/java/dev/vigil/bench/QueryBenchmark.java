package dev.vigil.bench;

import dev.vigil.query.eval.CachingEngine;
import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.QueryResult;
import dev.vigil.query.eval.Value;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.db.Db;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL benchmark of issue 3: the same generated data (about 10k series over 6h at 15s: counters, gauges and
 * classic histograms) in Prometheus (backfilled with {@code promtool tsdb create-blocks-from openmetrics}) and in
 * Vigil (appended through the storage seam, then compacted into blocks like Prometheus's), the same dashboard queries
 * as instant and range queries, medians side by side. Prometheus's figure is its own {@code execTotalTime} from
 * {@code stats=all} (evaluation without HTTP and JSON), Vigil's the engine call (parse and querier included).
 *
 * <p>Run with {@code bin/vigil bench-query [--reps N] [--work DIR]}; the generated file, Prometheus's blocks and
 * Vigil's data stay in the work directory and are reused by later runs.
 */
public final class QueryBenchmark {
    static final long STEP_MS = 15_000;
    static final long SPAN_MS = 6 * 3_600_000L;
    static final int JOBS = 10, INSTANCES = 40, PATHS = 10, HIST_INSTANCES = 16;
    static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"};

    static final List<String> QUERIES = List.of(
            "sum by (job) (rate(x_total[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
            "topk(10, sum by (instance) (rate(x_total[5m])))",
            "sum by (path) (rate(x_total{instance=~\"i1.*|i2.*\", path!~\"p9\"}[5m]))",
            "count({__name__=~\".+\"})");

    record Mode(String name, long rangeMs, long stepMs) {}

    static final List<Mode> MODES = List.of(new Mode("instant", 0, 0), new Mode("range 1h/15s", 3_600_000, 15_000),
            new Mode("range 1h/60s", 3_600_000, 60_000), new Mode("range 6h/15s", SPAN_MS - STEP_MS, 15_000),
            new Mode("range 6h/60s", SPAN_MS - STEP_MS, 60_000));

    public static void main(String[] args) throws Exception {
        int reps = 5;
        Path work = Path.of("target/bench-query");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--work" -> work = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        long t0 = prepare(work);
        long tEnd = t0 + SPAN_MS - STEP_MS;
        Path promData = work.resolve("prometheus");
        Path vigilData = work.resolve("vigil");
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);

        int port;
        try (ServerSocket ss = new ServerSocket(0)) {
            port = ss.getLocalPort();
        }
        Path cfg = work.resolve("prometheus.yml");
        Files.writeString(cfg, "global:\n  scrape_interval: 1h\n");
        Process prom = new ProcessBuilder("prometheus", "--config.file=" + cfg, "--storage.tsdb.path=" + promData,
                "--storage.tsdb.retention.time=100y", "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Storage storage = Tsdb.open(vigilData, opts)) {
            waitReady(http, port);
            Engine engine = new Engine(EngineOptions.defaults());
            List<String[]> rows = new ArrayList<>();
            for (String q : QUERIES) {
                for (Mode m : MODES) {
                    long start = m.rangeMs() == 0 ? tEnd : tEnd - m.rangeMs();
                    double[] v = new double[reps], p = new double[reps];
                    String vigilCheck = null, promCheck = null;
                    for (int r = -1; r < reps; r++) { // one warm-up run each
                        long n0 = System.nanoTime();
                        QueryResult res = m.rangeMs() == 0 ? engine.instant(storage, q, tEnd)
                                : engine.range(storage, q, start, tEnd, m.stepMs());
                        double vigilMs = (System.nanoTime() - n0) / 1e6;
                        String body = promQuery(http, port, q, m, start, tEnd);
                        if (r < 0) {
                            vigilCheck = checksum(res.value());
                            promCheck = promChecksum(body);
                            continue;
                        }
                        v[r] = vigilMs;
                        p[r] = promExecMs(body);
                    }
                    double vm = median(v), pm = median(p);
                    rows.add(new String[] {q, m.name(), fmt(vm), fmt(pm), String.format(Locale.ROOT, "%.1fx", pm / vm),
                            vigilCheck.equals(promCheck) ? "same" : "DIFF " + vigilCheck + " vs " + promCheck});
                    log(String.join(" | ", rows.get(rows.size() - 1)));
                }
            }
            System.out.println();
            System.out.println("| query | mode | Vigil ms (median) | Prometheus ms (median) | Prometheus/Vigil | result |");
            System.out.println("|---|---|---:|---:|---:|---|");
            for (String[] r : rows) {
                System.out.println("| `" + r[0].replace("|", "\\|") + "` | " + r[1] + " | " + r[2] + " | " + r[3] + " | "
                        + r[4] + " | " + r[5] + " |");
            }
            cacheFigure(engine, storage, tEnd, reps);
        } finally {
            prom.destroy();
            prom.waitFor();
        }
    }


    /**
     * Generates the benchmark's data once into {@code work} (OpenMetrics file, Prometheus blocks by
     * promtool, Vigil's storage) and returns its first timestamp; later runs reuse it.
     */
    static long prepare(Path work) throws Exception {
        Files.createDirectories(work);
        // data ends 20 minutes ago: all of it is the immutable past the range cache may keep
        long now = System.currentTimeMillis();
        long t0 = readOrWriteStart(work, now);
        Path om = work.resolve("data.om");
        if (!Files.exists(work.resolve("data.om.done"))) {
            log("writing OpenMetrics to " + om);
            writeOpenMetrics(om, t0);
            Files.writeString(work.resolve("data.om.done"), "");
        }
        Path promData = work.resolve("prometheus");
        if (!Files.exists(work.resolve("prometheus.done"))) {
            log("backfilling Prometheus with promtool");
            run(List.of("promtool", "tsdb", "create-blocks-from", "openmetrics", om.toString(), promData.toString()));
            Files.writeString(work.resolve("prometheus.done"), "");
        }
        Path vigilData = work.resolve("vigil");
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
        if (!Files.exists(work.resolve("vigil.done"))) {
            log("appending to Vigil");
            try (Storage s = Tsdb.open(vigilData, opts)) {
                appendVigil(s, t0);
                ((Db) s).compact();
            }
            Files.writeString(work.resolve("vigil.done"), "");
        }

        return t0;
    }

    /** The first data timestamp, fixed in the work directory so that reused data keeps its times. */
    static long readOrWriteStart(Path work, long now) throws IOException {
        Path f = work.resolve("start");
        if (Files.exists(f)) return Long.parseLong(Files.readString(f).trim());
        long t0 = Math.floorDiv(now - SPAN_MS - 20 * 60_000L, 3_600_000L) * 3_600_000L;
        Files.writeString(f, Long.toString(t0));
        return t0;
    }

    /** A dashboard refreshing the 6h range query: first run on an empty cache, then repeated and shifted runs. */
    static void cacheFigure(Engine engine, Storage storage, long tEnd, int reps) {
        String q = QUERIES.get(0);
        long start = tEnd - (SPAN_MS - STEP_MS);
        CachingEngine cached = new CachingEngine(engine, storage);
        long n0 = System.nanoTime();
        cached.range(q, start, tEnd, STEP_MS);
        double first = (System.nanoTime() - n0) / 1e6;
        double[] same = new double[reps], shifted = new double[reps];
        for (int r = 0; r < reps; r++) {
            n0 = System.nanoTime();
            cached.range(q, start, tEnd, STEP_MS);
            same[r] = (System.nanoTime() - n0) / 1e6;
            // what a refresh 15s later asks: one step more at the end, one less at the start
            n0 = System.nanoTime();
            cached.range(q, start + (r + 1) * STEP_MS, tEnd + (r + 1) * STEP_MS, STEP_MS);
            shifted[r] = (System.nanoTime() - n0) / 1e6;
        }
        double[] uncached = new double[reps];
        for (int r = 0; r < reps; r++) {
            n0 = System.nanoTime();
            engine.range(storage, q, start, tEnd, STEP_MS);
            uncached[r] = (System.nanoTime() - n0) / 1e6;
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "range cache, `%s` over 6h at 15s: uncached %s ms (median), first run through "
                        + "the cache %s ms, repeated %s ms (%.0fx), shifted by one step %s ms (%.0fx)%n", q,
                fmt(median(uncached)), fmt(first), fmt(median(same)), first / median(same), fmt(median(shifted)),
                first / median(shifted));
    }

    // ---- data ------------------------------------------------------------------------------------------------------

    static double counter(int s, long k) {
        return k * (1 + s % 7) * 3 + (k * s % 3); // grows by at least 1 a step: never a reset
    }

    static double gauge(int s, long k) {
        return (s % 100) + 10 * Math.sin(k / 20.0 + s);
    }

    static double bucket(int s, int b, long k) {
        return (double) k * (b + 1) * (1 + s % 3);
    }

    static double histSum(int s, long k) {
        return k * 0.25 * (1 + s % 3);
    }

    static Labels counterLabels(int s) {
        return Labels.of("__name__", "x_total", "instance", "i" + (s / PATHS % INSTANCES), "job", "j" + (s / PATHS / INSTANCES),
                "path", "p" + (s % PATHS));
    }

    static Labels gaugeLabels(int s) {
        return Labels.of("__name__", "g", "instance", "i" + (s / PATHS % INSTANCES), "job", "j" + (s / PATHS / INSTANCES),
                "path", "p" + (s % PATHS));
    }

    static String histInstance(int h) {
        return "i" + (h % HIST_INSTANCES);
    }

    static String histJob(int h) {
        return "j" + (h / HIST_INSTANCES);
    }

    static final int SERIES = JOBS * INSTANCES * PATHS;
    static final int HISTS = JOBS * HIST_INSTANCES;

    static long steps() {
        return SPAN_MS / STEP_MS;
    }

    static void writeOpenMetrics(Path file, long t0) throws IOException {
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            StringBuilder sb = new StringBuilder(1 << 16);
            sb.append("# TYPE x counter\n");
            for (int s = 0; s < SERIES; s++) {
                Labels l = counterLabels(s);
                String lbl = "{instance=\"" + l.get("instance") + "\",job=\"" + l.get("job") + "\",path=\"" + l.get("path") + "\"} ";
                for (long k = 0; k < steps(); k++) {
                    sb.append("x_total").append(lbl).append(num(counter(s, k))).append(' ').append((t0 + k * STEP_MS) / 1000).append('\n');
                    flush(sb, os);
                }
            }
            sb.append("# TYPE g gauge\n");
            for (int s = 0; s < SERIES; s++) {
                Labels l = gaugeLabels(s);
                String lbl = "{instance=\"" + l.get("instance") + "\",job=\"" + l.get("job") + "\",path=\"" + l.get("path") + "\"} ";
                for (long k = 0; k < steps(); k++) {
                    sb.append("g").append(lbl).append(num(gauge(s, k))).append(' ').append((t0 + k * STEP_MS) / 1000).append('\n');
                    flush(sb, os);
                }
            }
            sb.append("# TYPE h histogram\n");
            for (int h = 0; h < HISTS; h++) {
                String base = "instance=\"" + histInstance(h) + "\",job=\"" + histJob(h) + "\"";
                for (long k = 0; k < steps(); k++) {
                    long ts = (t0 + k * STEP_MS) / 1000;
                    for (int b = 0; b < LE.length; b++) {
                        sb.append("h_bucket{").append(base).append(",le=\"").append(LE[b]).append("\"} ")
                                .append(num(bucket(h, b, k))).append(' ').append(ts).append('\n');
                    }
                    sb.append("h_count{").append(base).append("} ").append(num(bucket(h, LE.length - 1, k))).append(' ').append(ts).append('\n');
                    sb.append("h_sum{").append(base).append("} ").append(num(histSum(h, k))).append(' ').append(ts).append('\n');
                    flush(sb, os);
                }
            }
            sb.append("# EOF\n");
            os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Java's shortest round-trip text, which Go's ParseFloat reads back to the same double. */
    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static void flush(StringBuilder sb, OutputStream os) throws IOException {
        if (sb.length() < 60_000) return;
        os.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
    }

    static void appendVigil(Storage s, long t0) {
        long[] cRefs = new long[SERIES], gRefs = new long[SERIES], hRefs = new long[HISTS * (LE.length + 2)];
        Labels[] cl = new Labels[SERIES], gl = new Labels[SERIES], hl = new Labels[hRefs.length];
        for (int i = 0; i < SERIES; i++) {
            cl[i] = counterLabels(i);
            gl[i] = gaugeLabels(i);
        }
        for (int h = 0; h < HISTS; h++) {
            for (int b = 0; b < LE.length; b++) {
                hl[h * (LE.length + 2) + b] = Labels.of("__name__", "h_bucket", "instance", histInstance(h), "job", histJob(h), "le", LE[b]);
            }
            hl[h * (LE.length + 2) + LE.length] = Labels.of("__name__", "h_count", "instance", histInstance(h), "job", histJob(h));
            hl[h * (LE.length + 2) + LE.length + 1] = Labels.of("__name__", "h_sum", "instance", histInstance(h), "job", histJob(h));
        }
        for (long k = 0; k < steps(); k++) {
            long t = t0 + k * STEP_MS;
            Appender app = s.appender();
            for (int i = 0; i < SERIES; i++) {
                cRefs[i] = app.append(cRefs[i], cl[i], t, counter(i, k));
                gRefs[i] = app.append(gRefs[i], gl[i], t, gauge(i, k));
            }
            for (int h = 0; h < HISTS; h++) {
                int o = h * (LE.length + 2);
                for (int b = 0; b < LE.length; b++) hRefs[o + b] = app.append(hRefs[o + b], hl[o + b], t, bucket(h, b, k));
                hRefs[o + LE.length] = app.append(hRefs[o + LE.length], hl[o + LE.length], t, bucket(h, LE.length - 1, k));
                hRefs[o + LE.length + 1] = app.append(hRefs[o + LE.length + 1], hl[o + LE.length + 1], t, histSum(h, k));
            }
            app.commit();
        }
    }

    // ---- Prometheus ------------------------------------------------------------------------------------------------

    static void waitReady(HttpClient http, int port) throws Exception {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Prometheus did not become ready");
    }

    static String promQuery(HttpClient http, int port, String q, Mode m, long start, long end) throws Exception {
        String enc = URLEncoder.encode(q, StandardCharsets.UTF_8);
        String url = m.rangeMs() == 0
                ? "http://127.0.0.1:" + port + "/api/v1/query?stats=all&query=" + enc + "&time=" + end / 1000.0
                : "http://127.0.0.1:" + port + "/api/v1/query_range?stats=all&query=" + enc + "&start=" + start / 1000.0
                        + "&end=" + end / 1000.0 + "&step=" + m.stepMs() / 1000;
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("Prometheus: " + r.statusCode() + " " + r.body());
        return r.body();
    }

    private static final Pattern EXEC_TOTAL = Pattern.compile("\"execTotalTime\":([0-9.eE+-]+)");
    private static final Pattern VALUE = Pattern.compile("\\[[0-9.]+,\"([^\"]+)\"\\]");

    static double promExecMs(String body) {
        Matcher m = EXEC_TOTAL.matcher(body);
        if (!m.find()) throw new IllegalStateException("no execTotalTime in Prometheus's answer");
        return Double.parseDouble(m.group(1)) * 1000;
    }

    /** Points and their sum, rounded: a cheap check that both engines answered the same. */
    static String promChecksum(String body) {
        Matcher m = VALUE.matcher(body);
        int n = 0;
        double sum = 0;
        while (m.find()) {
            double v = Double.parseDouble(m.group(1).replace("+Inf", "Infinity").replace("-Inf", "-Infinity"));
            n++;
            if (Double.isFinite(v)) sum += v;
        }
        return n + "/" + String.format(Locale.ROOT, "%.6g", sum);
    }

    static String checksum(Value v) {
        int n = 0;
        double sum = 0;
        switch (v) {
            case Value.Vector vec -> {
                for (double d : vec.vs()) {
                    n++;
                    if (Double.isFinite(d)) sum += d;
                }
            }
            case Value.Matrix mat -> {
                for (Value.Series s : mat.series()) {
                    for (double d : s.vs()) {
                        n++;
                        if (Double.isFinite(d)) sum += d;
                    }
                }
            }
            default -> throw new IllegalStateException("unexpected " + v);
        }
        return n + "/" + String.format(Locale.ROOT, "%.6g", sum);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    static void run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }

    static double median(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static String fmt(double ms) {
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f", ms) : String.format(Locale.ROOT, "%.1f", ms);
    }

    static void log(String s) {
        System.err.println("bench-query: " + s);
    }
}
