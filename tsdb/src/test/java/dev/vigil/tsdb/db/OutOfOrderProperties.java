package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.Tsdb;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With an out-of-order time window, a sample older than its series' newest is stored exactly when
 * it is no older than the storage's newest sample minus the window, and reads see every stored
 * sample once, in order: from the head, from the out-of-order blocks that compaction writes and
 * merges, after a clean restart and after a crash (a copy of the directory taken while open). Each
 * example is a random scenario driven by one seed.
 */
class OutOfOrderProperties {
    @TempDir
    Path tmp;

    @Test
    void stored_exactly_within_the_window_and_read_back_everywhere() {
        StorageProperties.randomSeeds(this::scenario);
    }

    @Test
    void pinned_seeds() {
        for (long seed : StorageProperties.PINNED_SEEDS) scenario(seed);
    }

    /** Every write of a series at a time carries the same value, so a repeat is an exact duplicate. */
    static double value(int series, long t) {
        long h = (series * 0x9E3779B97F4A7C15L) ^ (t * 0xC2B2AE3D27D4EB4FL);
        return switch ((int) Math.floorMod(h, 9)) {
            case 0 -> StaleMarker.STALE_NAN;
            case 1 -> -0.0;
            case 2, 3 -> Math.floorMod(h >>> 8, 1000);
            default -> (h >>> 11) * 0x1.0p-53 * 1e6;
        };
    }

    private void scenario(long seed) {
        Path dir = StorageProperties.freshDir(tmp, "s");
        Random rnd = new Random(seed);
        int nSeries = 1 + rnd.nextInt(12);
        List<Labels> labels = new ArrayList<>();
        for (int i = 0; i < nSeries; i++) {
            labels.add(Labels.of("__name__", StorageProperties.NAMES[rnd.nextInt(StorageProperties.NAMES.length)],
                    "i", Integer.toString(i)));
        }
        long interval = 100 + rnd.nextInt(900);
        // from a few steps to several block ranges (StorageProperties.BLOCK)
        long window = switch (rnd.nextInt(3)) {
            case 0 -> interval * (1 + rnd.nextInt(5));
            case 1 -> StorageProperties.BLOCK * (1 + rnd.nextInt(3));
            default -> Long.MAX_VALUE / 4;
        };
        TestModel model = new TestModel();
        Map<Integer, Long> newest = new HashMap<>();
        long headMax = Long.MIN_VALUE;
        Db db = open(dir, window);
        try {
            long t0 = rnd.nextInt(3) == 0 ? -50_000 : 1_700_000_000_000L;
            int steps = 30 + rnd.nextInt(300);
            for (int step = 0; step < steps; step++) {
                Appender app = db.appender();
                List<long[]> batch = new ArrayList<>(); // {series, t}
                long batchMax = headMax;
                for (int s = 0; s < nSeries; s++) {
                    if (rnd.nextInt(5) == 0) continue;
                    long t = t0 + step * interval + rnd.nextInt((int) interval / 2);
                    long r = app.append(0, labels.get(s), t, value(s, t));
                    assertTrue(r > 0, "in-order sample rejected " + r + " seed=" + seed);
                    batch.add(new long[] {s, t});
                    batchMax = Math.max(batchMax, t);
                }
                int late = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt(2 * nSeries) : 0;
                for (int k = 0; k < late; k++) {
                    int s = rnd.nextInt(nSeries);
                    Long max = newest.get(s);
                    if (max == null) continue;
                    // anywhere from just behind the series' newest to three windows (capped) back
                    long back = 1 + (long) (rnd.nextDouble() * Math.min(3 * window, 40 * StorageProperties.BLOCK));
                    long t = max - back;
                    long r = app.append(0, labels.get(s), t, value(s, t));
                    if (t >= headMax - window) {
                        assertTrue(r > 0, "out-of-order sample within the window rejected " + r + " seed=" + seed);
                        batch.add(new long[] {s, t});
                    } else {
                        assertEquals(AppendStatus.TOO_OLD, r, "too old sample seed=" + seed + " t=" + t + " headMax=" + headMax);
                    }
                }
                if (rnd.nextInt(15) == 0) {
                    app.rollback();
                } else {
                    app.commit();
                    for (long[] e : batch) {
                        int s = (int) e[0];
                        model.add(labels.get(s), e[1], value(s, e[1]));
                        newest.merge(s, e[1], Math::max);
                    }
                    headMax = batchMax;
                }
                if (rnd.nextInt(40) == 0) db.compact();
                if (rnd.nextInt(100) == 0) {
                    db.close();
                    db = open(dir, window);
                }
                if (rnd.nextInt(100) == 0) {
                    Path image = crashImage(dir);
                    Db crashed = open(image, window);
                    try {
                        check(crashed, model, rnd, "crash image, seed=" + seed);
                    } finally {
                        crashed.close();
                    }
                }
                if (rnd.nextInt(50) == 0) check(db, model, rnd, "seed=" + seed);
            }
            check(db, model, rnd, "end, seed=" + seed);
            db.compact();
            check(db, model, rnd, "compacted, seed=" + seed);
            db.close();
            db = open(dir, window);
            check(db, model, rnd, "reopened, seed=" + seed);
        } finally {
            db.close();
        }
    }

    private static Db open(Path dir, long window) {
        Db db = (Db) Tsdb.open(dir, StorageProperties.options());
        db.setOutOfOrderTimeWindow(window);
        return db;
    }

    /** What a crash would leave: the files as they are now, without a clean shutdown. */
    private Path crashImage(Path dir) {
        try {
            Path image = Files.createTempDirectory(tmp, "crash");
            try (var walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    Path q = image.resolve(dir.relativize(p).toString());
                    if (Files.isDirectory(p)) Files.createDirectories(q);
                    else if (!p.getFileName().toString().equals("lock")) Files.copy(p, q);
                }
            }
            return image;
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    private static void check(Db db, TestModel model, Random rnd, String what) {
        Matcher all = Matcher.regex("__name__", ".+");
        assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all),
                "full range " + what);
        long min = db.minTime(), max = db.maxTime();
        if (min < max) {
            long from = min + (long) (rnd.nextDouble() * (max - min)), to = from + (long) (rnd.nextDouble() * (max - from));
            Matcher one = Matcher.equal("__name__", StorageProperties.NAMES[rnd.nextInt(StorageProperties.NAMES.length)]);
            assertEquals(model.expect(from, to, one), TestModel.actual(db, from, to, one), "range [" + from + "," + to + "] " + what);
        }
    }
}
