package dev.vigil.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.lists;

import dev.vigil.tsdb.WalSyncPolicy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WalProperties {
    private static final int SEGMENT_BYTES = 4096;

    @TempDir
    Path tmp;

    @Test
    void records_encode_decode_identity() {
        qt().withExamples(500).forAll(WalGenerators.anyRecord(300)).checkAssert(r -> {
            RecordBuffer out = new RecordBuffer(1);
            r.frame(out);
            ByteBuffer frame = ByteBuffer.wrap(out.array(), 0, out.length());
            byte type = frame.get();
            int len = frame.getInt();
            frame.getInt();
            assertEquals(out.length() - WalRecords.HEADER_BYTES, len);
            assertEquals(r, ModelRecord.decode(type, frame.slice(), new SampleBatch(1)));
        });
    }

    @Test
    void logged_batches_replay_identically_across_small_segments() {
        int[] run = {0};
        qt().withExamples(60).forAll(lists().of(WalGenerators.batches(120)).ofSizeBetween(1, 40)).checkAssert(batches -> {
            Path dir = tmp.resolve("wal-" + run[0]++);
            FaultyFileSystem fs = new FaultyFileSystem(true);
            List<ModelRecord> expected = new ArrayList<>();
            List<Integer> expectedSegments = new ArrayList<>();
            TreeMap<Integer, Long> bytesPerSegment = new TreeMap<>();
            TreeMap<Integer, Integer> batchesPerSegment = new TreeMap<>();
            RecordBuffer buf = new RecordBuffer(16);
            try (Wal wal = Wal.open(dir, SEGMENT_BYTES, WalSyncPolicy.NEVER, 0, fs)) {
                for (List<ModelRecord> batch : batches) {
                    buf.reset();
                    for (ModelRecord r : batch) r.frame(buf);
                    wal.log(buf.array(), 0, buf.length());
                    int seg = wal.currentSegment();
                    expected.addAll(batch);
                    for (int i = 0; i < batch.size(); i++) expectedSegments.add(seg);
                    bytesPerSegment.merge(seg, (long) buf.length(), Long::sum);
                    batchesPerSegment.merge(seg, 1, Integer::sum);
                }
            }
            ModelRecord.Collector c = new ModelRecord.Collector();
            ReplayResult res = Wal.replay(dir, 0, c, tmp.resolve("quarantine"), fs);
            assertEquals(expected, c.records);
            assertEquals(expectedSegments, c.segments);
            assertTrue(res.clean(), res.message());
            assertEquals(expected.size(), res.recordsRead());
            for (var e : bytesPerSegment.entrySet()) {
                long size = sizeOf(Wal.segmentPath(dir, e.getKey()));
                assertEquals(e.getValue(), size, "segment " + e.getKey());
                // A batch is never split, and only a batch alone may exceed the segment size.
                assertTrue(size <= SEGMENT_BYTES || batchesPerSegment.get(e.getKey()) == 1, "segment " + e.getKey());
            }
            deleteRecursively(dir);
        });
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.delete(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
