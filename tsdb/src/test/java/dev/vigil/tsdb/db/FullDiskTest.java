package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk: appends fail clearly, reads keep working, nothing committed is lost, and it recovers. */
class FullDiskTest {
    @TempDir
    Path dir;

    static final class FillableDisk implements FileSystemFacade {
        volatile boolean full;
        volatile boolean headChunksFull;
        final java.util.Set<FileChannel> headChunkChannels = java.util.concurrent.ConcurrentHashMap.newKeySet();

        @Override
        public FileChannel open(Path path, java.nio.file.OpenOption... options) throws IOException {
            FileChannel ch = FileSystemFacade.super.open(path, options);
            if (path.toString().contains("chunks_head")) headChunkChannels.add(ch);
            return ch;
        }

        @Override
        public void write(FileChannel ch, ByteBuffer src, long position) throws IOException {
            if (full || (headChunksFull && headChunkChannels.contains(ch))) throw new IOException("No space left on device");
            FileSystemFacade.super.write(ch, src, position);
        }
    }

    @Test
    void head_chunk_files_failing_keeps_chunks_open_and_loses_nothing() {
        FillableDisk disk = new FillableDisk();
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withFs(disk).withSegmentSizes(1 << 20, 8 << 10);
        TestModel model = new TestModel();
        Matcher all = Matcher.equal("__name__", "m");
        try (Db db = Db.open(dir, opts)) {
            disk.headChunksFull = true;
            for (long t = 0; t < 600_000; t += 1000) append(db, model, t, true); // 600 samples: several chunks' worth
            assertTrue(db.head().chunkWriteFailures() > 0, "sealing was attempted and failed");
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all));
            disk.headChunksFull = false;
            for (long t = 600_000; t < 900_000; t += 1000) append(db, model, t, true);
        }
        try (Db db = Db.open(dir, opts)) {
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all));
        }
    }

    @Test
    void appends_fail_while_full_and_recover_when_space_returns() {
        FillableDisk disk = new FillableDisk();
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withFs(disk);
        TestModel model = new TestModel();
        Matcher all = Matcher.equal("__name__", "m");
        try (Db db = Db.open(dir, opts)) {
            long t = 0;
            for (; t < 50_000; t += 1000) append(db, model, t, true);
            disk.full = true;
            for (int i = 0; i < 5; i++, t += 1000) {
                long tt = t;
                StorageException e = assertThrows(StorageException.class, () -> append(db, model, tt, false));
                assertTrue(e.getMessage().contains("No space left"), e.getMessage());
            }
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all),
                    "reads work while the disk is full");
            assertTrue(db.stats().appendFailures() >= 5);
            disk.full = false;
            for (; t < 80_000; t += 1000) append(db, model, t, true);
        }
        try (Db db = Db.open(dir, opts)) {
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all),
                    "everything committed survives a reopen, nothing of the failed batches");
        }
    }

    private static void append(Db db, TestModel model, long t, boolean record) {
        Appender app = db.appender();
        for (int s = 0; s < 10; s++) {
            app.append(0, Labels.of("__name__", "m", "s", Integer.toString(s)), t, t + s);
        }
        app.commit();
        if (record) {
            for (int s = 0; s < 10; s++) model.add(Labels.of("__name__", "m", "s", Integer.toString(s)), t, t + s);
        }
    }
}
