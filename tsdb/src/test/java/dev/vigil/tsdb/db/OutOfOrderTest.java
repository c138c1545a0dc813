package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.StorageStats;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** storage.tsdb.out_of_order_time_window: Prometheus's rules for which late samples are kept, and where they go. */
class OutOfOrderTest {
    @TempDir
    Path dir;

    static final Labels A = Labels.of("__name__", "a");
    static final Labels B = Labels.of("__name__", "b");
    static final long BLOCK = 10_000;

    static TsdbOptions options() {
        return TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withBlockRange(BLOCK, BLOCK * 9);
    }

    private static long reason(StorageStats st, long code) {
        return st.rejectedByReason()[(int) -code - 1];
    }

    private static int append(Db db, Labels l, long t, double v) {
        Appender a = db.appender();
        a.append(0, l, t, v);
        return a.commit();
    }

    private static List<String> read(Db db, Labels l) {
        return TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("__name__", l.get("__name__")));
    }

    private static String series(Labels l, long... tv) {
        StringBuilder sb = new StringBuilder(l.toString()).append(' ');
        for (int i = 0; i < tv.length; i += 2) {
            sb.append(tv[i]).append('=').append(Long.toHexString(Double.doubleToRawLongBits(tv[i + 1]))).append(' ');
        }
        return sb.toString();
    }

    @Test
    void late_samples_within_the_window_are_kept_and_read_in_order() {
        try (Db db = Db.open(dir, options())) {
            db.setOutOfOrderTimeWindow(10_000);
            assertEquals(1, append(db, A, 100_000, 1));
            assertEquals(1, append(db, A, 102_000, 3));

            Appender app = db.appender();
            assertTrue(app.append(0, A, 101_000, 2) > 0, "behind the series' newest, within the window");
            assertTrue(app.append(0, A, 92_000, 0) > 0, "exactly the head's newest minus the window");
            assertEquals(AppendStatus.TOO_OLD, app.append(0, A, 91_999, 9), "one millisecond older");
            assertEquals(2, app.commit());

            Appender dup = db.appender();
            assertTrue(dup.append(0, A, 101_000, 7) > 0, "a different value at a late sample's time: only commit can tell");
            assertTrue(dup.append(0, A, 101_000, 2) > 0);
            assertEquals(0, dup.commit(), "neither is new: one is a duplicate, the other an exact repeat");

            assertEquals(List.of(series(A, 92_000, 0, 100_000, 1, 101_000, 2, 102_000, 3)), read(db, A));
            StorageStats st = db.stats();
            assertEquals(2, st.outOfOrderSamplesAppended());
            assertEquals(2, st.outOfOrderSamplesInHead());
            assertEquals(1, reason(st, AppendStatus.TOO_OLD));
            assertEquals(1, reason(st, AppendStatus.DUPLICATE));
            assertEquals(0, reason(st, AppendStatus.OUT_OF_ORDER));

            db.setOutOfOrderTimeWindow(0);
            Appender off = db.appender();
            assertEquals(AppendStatus.OUT_OF_ORDER, off.append(0, A, 101_500, 1), "no window: rejected as before");
            off.rollback();
            assertEquals(List.of(series(A, 92_000, 0, 100_000, 1, 101_000, 2, 102_000, 3)), read(db, A),
                    "what was kept stays readable");
        }
    }

    @Test
    void late_samples_in_persisted_ranges_get_blocks_of_their_own_that_compaction_merges() {
        try (Db db = Db.open(dir, options())) {
            db.setOutOfOrderTimeWindow(10 * BLOCK);
            for (long t = 0; t <= 4 * BLOCK; t += 1000) append(db, A, t, t);
            db.compact();
            assertTrue(!db.stats().blocks().isEmpty(), "the head was cut into blocks");
            long persisted = db.stats().blocks().get(0).minT() + 500;

            Appender app = db.appender();
            assertTrue(app.append(0, A, persisted, -1) > 0, "in a persisted block's range, not out of bounds");
            assertTrue(app.append(0, B, persisted, -2) > 0, "a new series may start there too");
            assertEquals(2, app.commit());
            assertEquals(0, reason(db.stats(), AppendStatus.OUT_OF_BOUNDS));
            assertTrue(read(db, A).get(0).contains(persisted + "="), "read from the head before any flush");

            for (long t = 4 * BLOCK + 1000; t <= 8 * BLOCK; t += 1000) append(db, A, t, t);
            db.compact();
            StorageStats st = db.stats();
            assertEquals(0, st.outOfOrderSamplesInHead(), "flushed to blocks");
            for (int i = 1; i < st.blocks().size(); i++) {
                assertTrue(st.blocks().get(i).minT() >= st.blocks().get(i - 1).maxT(), "overlapping blocks merged: " + st.blocks());
            }
            assertEquals(List.of(series(B, persisted, -2)), read(db, B));
            String a = read(db, A).get(0);
            assertTrue(a.contains((persisted - 500) + "=0 " + persisted + "=" + Long.toHexString(Double.doubleToRawLongBits(-1))
                    + " " + (persisted + 500) + "="), a);
        }
        try (Db db = Db.open(dir, options())) {
            assertEquals(List.of(series(B, dbPersisted(db), -2)), read(db, B), "after a restart");
        }
    }

    private static long dbPersisted(Db db) {
        return db.stats().blocks().get(0).minT() + 500;
    }

    /** Chunks for remote read: late samples merged in, no two chunks overlapping (readers replay them in turn). */
    @Test
    void chunks_of_a_series_with_late_samples_do_not_overlap() {
        try (Db db = Db.open(dir, options())) {
            db.setOutOfOrderTimeWindow(100_000);
            for (long t = 0; t < 300; t++) append(db, A, 100_000 + t * 10, t);
            for (long t = 0; t < 300; t += 7) append(db, A, 100_000 + t * 10 + 5, -t);
            try (dev.vigil.tsdb.Querier q = db.querier()) {
                dev.vigil.tsdb.SeriesSet set = q.select(Long.MIN_VALUE, Long.MAX_VALUE, dev.vigil.tsdb.SelectHints.DEFAULT,
                        Matcher.equal("__name__", "a"));
                assertTrue(set.next());
                dev.vigil.tsdb.ChunkIterator chunks = set.chunks();
                StringBuilder fromChunks = new StringBuilder();
                long prevMax = Long.MIN_VALUE;
                int n = 0;
                while (chunks.next()) {
                    assertTrue(chunks.minT() > prevMax, "chunk " + n + " starts at " + chunks.minT() + " before " + prevMax);
                    prevMax = chunks.maxT();
                    var it = dev.vigil.tsdb.chunk.Chunks.iterator(chunks.encoding(), chunks.bytes(), null);
                    while (it.next() != dev.vigil.tsdb.SampleIterator.NONE) fromChunks.append(it.atT()).append('=').append(it.atV()).append(' ');
                    n++;
                }
                StringBuilder fromSamples = new StringBuilder();
                var it = set.iterator(null);
                while (it.next() != dev.vigil.tsdb.SampleIterator.NONE) fromSamples.append(it.atT()).append('=').append(it.atV()).append(' ');
                assertEquals(fromSamples.toString(), fromChunks.toString());
                assertEquals(343, fromSamples.toString().split(" ").length, "300 in order, 43 late");
            }
        }
    }

    /**
     * Late samples are sealed into chunks of 32 in the head chunk files, as in-order ones are: the
     * heap holds at most one open buffer per series. Reads, duplicates and a restart see them all.
     */
    @Test
    void late_samples_are_sealed_into_chunk_files_not_kept_on_the_heap() {
        List<String> expected;
        try (Db db = Db.open(dir, options())) {
            db.setOutOfOrderTimeWindow(1_000_000);
            append(db, A, 1_000_000, 0);
            long heapBefore = db.head().heapBytesEstimate();
            StringBuilder sb = new StringBuilder(A.toString()).append(' ');
            // 1,000 late samples, arriving in a scrambled order (step 997 is coprime to 1,000)
            for (int k = 0; k < 1000; k++) {
                long t = 1 + (k * 997L % 1000) * 1000;
                assertEquals(1, append(db, A, t, t), "late sample " + t);
            }
            for (long t = 1; t < 1_000_000; t += 1000) sb.append(t).append('=').append(Long.toHexString(Double.doubleToRawLongBits(t))).append(' ');
            sb.append(1_000_000).append('=').append(Long.toHexString(Double.doubleToRawLongBits(0))).append(' ');
            expected = List.of(sb.toString());
            long heapGrowth = db.head().heapBytesEstimate() - heapBefore;
            assertTrue(heapGrowth < 4096, "1,000 late samples cost " + heapGrowth + " heap bytes");
            assertEquals(expected, read(db, A));

            Appender dup = db.appender();
            dup.append(0, A, 5001, 5001); // in a sealed chunk, same value
            dup.append(0, A, 7001, -1);   // in a sealed chunk, another value
            assertEquals(0, dup.commit());
            assertEquals(1, reason(db.stats(), AppendStatus.DUPLICATE));
            assertEquals(expected, read(db, A));
            assertEquals(1000, db.stats().outOfOrderSamplesInHead());
        }
        try (Db db = Db.open(dir, options())) {
            assertEquals(expected, read(db, A), "after a restart");
            assertEquals(1000, db.stats().outOfOrderSamplesInHead(), "each once");
        }
    }

    @Test
    void a_restart_keeps_late_samples_that_are_only_in_the_head() {
        try (Db db = Db.open(dir, options())) {
            db.setOutOfOrderTimeWindow(10_000);
            append(db, A, 100_000, 1);
            append(db, A, 99_000, 0);
        }
        try (Db db = Db.open(dir, options())) {
            assertEquals(List.of(series(A, 99_000, 0, 100_000, 1)), read(db, A), "the WAL is replayed for them");
            assertEquals(1, db.stats().outOfOrderSamplesInHead());
        }
    }
}
