package dev.vigil.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.WalSyncPolicy;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalTest {
    @TempDir
    Path tmp;

    private Path dir() {
        return tmp.resolve("wal");
    }

    private static List<ModelRecord> batch(int i) {
        List<ModelRecord.Sample> s = new ArrayList<>();
        for (int k = 0; k < 5; k++) s.add(new ModelRecord.Sample(i, 1000L * k + i, Double.doubleToRawLongBits(i + k * 0.25)));
        return List.of(new ModelRecord.Samples(s));
    }

    private static void log(Wal wal, List<ModelRecord> batch) {
        byte[] b = ModelRecord.frameAll(batch);
        wal.log(b, 0, b.length);
    }

    /** Frames one opaque record of exactly {@code bytes} bytes, header included. */
    private static byte[] frameOfSize(int bytes) {
        List<Byte> p = new ArrayList<>();
        for (int i = 0; i < bytes - WalRecords.HEADER_BYTES; i++) p.add((byte) (i + 1));
        return ModelRecord.frameAll(List.of(new ModelRecord.Opaque((byte) 100, p)));
    }

    private List<ModelRecord> replayAll(FaultyFileSystem fs) {
        ModelRecord.Collector c = new ModelRecord.Collector();
        ReplayResult res = Wal.replay(dir(), 0, c, tmp.resolve("quarantine"), fs);
        assertTrue(res.clean(), res.message());
        return c.records;
    }

    @Test
    void full_disk_fails_the_batch_cleanly_and_the_log_recovers() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        List<ModelRecord> acknowledged = new ArrayList<>();
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.ALWAYS, 0, fs)) {
            for (int i = 0; i < 3; i++) {
                log(wal, batch(i));
                acknowledged.addAll(batch(i));
            }
            long sizeBefore = Files.size(Wal.segmentPath(dir(), 1));
            fs.failWrites.set(3);
            for (int i = 100; i < 103; i++) {
                int n = i;
                StorageException e = assertThrows(StorageException.class, () -> log(wal, batch(n)));
                assertEquals("wal write failed [segment=00000001]: No space left on device", e.getMessage());
                // The half-written batch was cut back off.
                assertEquals(sizeBefore, Files.size(Wal.segmentPath(dir(), 1)));
            }
            for (int i = 3; i < 6; i++) {
                log(wal, batch(i));
                acknowledged.addAll(batch(i));
            }
        }
        assertEquals(acknowledged, replayAll(fs));
    }

    @Test
    void failed_cut_back_is_retried_before_the_next_write() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs)) {
            log(wal, batch(0));
            long good = Files.size(Wal.segmentPath(dir(), 1));
            fs.failWrites.set(1);
            fs.failTruncates.set(2); // the cut-back in the failed log, and its first retry
            StorageException first = assertThrows(StorageException.class, () -> log(wal, batch(100)));
            assertEquals(1, first.getCause().getSuppressed().length);
            assertTrue(Files.size(Wal.segmentPath(dir(), 1)) > good, "the partial batch is still there");
            assertThrows(StorageException.class, () -> log(wal, batch(1))); // retry fails: nothing written
            log(wal, batch(2));
        }
        List<ModelRecord> expected = new ArrayList<>(batch(0));
        expected.addAll(batch(2));
        assertEquals(expected, replayAll(fs));
    }

    @Test
    void interrupted_caller_does_not_break_the_log_for_others() throws Exception {
        FaultyFileSystem fs = new FaultyFileSystem(false); // a real fsync, which sees the interrupt
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.ALWAYS, 0, fs)) {
            log(wal, batch(0));
            Throwable[] thrown = new Throwable[1];
            Thread t = Thread.ofPlatform().start(() -> {
                Thread.currentThread().interrupt();
                try {
                    log(wal, batch(100));
                } catch (Throwable e) {
                    thrown[0] = e;
                }
            });
            t.join();
            // The interrupt closes the channel (ClosedByInterruptException) for every thread.
            assertTrue(thrown[0] instanceof StorageException, String.valueOf(thrown[0]));
            log(wal, batch(1));
            wal.nextSegment();
            log(wal, batch(2));
        }
        List<ModelRecord> expected = new ArrayList<>(batch(0));
        expected.addAll(batch(1));
        expected.addAll(batch(2));
        assertEquals(expected, replayAll(fs));
    }

    @Test
    void failed_fsync_under_ALWAYS_is_not_acknowledged_and_not_replayed() {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.ALWAYS, 0, fs)) {
            log(wal, batch(0));
            fs.failForces.set(1);
            StorageException e = assertThrows(StorageException.class, () -> log(wal, batch(1)));
            assertTrue(e.getMessage().contains("Input/output error"), e.getMessage());
            log(wal, batch(2));
        }
        List<ModelRecord> expected = new ArrayList<>(batch(0));
        expected.addAll(batch(2));
        assertEquals(expected, replayAll(fs));
    }

    @Test
    void batches_are_never_split_and_an_oversized_batch_gets_its_own_segment() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        try (Wal wal = Wal.open(dir(), 100, WalSyncPolicy.NEVER, 0, fs)) {
            byte[] sixty = frameOfSize(60);
            wal.log(sixty, 0, 60);
            assertEquals(1, wal.currentSegment());
            wal.log(sixty, 0, 40); // a prefix is not a valid frame, but only the size matters here
            assertEquals(1, wal.currentSegment()); // exactly 100: fits
            wal.log(sixty, 0, 60);
            assertEquals(2, wal.currentSegment());
            byte[] big = frameOfSize(250);
            wal.log(big, 0, big.length);
            assertEquals(3, wal.currentSegment());
            wal.log(sixty, 0, 60);
            assertEquals(4, wal.currentSegment());
            assertEquals(List.of(1, 2, 3, 4), wal.segments());
            assertEquals(100 + 60 + 250 + 60, wal.sizeBytes());
        }
        assertEquals(250, Files.size(Wal.segmentPath(dir(), 3)));
    }

    @Test
    void log_uses_one_write_and_honours_the_offset() {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        byte[] frame = ModelRecord.frameAll(batch(7));
        byte[] padded = new byte[frame.length + 10];
        System.arraycopy(frame, 0, padded, 5, frame.length);
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs)) {
            wal.log(padded, 5, frame.length);
            assertEquals(1, fs.writes.get());
            assertThrows(IndexOutOfBoundsException.class, () -> wal.log(padded, 5, padded.length));
        }
        assertEquals(batch(7), replayAll(fs));
    }

    @Test
    void nextSegment_and_truncateBefore() {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs)) {
            assertEquals(1, wal.currentSegment());
            log(wal, batch(1));
            assertEquals(2, wal.nextSegment());
            log(wal, batch(2));
            assertEquals(3, wal.nextSegment());
            log(wal, batch(3));
            assertEquals(List.of(1, 2, 3), wal.segments());
            wal.truncateBefore(2);
            assertEquals(List.of(2, 3), wal.segments());
            wal.truncateBefore(99); // never the current one
            assertEquals(List.of(3), wal.segments());
            assertEquals(3, wal.currentSegment());
            log(wal, batch(4));
        }
        List<ModelRecord> expected = new ArrayList<>(batch(3));
        expected.addAll(batch(4));
        assertEquals(expected, replayAll(fs));
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs)) {
            assertEquals(4, wal.currentSegment(), "open starts after the last segment");
            assertEquals(List.of(3, 4), wal.segments());
        }
    }

    @Test
    void rotation_and_close_fsync_under_every_policy_and_ALWAYS_fsyncs_each_log() {
        for (WalSyncPolicy policy : List.of(WalSyncPolicy.NEVER, WalSyncPolicy.ALWAYS)) {
            FaultyFileSystem fs = new FaultyFileSystem(true);
            Wal wal = Wal.open(tmp.resolve(policy.name()), 1 << 20, policy, 0, fs);
            log(wal, batch(1));
            log(wal, batch(2));
            assertEquals(policy == WalSyncPolicy.ALWAYS ? 2 : 0, fs.forces.get(), policy.name());
            wal.nextSegment();
            assertEquals(policy == WalSyncPolicy.ALWAYS ? 3 : 1, fs.forces.get(), policy.name());
            wal.close();
            assertEquals(policy == WalSyncPolicy.ALWAYS ? 4 : 2, fs.forces.get(), policy.name());
        }
    }

    @Test
    void INTERVAL_fsyncs_in_the_background_after_a_write() throws InterruptedException {
        CountDownLatch synced = new CountDownLatch(1);
        FaultyFileSystem fs = new FaultyFileSystem(true) {
            @Override
            public void force(FileChannel ch) throws IOException {
                super.force(ch);
                synced.countDown();
            }
        };
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.INTERVAL, 5, fs)) {
            assertEquals(0, fs.forces.get());
            log(wal, batch(1));
            assertTrue(synced.await(30, TimeUnit.SECONDS), "no background fsync");
        }
    }

    @Test
    void INTERVAL_syncer_waits_for_a_write_when_there_is_nothing_to_sync() throws InterruptedException {
        java.util.concurrent.LinkedBlockingQueue<Integer> syncs = new java.util.concurrent.LinkedBlockingQueue<>();
        FaultyFileSystem fs = new FaultyFileSystem(true) {
            @Override
            public void force(FileChannel ch) throws IOException {
                super.force(ch);
                syncs.add(1);
            }
        };
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.INTERVAL, 5, fs)) {
            awaitIdle(wal);
            for (int round = 0; round < 3; round++) {
                log(wal, batch(1));
                assertEquals(1, syncs.poll(30, TimeUnit.SECONDS), "no background fsync after write " + round);
                awaitIdle(wal);
                Thread.sleep(50); // ten intervals: an idle syncer does not fsync again
                assertEquals(null, syncs.poll(), "fsync without a write");
            }
        }
    }

    private static void awaitIdle(Wal wal) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!wal.syncerWaitsForWrite()) {
            assertTrue(System.nanoTime() < deadline, "the syncer never went idle");
            Thread.sleep(1);
        }
    }

    @Test
    void closed_wal_rejects_writes_and_close_is_idempotent() {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs);
        wal.close();
        wal.close();
        assertThrows(StorageException.class, () -> log(wal, batch(1)));
        assertThrows(StorageException.class, wal::nextSegment);
        assertThrows(StorageException.class, wal::sync);
    }

    @Test
    void open_rejects_bad_arguments() {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        assertThrows(IllegalArgumentException.class, () -> Wal.open(dir(), 0, WalSyncPolicy.NEVER, 0, fs));
        assertThrows(IllegalArgumentException.class, () -> Wal.open(dir(), 1L << 32, WalSyncPolicy.NEVER, 0, fs));
        assertThrows(IllegalArgumentException.class, () -> Wal.open(dir(), 1 << 20, WalSyncPolicy.INTERVAL, 0, fs));
    }

    @Test
    void concurrent_loggers_lose_nothing() throws InterruptedException {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        int threads = 4, perThread = 200;
        try (Wal wal = Wal.open(dir(), 8192, WalSyncPolicy.NEVER, 0, fs)) {
            List<Thread> ts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int base = t * perThread;
                ts.add(Thread.ofVirtual().start(() -> {
                    RecordBuffer buf = new RecordBuffer();
                    for (int i = base; i < base + perThread; i++) {
                        buf.reset();
                        WalRecords.frameTombstones(buf, new long[] {i}, new long[] {i}, new long[] {i}, 1);
                        wal.log(buf.array(), 0, buf.length());
                    }
                }));
            }
            for (Thread t : ts) t.join();
        }
        List<ModelRecord> got = replayAll(fs);
        assertEquals(threads * perThread, got.size());
        // Each thread's records are in its own order; all ids are present exactly once.
        long[] ids = got.stream().mapToLong(r -> ((ModelRecord.Tombstones) r).tombstones().getFirst().id()).toArray();
        assertEquals(threads * perThread, java.util.Arrays.stream(ids).distinct().count());
        for (int t = 0; t < threads; t++) {
            long lo = (long) t * perThread, hi = lo + perThread;
            long[] mine = java.util.Arrays.stream(ids).filter(x -> x >= lo && x < hi).toArray();
            for (int i = 1; i < mine.length; i++) assertTrue(mine[i - 1] < mine[i]);
        }
    }

    @Test
    void sizeBytes_counts_segment_files_only() throws IOException {
        FaultyFileSystem fs = new FaultyFileSystem(true);
        try (Wal wal = Wal.open(dir(), 1 << 20, WalSyncPolicy.NEVER, 0, fs)) {
            Files.writeString(dir().resolve("checkpoint.tmp"), "ignored");
            byte[] b = frameOfSize(77);
            wal.log(b, 0, b.length);
            assertEquals(77, wal.sizeBytes());
        }
    }
}
