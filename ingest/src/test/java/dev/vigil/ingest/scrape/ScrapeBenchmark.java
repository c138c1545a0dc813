package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;

/**
 * Parse + append throughput of a scrape in steady state (every series cached), single thread:
 * {@code bin/vigil bench-scrape}. Pages: node_exporter-like (about 1.5k series, HELP/TYPE lines,
 * histograms) and a large synthetic one (100k series). Sinks: a counting storage (the ingest path
 * alone) and the real engine in a temporary directory. Values change between scrapes, as they do.
 * The last row, {@code tsdb-new}, is the other case: a first scrape, where every series is new.
 */
public final class ScrapeBenchmark {
    public static void main(String[] args) throws IOException {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        String only = args.length > 1 ? args[1] : ""; // e.g. "tsdb" or "100k": runs only the matching rows
        byte[][] node = {nodeExporterPage(0), nodeExporterPage(1)};
        byte[][] large = {syntheticPage(100_000, 0), syntheticPage(100_000, 1)};
        System.out.printf(Locale.ROOT, "%-22s %-10s %10s %14s %12s%n", "page", "storage", "series", "samples/s", "ns/sample");
        if (matches(only, "node_exporter-like parse-only")) parseOnly("node_exporter-like", node, seconds);
        if (matches(only, "synthetic 100k parse-only")) parseOnly("synthetic 100k", large, seconds);
        for (String storageKind : new String[] {"counting", "tsdb"}) {
            if (matches(only, "node_exporter-like " + storageKind)) run("node_exporter-like", node, storageKind, seconds);
            if (matches(only, "synthetic 100k " + storageKind)) run("synthetic 100k", large, storageKind, seconds);
        }
        if (matches(only, "synthetic 100k tsdb-new")) newSeries("synthetic 100k", large[0], seconds);
    }

    private static boolean matches(String only, String row) {
        for (String word : only.split(" ")) if (!row.contains(word)) return false;
        return true;
    }

