package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.wal.SampleBatch;
import dev.vigil.tsdb.wal.Wal;
import dev.vigil.tsdb.wal.WalRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The accessors a WAL tailer outside tsdb (the remote-write sender) relies on. */
class WalAccessorTest {
    @TempDir
    Path dir;

    @Test
    void wal_dir_holds_committed_records_and_series_labels_resolve_across_restart() {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
        Labels a = Labels.of("__name__", "up", "job", "x");
        long ref;
        try (Db db = Db.open(dir, opts)) {
            Appender app = db.appender();
            ref = app.append(0, a, 1000, 1);
            app.commit();
            assertEquals(dir.resolve("wal").toAbsolutePath(), db.walDir());
            assertTrue(Files.isDirectory(db.walDir()));
            assertEquals(a, db.seriesLabels(ref));
            assertNull(db.seriesLabels(ref + 12345), "unknown ref");
            // A committed batch is readable from the segment files while the Db still writes them.
            AtomicInteger samples = new AtomicInteger();
            SampleBatch batch = new SampleBatch();
            Wal.replay(db.walDir(), 0, (seg, type, payload) -> {
                if (WalRecords.isSamples(type)) samples.addAndGet(WalRecords.decodeSamples(type, payload, batch));
            }, dir.resolve("q"), opts.fs());
            assertEquals(1, samples.get());
        }
        try (Db db = Db.open(dir, opts)) {
            // after a restart the head writes no series record for a known series: the labels
            // must still resolve by ref
            assertEquals(a, db.seriesLabels(ref));
            Appender app = db.appender();
            assertEquals(ref, app.append(0, a, 2000, 2));
            app.commit();
        }
    }
}
