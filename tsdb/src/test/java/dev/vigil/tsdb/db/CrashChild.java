package dev.vigil.tsdb.db;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link CrashSafetyTest}: appends and commits in a loop, continuing where
 * the storage left off, and prints {@code committed T} after each commit returned, until killed.
 */
public final class CrashChild {
    static final int SERIES = 50;
    static final long STEP = 100;

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Storage db = Tsdb.open(dir, options());
        long t = db.maxTime() == Long.MIN_VALUE ? STEP : db.maxTime() + STEP;
        long[] refs = new long[SERIES];
        System.out.println("ready " + t);
        System.out.flush();
        while (true) {
            Appender app = db.appender();
            for (int batch = 0; batch < 5; batch++, t += STEP) {
                for (int s = 0; s < SERIES; s++) {
                    refs[s] = app.append(refs[s], labels(s), t, value(s, t));
                }
            }
            app.commit();
            System.out.println("committed " + (t - STEP));
            System.out.flush();
        }
    }

    static TsdbOptions options() {
        // tiny segments and blocks, so kills also land in rotation, compaction and truncation
        return TsdbOptions.defaults()
                .withSegmentSizes(64 << 10, 16 << 10)
                .withWalSync(WalSyncPolicy.NEVER, 0)
                .withRetention(0, 0)
                .withBlockRange(20_000, 180_000)
                .withBackground(20, System::currentTimeMillis);
    }

    static Labels labels(int s) {
        return Labels.of("__name__", "crash_test", "series", Integer.toString(s), "job", "j" + (s % 3));
    }

    static double value(int s, long t) {
        return s * 1_000_000.0 + t / 7.0;
    }
}