    private static void run(String name, byte[][] pages, String storageKind, int seconds) throws IOException {
        Path dir = Files.createTempDirectory("vigil-bench-scrape");
        Storage storage = storageKind.equals("tsdb") ? openEngine(dir) : new CountingStorage();
        try {
            ScrapeLoop loop = newLoop(storage);
            long t = 1_700_000_000_000L;
            int series = count(pages[0]);
            // Warm-up: fill the cache, let the JIT compile the hot path.
            long warmEnd = System.nanoTime() + 2_000_000_000L;
            int i = 0;
            while (System.nanoTime() < warmEnd) {
                byte[] p = pages[i++ & 1];
                loop.append(p, p.length, "text/plain; version=0.0.4", t += 15_000, 0, null);
            }
            var mx = ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long samples = 0;
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                byte[] p = pages[i++ & 1];
                String err = loop.append(p, p.length, "text/plain; version=0.0.4", t += 15_000, 0, null);
                if (err != null) throw new IllegalStateException(err);
                samples += series;
            }
            printRow(name, storageKind, series, samples, mx.getCurrentThreadCpuTime() - cpu0);
        } finally {
            storage.close();
            deleteTree(dir);
        }
    }

    /**
     * A target's first scrape: every series is new (parsed labels, target labels added, interned,
     * the series dictionary, postings, the WAL's series record, the scrape cache). A fresh engine
     * and scrape loop per round; rounds for {@code seconds} after two for the JIT.
     */
    private static void newSeries(String name, byte[] page, int seconds) throws IOException {
        var mx = ManagementFactory.getThreadMXBean();
        int series = count(page);
        long cpu = 0;
        long samples = 0;
        long end = Long.MAX_VALUE;
        for (int round = 0; System.nanoTime() < end; round++) {
            if (round == 2) end = System.nanoTime() + seconds * 1_000_000_000L;
            Path dir = Files.createTempDirectory("vigil-bench-scrape");
            try (Storage storage = openEngine(dir)) {
                ScrapeLoop loop = newLoop(storage);
                long cpu0 = mx.getCurrentThreadCpuTime();
                String err = loop.append(page, page.length, "text/plain; version=0.0.4", 1_700_000_000_000L, 0, null);
                if (err != null) throw new IllegalStateException(err);
                if (round >= 2) {
                    cpu += mx.getCurrentThreadCpuTime() - cpu0;
                    samples += series;
                }
            } finally {
                deleteTree(dir);
            }
        }
        printRow(name, "tsdb-new", series, samples, cpu);
    }

    /** The real engine in {@code dir}, without WAL fsyncs or background work, as both rows use it. */
    private static Storage openEngine(Path dir) {
        return Tsdb.open(dir, TsdbOptions.defaults().withWalSync(WalSyncPolicy.NEVER, 0).withBackground(0, System::currentTimeMillis));
    }

    /** A scrape loop of one static target (the benchmark feeds it pages; it never scrapes). */
    private static ScrapeLoop newLoop(Storage storage) {
        ScrapeConfig cfg = ConfigParser.parse("scrape_configs:\n  - job_name: node\n    static_configs: [{targets: ['127.0.0.1:9100']}]\n",
                "bench.yml", Path.of("/"), n -> null).scrapeConfigs().getFirst();
        Target target = TargetBuilder.fromGroup(cfg.staticConfigs().getFirst(), cfg).getFirst().target();
        return new ScrapeLoop(target, cfg, storage, new ScrapeClient(cfg), new BufferPool(), new ScrapeMetrics(), System::currentTimeMillis, 0, null);
    }

    private static void printRow(String page, String storage, int series, long samples, long cpuNanos) {
        System.out.printf(Locale.ROOT, "%-22s %-10s %10d %14.0f %12.1f%n", page, storage, series,
                samples / (cpuNanos / 1e9), cpuNanos / (double) samples);
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    /** The parser alone, with a sink that does nothing: the floor under the scrape path. */
    private static void parseOnly(String name, byte[][] pages, int seconds) {
        var parser = dev.vigil.ingest.parse.ExpositionFormat.PROMETHEUS_TEXT.newParser();
        dev.vigil.ingest.parse.SampleSink sink = (b, s, e, h, v, t) -> {};
        int series = count(pages[0]);
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        int i = 0;
        while (System.nanoTime() < warmEnd) parser.parse(pages[i & 1], pages[i++ & 1].length, sink);
        var mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long samples = 0;
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            parser.parse(pages[i & 1], pages[i++ & 1].length, sink);
            samples += series;
        }
        long cpu = mx.getCurrentThreadCpuTime() - cpu0;
        printRow(name, "parse-only", series, samples, cpu);
    }

    private static int count(byte[] page) {
        int n = 0;
        boolean lineStart = true;
        for (byte b : page) {
            if (lineStart && b != '#' && b != '\n') n++;
            lineStart = b == '\n';
        }
        return n;
    }

    /**
     * A page shaped like node_exporter's: counters and gauges with a few labels, histograms,
     * summaries. Values have two decimals, as most of node_exporter's do (a real page of it had 4
     * values in 507 needing more than 15 significant digits).
     */
    static byte[] nodeExporterPage(int variant) {
        StringBuilder sb = new StringBuilder();
        double v = 1000.5 + variant * 13.25;
        sb.append("# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.\n# TYPE go_gc_duration_seconds summary\n");
        for (String q : new String[] {"0", "0.25", "0.5", "0.75", "1"}) sb.append("go_gc_duration_seconds{quantile=\"").append(q).append("\"} ").append(r2(v) * 1e-6).append('\n');
        sb.append("go_gc_duration_seconds_sum ").append(v).append("\ngo_gc_duration_seconds_count ").append((long) v).append('\n');
        sb.append("# HELP node_cpu_seconds_total Seconds the CPUs spent in each mode.\n# TYPE node_cpu_seconds_total counter\n");
        String[] modes = {"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"};
        for (int cpu = 0; cpu < 32; cpu++) {
            for (String m : modes) sb.append("node_cpu_seconds_total{cpu=\"").append(cpu).append("\",mode=\"").append(m).append("\"} ").append(r2(v += 1.17)).append('\n');
        }
        String[] fsMetrics = {"node_filesystem_avail_bytes", "node_filesystem_files", "node_filesystem_files_free", "node_filesystem_free_bytes",
                "node_filesystem_readonly", "node_filesystem_size_bytes", "node_filesystem_device_error"};
        for (String m : fsMetrics) {
            sb.append("# HELP ").append(m).append(" Filesystem stat.\n# TYPE ").append(m).append(" gauge\n");
            for (int d = 0; d < 12; d++) {
                sb.append(m).append("{device=\"/dev/nvme0n1p").append(d).append("\",fstype=\"ext4\",mountpoint=\"/mnt/disk").append(d).append("\"} ")
                        .append(r2(v += 4096)).append('\n');
            }
        }
        String[] netMetrics = {"receive_bytes", "receive_packets", "receive_errs", "receive_drop", "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop"};
        for (String m : netMetrics) {
            sb.append("# TYPE node_network_").append(m).append("_total counter\n");
            for (int d = 0; d < 16; d++) sb.append("node_network_").append(m).append("_total{device=\"eth").append(d).append("\"} ").append(r2(v += 7)).append('\n');
        }
        sb.append("# TYPE node_disk_io_time_seconds_total counter\n");
        for (int d = 0; d < 16; d++) sb.append("node_disk_io_time_seconds_total{device=\"nvme").append(d).append("n1\"} ").append(r2(v += 0.5)).append('\n');
        sb.append("# TYPE http_request_duration_seconds histogram\n");
        String[] les = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};
        for (String h : new String[] {"/metrics", "/api", "/health", "/debug"}) {
            for (int code = 200; code < 205; code++) {
                long c = (long) v;
                for (String le : les) {
                    sb.append("http_request_duration_seconds_bucket{code=\"").append(code).append("\",handler=\"").append(h).append("\",le=\"").append(le).append("\"} ").append(c += 3).append('\n');
                }
                sb.append("http_request_duration_seconds_sum{code=\"").append(code).append("\",handler=\"").append(h).append("\"} ").append(r2(v * 0.01)).append('\n');
                sb.append("http_request_duration_seconds_count{code=\"").append(code).append("\",handler=\"").append(h).append("\"} ").append(c).append('\n');
            }
        }
        sb.append("# TYPE node_scrape_collector_success gauge\n");
        for (int c = 0; c < 40; c++) sb.append("node_scrape_collector_success{collector=\"collector").append(c).append("\"} 1\n");
        for (int c = 0; c < 300; c++) sb.append("node_misc_gauge_").append(c).append(' ').append(r2(v += 1)).append('\n');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static double r2(double d) {
        return Math.round(d * 100) / 100.0;
    }

    static byte[] syntheticPage(int series, int variant) {
        StringBuilder sb = new StringBuilder(series * 90);
        sb.append("# TYPE app_requests_total counter\n");
        for (int i = 0; i < series; i++) {
            sb.append("app_requests_total{service=\"svc").append(i % 50).append("\",pod=\"pod-").append(i / 50).append("\",path=\"/api/v1/item/")
                    .append(i % 7).append("\"} ").append(i * 3 + variant * 5).append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
