package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queries running while appends commit and the background thread cuts and merges blocks: every
 * query sees every sample committed before it opened, exactly once, whatever compaction did meanwhile.
 */
class ConcurrentReadWriteTest {
    static final int SERIES = 20;
    static final long STEP = 100;

    @TempDir
    Path dir;

    @Test
    void readers_see_every_committed_sample_during_compaction() throws Exception {
        run(false);
    }

    /**
     * Every other sample arrives one step late (out of order, within the window): flushes of late
     * samples to blocks of their own and the merges of those blocks never hide one from a reader.
     */
    @Test
    void readers_see_every_late_sample_during_compaction() throws Exception {
        run(true);
    }

    private void run(boolean late) throws Exception {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBlockRange(2_000, 18_000).withSegmentSizes(32 << 10, 8 << 10)
                .withBackground(5, System::currentTimeMillis);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (Db db = Db.open(dir, opts)) {
            if (late) db.setOutOfOrderTimeWindow(10 * STEP);
            long[] committed = {0};
            Thread writer = Thread.ofPlatform().start(() -> {
                long[] refs = new long[SERIES];
                try {
                    long compactionsSeen = 0;
                    for (long k = 1; k <= 2000 && failure.get() == null; k++) {
                        if (k % 200 == 0) {
                            // pace the writer to the compactor (fsyncs can be slow), so that
                            // compactions and queries surely interleave whatever the machine
                            long deadline = System.nanoTime() + 20_000_000_000L;
                            while (db.stats().compactions() <= compactionsSeen && System.nanoTime() < deadline) Thread.sleep(5);
                            compactionsSeen = db.stats().compactions();
                        }
                        if (late && k % 2 == 0) continue; // written with k + 1, after it
                        Appender app = db.appender();
                        for (int s = 0; s < SERIES; s++) {
                            refs[s] = app.append(refs[s], Labels.of("__name__", "c", "s", Integer.toString(s)), k * STEP, k);
                            if (late && k > 1) {
                                long r = app.append(refs[s], Labels.of("__name__", "c", "s", Integer.toString(s)), (k - 1) * STEP, k - 1);
                                if (r < 0) throw new AssertionError("late sample rejected: " + r);
                            }
                        }
                        app.commit();
                        synchronized (committed) {
                            committed[0] = k;
                        }
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            });
            int queries = 0;
            while (writer.isAlive() && failure.get() == null) {
                long upTo;
                synchronized (committed) {
                    upTo = committed[0];
                }
                try (Querier q = db.querier()) {
                    SeriesSet set = q.select(Long.MIN_VALUE, upTo * STEP, SelectHints.DEFAULT, Matcher.equal("__name__", "c"));
                    int seen = 0;
                    SampleIterator it = null;
                    while (set.next()) {
                        it = set.iterator(it);
                        long expect = 1;
                        while (it.next() != SampleIterator.NONE) {
                            assertEquals(expect * STEP, it.atT(), "series " + set.labels() + " query " + queries);
                            assertEquals(expect, it.atV());
                            expect++;
                        }
                        assertEquals(upTo, expect - 1, "samples of " + set.labels() + " up to " + upTo);
                        seen++;
                    }
                    if (upTo > 0) assertEquals(SERIES, seen);
                }
                queries++;
            }
            writer.join();
            if (failure.get() != null) throw new AssertionError("writer failed", failure.get());
            assertTrue(db.stats().compactions() > 5, "compactions ran meanwhile: " + db.stats().compactions());
            assertTrue(queries > 10, "queries ran: " + queries);
            if (late) assertEquals(999 * SERIES, db.stats().outOfOrderSamplesAppended());
        }
    }
}
