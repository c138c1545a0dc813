package dev.vigil.tsdb.bench;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.db.Db;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The storage engine's benchmark command ({@code bin/vigil bench-tsdb}): appends a realistic
 * workload (default 1M series, 2h at 15 s) and prints one table: append throughput with 1 and 2
 * threads, bytes per sample in head chunks and in a block, memory per active series (heap after
 * GC + direct + resident pages of the storage's mapped files, measured), select latency for 1 and
 * 1,000 series over 2h, and reopen time.
 *
 * <p>Flags: {@code --series N --targets N --hours H --interval-s S --dir PATH --two-thread-steps N}.
 */
public final class StorageBenchmark {
    public static void main(String[] args) throws Exception {
        int series = 1_000_000, targets = 100;
        double hours = 2;
        long intervalMs = 15_000;
        int twoThreadSteps = 40;
        Path dir = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--series" -> series = Integer.parseInt(args[i + 1]);
                case "--targets" -> targets = Integer.parseInt(args[i + 1]);
                case "--hours" -> hours = Double.parseDouble(args[i + 1]);
                case "--interval-s" -> intervalMs = Long.parseLong(args[i + 1]) * 1000;
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--two-thread-steps" -> twoThreadSteps = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown flag " + args[i]);
            }
        }
        if (dir == null) dir = Files.createTempDirectory("vigil-bench");
        int steps = (int) Math.round(hours * 3_600_000 / intervalMs);
        System.out.printf("workload: %,d series (%d targets), %d scrapes at %d s = %.1f h, %,d samples%n",
                series, targets, steps, intervalMs / 1000, hours, (long) series * steps);

        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0)
                .withWalSync(WalSyncPolicy.INTERVAL, 1000)
                .withBackground(0, System::currentTimeMillis);
        List<String[]> rows = new ArrayList<>();
        long t0 = 1_767_225_600_000L; // 2026-01-01, aligned to 2h

        // --- warm-up (JIT), then 2 threads on a separate store, fewer scrapes (throughput only) ---
        {
            Path dw = dir.resolve("warm-up");
            Workload ww = new Workload(Math.min(series, 100_000), Math.min(targets, 10), intervalMs, 3);
            try (Storage db = Tsdb.open(dw, opts)) {
                append(db, ww, t0, 20, 1);
            }
            deleteTree(dw);
        }
        {
            Path d2 = dir.resolve("two-threads");
            Workload w2 = new Workload(series, targets, intervalMs, 7);
            try (Storage db = Tsdb.open(d2, opts)) {
                append(db, w2, t0, 1, 2); // creates the series; the figure is the steady state
                double rate = append(db, w2, t0 + intervalMs, Math.min(twoThreadSteps, steps), 2);
                rows.add(new String[] {"append, 2 threads", String.format("%,.0f samples/s", rate), ""});
            }
            deleteTree(d2);
        }

        // --- 1 thread, the whole workload ---
        Path d1 = dir.resolve("one-thread");
        long baselineHeap = usedHeapAfterGc(); // before the workload, which is dropped before measuring
        Workload w = new Workload(series, targets, intervalMs, 7);
        Storage db = Tsdb.open(d1, opts);
        double create = append(db, w, t0, 1, 1);
        double rate1 = append(db, w, t0 + intervalMs, steps - 1, 1);
        rows.add(0, new String[] {"append, 1 thread", String.format("%,.0f samples/s", rate1), "steady state; target >= 3M"});
        rows.add(1, new String[] {"first scrape, 1 thread (creates every series)", String.format("%,.0f samples/s", create), ""});
        StorageStats st = db.stats();
        long samples = st.samplesAppended();

        long chunkBytes = headChunkBytes(d1, (Db) db);
        rows.add(new String[] {"bytes/sample, head chunks", String.format("%.3f", chunkBytes / (double) samples), ""});

        // memory per active series, measured: heap after GC + direct buffers + resident mapped pages
        w = null; // drop the generator's own arrays from the heap figure
        long heap = usedHeapAfterGc() - baselineHeap;
        long direct = bufferPool("direct");
        long mappedResident = mappedResidentBytes(d1);
        long perSeries = (heap + direct + mappedResident) / st.headSeries();
        rows.add(new String[] {"memory/active series", String.format("%,d B", perSeries),
                String.format("heap %,d MiB + direct %,d MiB + mapped resident %,d MiB", heap >> 20, direct >> 20, mappedResident >> 20)});

        // select latency
        long from = t0, to = t0 + (long) steps * intervalMs;
        String oneName = firstLabelValue(db, "__name__");
        double one = selectMillis(db, from, to, 0, Matcher.equal("__name__", oneName), Matcher.equal("instance", "10.0.0.0:9100"),
                Matcher.equal("method", "GET"), Matcher.equal("code", "200"));
        // 1,000 series of one target (its first 1,000 in label order), every sample decoded
        double thousand = selectMillis(db, from, to, 1000, Matcher.equal("instance", "10.0.0.1:9100"), Matcher.regex("__name__", "app_.*"));
        rows.add(new String[] {"select 1 series over 2h", String.format("%.3f ms", one), "median of 21, samples decoded"});
        rows.add(new String[] {"select 1,000 series over 2h", String.format("%.2f ms", thousand), "median of 21, samples decoded"});

        // blocks: the head's data written as one block
        Path snap = dir.resolve("snapshot");
        long tb = System.nanoTime();
        db.snapshot(snap, true);
        double blockSecs = (System.nanoTime() - tb) / 1e9;
        long blockBytes = treeSize(snap);
        rows.add(new String[] {"bytes/sample, block (index + chunks)", String.format("%.3f", blockBytes / (double) samples),
                String.format("written in %.1f s; target <= 1.3", blockSecs)});

        db.close();
        long tr = System.nanoTime();
        db = Tsdb.open(d1, opts);
        double reopen = (System.nanoTime() - tr) / 1e9;
        rows.add(new String[] {"reopen with " + String.format("%,d", db.stats().headSeries()) + " series", String.format("%.2f s", reopen),
                "clean shutdown; target <= 10 s"});
        db.close();

        System.out.println();
        System.out.println("| figure | value | note |");
        System.out.println("|---|---|---|");
        for (String[] r : rows) System.out.println("| " + r[0] + " | " + r[1] + " | " + r[2] + " |");
        deleteTree(dir);
    }

    /**
     * Appends {@code steps} scrapes of every target, targets split over {@code threads}; returns
     * samples/s. Only append + commit is timed: each scrape's values are generated beforehand, as a
     * scrape parser would hand them over.
     */
    static double append(Storage db, Workload w, long t0, int steps, int threads) throws InterruptedException {
        int n = w.seriesPerTarget;
        long[][] refs = new long[w.targets][n];
        AtomicLong appended = new AtomicLong();
        AtomicLong busyNanos = new AtomicLong();
        Thread[] ts = new Thread[threads];
        for (int th = 0; th < threads; th++) {
            int me = th;
            ts[th] = Thread.ofPlatform().start(() -> {
                SplittableRandom r = new SplittableRandom(me);
                double[] values = new double[n];
                long count = 0, nanos = 0;
                for (int step = 0; step < steps; step++) {
                    long t = t0 + step * w.intervalMs;
                    for (int target = me; target < w.targets; target += threads) {
                        if (r.nextInt(480) == 0) w.reset(target); // a restart about every 2h
                        int base = target * n;
                        for (int s = 0; s < n; s++) values[s] = w.next(base + s, r);
                        long s0 = System.nanoTime();
                        Appender app = db.appender();
                        long[] rf = refs[target];
                        for (int s = 0; s < n; s++) {
                            long ref = app.append(rf[s], w.labels[base + s], t, values[s]);
                            if (ref > 0) rf[s] = ref;
                        }
                        count += app.commit();
                        nanos += System.nanoTime() - s0;
                    }
                }
                appended.addAndGet(count);
                busyNanos.addAndGet(nanos);
            });
        }
        for (Thread t : ts) t.join();
        // per thread: samples over the time that thread spent appending, summed over threads
        return appended.get() / (busyNanos.get() / 1e9) * threads;
    }

    static long headChunkBytes(Path dir, Db db) throws IOException {
        db.head().chunkFiles().flush();
        long files = treeSize(dir.resolve("chunks_head"));
        return files + db.head().openChunkBytes();
    }

    static String firstLabelValue(Storage db, String name) {
        try (Querier q = db.querier()) {
            return q.labelValues(name, Long.MIN_VALUE, Long.MAX_VALUE).get(0);
        }
    }

    static double selectMillis(Storage db, long from, long to, int limit, Matcher... ms) {
        double[] times = new double[21];
        long sink = 0;
        for (int i = 0; i < times.length; i++) {
            long s0 = System.nanoTime();
            try (Querier q = db.querier()) {
                SeriesSet set = q.select(from, to, new SelectHints(true, limit), ms);
                SampleIterator it = null;
                while (set.next()) {
                    it = set.iterator(it);
                    while (it.next() != SampleIterator.NONE) sink += it.atT();
                }
            }
            times[i] = (System.nanoTime() - s0) / 1e6;
        }
        if (sink == 42) System.out.print("");
        Arrays.sort(times);
        return times[times.length / 2];
    }

    static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static long bufferPool(String name) {
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals(name)) return b.getMemoryUsed();
        }
        return 0;
    }

    /** Sum of Rss of this process's mappings of files under {@code dir} (from /proc/self/smaps). */
    static long mappedResidentBytes(Path dir) throws IOException {
        String prefix = dir.toAbsolutePath().toString();
        long total = 0;
        boolean inDir = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (!line.isEmpty() && Character.isLetterOrDigit(line.charAt(0)) && line.contains("-") && !line.contains(":  ")
                    && line.split("\\s+").length >= 5 && !line.startsWith("Rss")) {
                String[] parts = line.trim().split("\\s+");
                inDir = parts.length >= 6 && parts[5].startsWith(prefix);
            } else if (inDir && line.startsWith("Rss:")) {
                total += Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        return total;
    }

    static long treeSize(Path p) throws IOException {
        if (!Files.exists(p)) return 0;
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(f -> f.toFile().delete());
        }
    }
}
