package dev.vigil.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.db.Db;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The head's chunk count (chunkCount in /api/v1/status/tsdb, prometheus_tsdb_head_chunks) is the
 * chunks its series hold now, across sealing, a restart and compaction, not the chunks created.
 */
class HeadChunkCountTest {
    static final long BLOCK = 100_000;

    @TempDir
    Path dir;

    private static TsdbOptions options() {
        return TsdbOptions.defaults().withRetention(0, 0).withBlockRange(BLOCK, BLOCK)
                .withWalSync(WalSyncPolicy.NEVER, 0).withBackground(0, System::currentTimeMillis);
    }

    /** What the series hold, counted one by one. */
    private static long counted(Head head) {
        long[] n = {0};
        head.forEachSeries(s -> {
            synchronized (head.lockOf(s.ordinal)) {
                n[0] += s.sealedCount + (s.open != null ? 1 : 0);
            }
        });
        return n[0];
    }

    private static void fill(Db db, long fromMs, long toMs) {
        long[] refs = new long[3];
        for (long t = fromMs; t < toMs; t += 1000) {
            Appender app = db.appender();
            for (int s = 0; s < refs.length; s++) {
                refs[s] = app.append(refs[s], Labels.of("__name__", "m", "s", Integer.toString(s)), t, s + t / 1000.0);
            }
            app.commit();
        }
    }

    @Test
    void counts_the_chunks_held_now() {
        try (Db db = Db.open(dir, options())) {
            fill(db, 0, 300_000); // 300 samples a series: chunks of 120, 120 and 60
            assertEquals(9, db.stats().headChunks());
            assertEquals(9, counted(db.head()));
            assertEquals(9, db.stats().headChunksCreated());
        }
        try (Db db = Db.open(dir, options())) {
            assertEquals(counted(db.head()), db.stats().headChunks(), "after a restart");
            assertEquals(9, db.stats().headChunks());
            assertEquals(0, db.stats().headChunksCreated());
            fill(db, 300_000, 600_000);
            db.compact(); // blocks take the older data; the head drops its chunks
            long now = counted(db.head());
            assertTrue(!db.stats().blocks().isEmpty() && now < 15, "compacted: blocks " + db.stats().blocks() + ", chunks " + now);
            assertEquals(now, db.stats().headChunks(), "after compaction");
        }
    }
}
