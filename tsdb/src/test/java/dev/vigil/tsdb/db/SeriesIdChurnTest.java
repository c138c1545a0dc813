package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Series ids never repeat under churn (a stream_id label changing every block), across head
 * truncations and restarts, while head ordinals are reused so they stay dense.
 */
class SeriesIdChurnTest {
    @TempDir
    Path dir;

    @Test
    void ids_are_unique_forever_and_ordinals_stay_dense() {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withBlockRange(10_000, 10_000);
        Map<Long, Labels> seen = new HashMap<>();
        Set<Long> liveMaxOrdinal = new HashSet<>();
        long maxOrdinal = 0;
        long t = 0;
        Db db = Db.open(dir, opts);
        try {
            for (int generation = 0; generation < 30; generation++) {
                for (int step = 0; step < 10; step++, t += 1000) {
                    Appender app = db.appender();
                    for (int s = 0; s < 100; s++) {
                        Labels l = Labels.of("__name__", "m", "s", Integer.toString(s), "stream_id", "g" + generation);
                        long ref = app.append(0, l, t, s);
                        assertTrue(ref > 0);
                        Labels before = seen.putIfAbsent(ref, l);
                        assertTrue(before == null || before.equals(l), "id " + Long.toHexString(ref) + " reused: " + before + " then " + l);
                        maxOrdinal = Math.max(maxOrdinal, ref & 0xFFFFFFFFL);
                    }
                    app.commit();
                }
                db.compact();
                if (generation % 7 == 3) {
                    db.close();
                    db = Db.open(dir, opts);
                }
            }
            assertEquals(3000, seen.size(), "every series got its own id");
            assertTrue(maxOrdinal < 600, "ordinals are reused, not ever-growing: max " + maxOrdinal);
            assertTrue(db.stats().seriesRemoved() > 0 || db.stats().headSeries() < 3000);
        } finally {
            db.close();
        }
        liveMaxOrdinal.clear();
    }
}
