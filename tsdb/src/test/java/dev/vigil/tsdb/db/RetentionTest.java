package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StorageStats;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
    static final long BLOCK = 10_000;

    @TempDir
    Path dir;

    private static TsdbOptions options(long retentionMs, long retentionBytes) {
        return TsdbOptions.defaults().withRetention(retentionMs, retentionBytes)
                .withBlockRange(BLOCK, BLOCK) // no merging: one block per range, easy to count
                .withSegmentSizes(16 << 10, 16 << 10)
                .withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
    }

    /** Appends 50 series every second from t=0 to endMs, compacting as it goes. */
    private static void fill(Db db, long fromMs, long endMs) {
        long[] refs = new long[50];
        for (long t = fromMs; t < endMs; t += 1000) {
            Appender app = db.appender();
            for (int s = 0; s < refs.length; s++) {
                refs[s] = app.append(refs[s], Labels.of("__name__", "m", "s", Integer.toString(s)), t, Math.sin(t + s) * 1e3);
            }
            app.commit();
            if (t % BLOCK == 0) db.compact();
        }
        db.compact();
    }

    @Test
    void time_retention_deletes_blocks_older_than_the_window() {
        try (Db db = Db.open(dir, options(35_000, 0))) {
            fill(db, 0, 120_000);
            StorageStats st = db.stats();
            assertTrue(st.retentionDeletedBlocks() > 0, "some blocks deleted");
            long newest = db.maxTime();
            for (StorageStats.BlockInfo b : st.blocks()) {
                assertTrue(b.maxT() > newest - 35_000, "block " + b + " is past retention (newest " + newest + ")");
            }
            // data inside the window is still there
            assertFalse(db.stats().blocks().isEmpty());
            assertTrue(db.minTime() >= newest - 35_000 - BLOCK, "min time " + db.minTime());
        }
    }

    @Test
    void size_retention_never_exceeds_the_cap_by_more_than_one_block() {
        long base;
        try (Db db = Db.open(dir, options(0, 0))) {
            base = db.stats().storageBytes(); // the series dictionary, WAL and head chunk files
        }
        long cap = base + 300_000;
        try (Db db = Db.open(dir, options(0, cap))) {
            long maxBlock = 0;
            for (long from = 0; from < 400_000; from += 20_000) {
                fill(db, from, from + 20_000);
                StorageStats st = db.stats();
                for (StorageStats.BlockInfo b : st.blocks()) maxBlock = Math.max(maxBlock, b.bytes());
                assertTrue(st.storageBytes() <= cap + maxBlock,
                        "storage " + st.storageBytes() + " > cap " + cap + " + one block " + maxBlock);
            }
            assertTrue(db.stats().retentionDeletedBlocks() > 0, "size retention deleted blocks");
            assertEquals(0, db.stats().compactionsFailed());
        }
    }

    @Test
    void retention_set_at_run_time_applies_at_the_next_maintenance() {
        try (Db db = Db.open(dir, options(0, 0))) {
            fill(db, 0, 120_000);
            int before = db.stats().blocks().size();
            assertEquals(0, db.stats().retentionDeletedBlocks(), "no retention yet");
            db.setRetention(35_000, 0);
            db.compact();
            long newest = db.maxTime();
            assertTrue(db.stats().retentionDeletedBlocks() > 0 && db.stats().blocks().size() < before, "blocks deleted");
            for (StorageStats.BlockInfo b : db.stats().blocks()) {
                assertTrue(b.maxT() > newest - 35_000, "block " + b + " is past the new retention");
            }
            long deleted = db.stats().retentionDeletedBlocks();
            db.setRetention(0, 0); // limits lifted: nothing more goes
            fill(db, 120_000, 160_000);
            assertEquals(deleted, db.stats().retentionDeletedBlocks());
        }
    }
}
