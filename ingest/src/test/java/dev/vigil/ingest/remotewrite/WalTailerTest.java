package dev.vigil.ingest.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.fs.FileSystemFacade;
import dev.vigil.tsdb.wal.RecordBuffer;
import dev.vigil.tsdb.wal.SampleBatch;
import dev.vigil.tsdb.wal.Wal;
import dev.vigil.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tailing a WAL that is being written, torn, rotated and truncated under the reader. */
class WalTailerTest {
    @TempDir
    Path dir;

    /** Collects the timestamps of the sample records read (one sample per record here). */
    static final class Collect implements WalTailer.Sink {
        final List<Long> ts = new ArrayList<>();
        final List<Labels> series = new ArrayList<>();

        @Override
        public void series(long ref, Labels labels) {
            series.add(labels);
        }

        @Override
        public void samples(SampleBatch b, long start, long end) {
            for (int i = 0; i < b.size(); i++) ts.add(b.ts()[i]);
        }
    }

    static byte[] sampleFrame(long t) {
        RecordBuffer r = new RecordBuffer();
        WalRecords.frameSamples(r, new long[] {1}, new long[] {t}, new double[] {t}, 1);
        return java.util.Arrays.copyOf(r.array(), r.length());
    }

    static void log(Wal wal, long t) {
        byte[] f = sampleFrame(t);
        wal.log(f, 0, f.length);
    }

    Wal open() {
        return Wal.open(dir, 1 << 20, WalSyncPolicy.NEVER, 0, FileSystemFacade.DEFAULT);
    }

    /**
     * Late samples (out-of-order window) are logged twice: in the samples record, and in the
     * out-of-order record that replay reads. The tailer forwards each sample once.
     */
    @Test
    void late_samples_are_forwarded_once() throws IOException {
        Path data = dir.resolve("data");
        try (dev.vigil.tsdb.db.Db db = dev.vigil.tsdb.db.Db.open(data, dev.vigil.tsdb.TsdbOptions.defaults()
                .withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0).withBackground(0, System::currentTimeMillis))) {
            db.setOutOfOrderTimeWindow(60_000);
            for (long t : new long[] {10_000, 20_000, 15_000, 12_000, 30_000, 11_000}) {
                dev.vigil.tsdb.Appender a = db.appender();
                a.append(0, Labels.of("__name__", "m"), t, t);
                assertEquals(1, a.commit());
            }
            assertEquals(3, db.stats().outOfOrderSamplesAppended());
            try (WalTailer t = new WalTailer(db.walDir(), 1, 0)) {
                Collect c = new Collect();
                t.poll(c, 100);
                assertEquals(List.of(10_000L, 20_000L, 15_000L, 12_000L, 30_000L, 11_000L), c.ts);
                assertEquals(List.of(Labels.of("__name__", "m")), c.series);
            }
        }
    }

    @Test
    void a_half_written_record_is_waited_for_not_skipped() throws IOException {
        try (Wal wal = open(); WalTailer t = new WalTailer(dir, 1, 0)) {
            RecordBuffer r = new RecordBuffer();
            WalRecords.frameSeries(r, new long[] {1}, new byte[][] {Labels.of("a", "b").encode()}, 1);
            wal.log(r.array(), 0, r.length());
            log(wal, 10);
            // a write the reader sees half done: the first bytes of the next frame only
            byte[] next = sampleFrame(20);
            Path seg = dir.resolve(WalTailer.segmentName(wal.currentSegment()));
            long size;
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                size = ch.size();
                ch.write(ByteBuffer.wrap(next, 0, 12), size);
            }
            Collect c = new Collect();
            assertEquals(2, t.poll(c, 100));
            assertEquals(0, t.poll(c, 100), "incomplete: wait");
            assertEquals(List.of(10L), c.ts);
            assertEquals(List.of(Labels.of("a", "b")), c.series);
            try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(next, 12, next.length - 12), size + 12);
            }
            assertEquals(1, t.poll(c, 100));
            assertEquals(List.of(10L, 20L), c.ts);
        }
    }

    @Test
    void follows_rotation_and_skips_a_torn_tail_of_a_finished_segment() throws IOException {
        try (Wal wal = open(); WalTailer t = new WalTailer(dir, 1, 0)) {
            log(wal, 1);
            Path seg1 = dir.resolve(WalTailer.segmentName(1));
            try (FileChannel ch = FileChannel.open(seg1, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(sampleFrame(99), 0, 5), ch.size()); // a crash's torn tail
            }
            Collect c = new Collect();
            t.poll(c, 100);
            assertEquals(List.of(1L), c.ts);
            wal.nextSegment();
            log(wal, 2);
            t.poll(c, 100);
            assertEquals(List.of(1L, 2L), c.ts);
            assertEquals(5, t.tornBytesSkipped());
            assertEquals(2, WalTailer.segmentOf(t.position()));
        }
    }

    @Test
    void segments_truncated_before_they_are_read_are_skipped_and_counted() throws IOException {
        try (Wal wal = open(); WalTailer t = new WalTailer(dir, 1, 0)) {
            log(wal, 1);
            log(wal, 2);
            wal.nextSegment();
            log(wal, 3);
            wal.nextSegment();
            log(wal, 4);
            wal.nextSegment();
            log(wal, 5);
            Collect c = new Collect();
            assertEquals(1, t.poll(c, 1)); // segment 1 is open now
            wal.truncateBefore(4); // deletes 1 (open: still readable), 2 and 3
            t.poll(c, 100);
            assertEquals(List.of(1L, 2L, 5L), c.ts, "the rest of the open segment, then the oldest left");
            assertEquals(2, t.segmentsSkipped());
        }
    }

    @Test
    void a_position_below_the_oldest_segment_jumps_to_it() throws IOException {
        try (Wal wal = open()) {
            log(wal, 1);
            wal.nextSegment();
            log(wal, 2);
            wal.nextSegment();
            log(wal, 3);
            wal.truncateBefore(3);
            try (WalTailer t = new WalTailer(dir, 1, 100)) {
                Collect c = new Collect();
                t.poll(c, 100);
                assertEquals(List.of(3L), c.ts);
                assertEquals(2, t.segmentsSkipped());
            }
        }
    }

    @Test
    void a_reader_started_before_the_first_segment_waits_for_it_without_counting_a_gap() throws IOException {
        try (WalTailer t = new WalTailer(dir, 0, 0)) {
            Collect c = new Collect();
            assertEquals(0, t.poll(c, 100), "no WAL yet");
            try (Wal wal = open()) {
                log(wal, 7);
                t.poll(c, 100);
                assertEquals(List.of(7L), c.ts);
                assertEquals(0, t.segmentsSkipped());
            }
        }
    }
}
