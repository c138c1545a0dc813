package dev.vigil.tsdb.wal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.WalSyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class WalReplayTest {
    private static final int SEGMENT_BYTES = 500;

    @TempDir
    Path tmp;

    private final FaultyFileSystem fs = new FaultyFileSystem(true);

    /** Where one logged batch landed. */
    record Logged(List<ModelRecord> batch, int segment, long offset, int length) {}

    /** Logs {@code n} one-record batches of random samples (about 200 bytes each, so two per segment). */
    private List<Logged> logBatches(Path dir, int n, long seed) {
        Random r = new Random(seed);
        List<Logged> out = new ArrayList<>();
        try (Wal wal = Wal.open(dir, SEGMENT_BYTES, WalSyncPolicy.NEVER, 0, fs)) {
            long[] offsets = new long[100];
            for (int b = 0; b < n; b++) {
                List<ModelRecord.Sample> s = new ArrayList<>();
                for (int i = 0; i < 10; i++) s.add(new ModelRecord.Sample(r.nextInt(1000), r.nextLong(), r.nextLong()));
                List<ModelRecord> batch = List.of(new ModelRecord.Samples(s));
                byte[] bytes = ModelRecord.frameAll(batch);
                wal.log(bytes, 0, bytes.length);
                int seg = wal.currentSegment();
                out.add(new Logged(batch, seg, offsets[seg], bytes.length));
                offsets[seg] += bytes.length;
            }
        }
        return out;
    }

    private static List<ModelRecord> records(List<Logged> logged) {
        return logged.stream().flatMap(l -> l.batch().stream()).toList();
    }

    private ModelRecord.Collector replay(Path dir, ReplayResult[] result) {
        ModelRecord.Collector c = new ModelRecord.Collector();
        result[0] = Wal.replay(dir, 0, c, tmp.resolve("quarantine"), fs);
        return c;
    }

    enum Tear { TRUNCATED, ZERO_FILLED }

    @ParameterizedTest
    @EnumSource(Tear.class)
    void torn_tail_at_every_offset_of_the_last_record_is_cut_and_the_log_keeps_working(Tear tear) throws IOException {
        Path golden = tmp.resolve("golden");
        List<Logged> logged = logBatches(golden, 5, 1);
        Logged last = logged.getLast();
        Path goldenLast = Wal.segmentPath(golden, last.segment());
        byte[] original = Files.readAllBytes(goldenLast);
        assertEquals(last.offset() + last.length(), original.length);
        List<ModelRecord> before = records(logged.subList(0, logged.size() - 1));

        for (int cut = (int) last.offset(); cut < original.length; cut++) {
            byte[] damaged = tear == Tear.TRUNCATED
                    ? Arrays.copyOf(original, cut)
                    : Arrays.copyOf(Arrays.copyOf(original, cut), original.length); // zero-padded
            if (Arrays.equals(damaged, original)) continue; // the zeroed bytes were zeros already
            Path dir = tmp.resolve(tear + "-" + cut);
            copyDir(golden, dir);
            Path seg = Wal.segmentPath(dir, last.segment());
            Files.write(seg, damaged);

            ReplayResult[] res = new ReplayResult[1];
            ModelRecord.Collector c = replay(dir, res);
            String at = "cut at " + cut + ": " + res[0].message();
            assertEquals(before, c.records, at);
            boolean clean = tear == Tear.TRUNCATED && cut == last.offset();
            assertEquals(clean ? 0 : 1, res[0].corruptions(), at);
            assertEquals(damaged.length - last.offset(), res[0].bytesDropped(), at);
            assertEquals(last.offset(), Files.size(seg), at);
            if (!clean) {
                assertTrue(res[0].message().contains("torn tail"), at);
                assertTrue(res[0].message().contains(seg + ", offset=" + last.offset()), at);
            }
            assertFalse(Files.exists(tmp.resolve("quarantine")), at);

            byte[] next = ModelRecord.frameAll(List.of(new ModelRecord.Tombstones(List.of(new ModelRecord.Tombstone(1, 2, 3)))));
            try (Wal wal = Wal.open(dir, SEGMENT_BYTES, WalSyncPolicy.NEVER, 0, fs)) {
                assertEquals(last.segment() + 1, wal.currentSegment(), at);
                wal.log(next, 0, next.length);
            }
            c = replay(dir, res);
            List<ModelRecord> expected = new ArrayList<>(before);
            expected.add(new ModelRecord.Tombstones(List.of(new ModelRecord.Tombstone(1, 2, 3))));
            assertEquals(expected, c.records, at);
            assertTrue(res[0].clean(), at);
        }
    }

    /** A bit flip in the header (type, length, CRC) or the payload of a record in a middle segment. */
    static Stream<Integer> flipPositions() {
        return Stream.of(0, 1, 4, 6, 9, 20, -1);
    }

    @ParameterizedTest
    @MethodSource("flipPositions")
    void bit_flip_in_a_middle_segment_quarantines_the_rest(int flipAt) throws IOException {
        Path dir = tmp.resolve("wal");
        List<Logged> logged = logBatches(dir, 12, 2);
        // The second record of a segment that is neither the first nor the last.
        int target = IntStream.range(1, logged.size())
                .filter(i -> logged.get(i).segment() == 3 && logged.get(i - 1).segment() == 3)
                .findFirst().orElseThrow();
        Logged hit = logged.get(target);
        int lastSeg = logged.getLast().segment();
        assertTrue(lastSeg > hit.segment() + 1, "fixture must have segments after the damaged one");
        Path seg = Wal.segmentPath(dir, hit.segment());
        byte[] bytes = Files.readAllBytes(seg);
        int pos = (int) hit.offset() + (flipAt >= 0 ? flipAt : hit.length() - 1);
        bytes[pos] ^= (byte) (flipAt == 1 ? 0x80 : 0x01); // flipAt 1: the length's top bit, so it runs past the end
        Files.write(seg, bytes);
        List<byte[]> laterContent = new ArrayList<>();
        long laterBytes = 0;
        for (int s = hit.segment() + 1; s <= lastSeg; s++) {
            laterContent.add(Files.readAllBytes(Wal.segmentPath(dir, s)));
            laterBytes += laterContent.getLast().length;
        }

        ReplayResult[] res = new ReplayResult[1];
        ModelRecord.Collector c = replay(dir, res);
        assertEquals(records(logged.subList(0, target)), c.records, res[0].message());
        assertEquals(1, res[0].corruptions());
        assertEquals(bytes.length - hit.offset() + laterBytes, res[0].bytesDropped());
        assertEquals(hit.segment(), res[0].lastSegment());
        assertTrue(res[0].message().contains("quarantined [file=" + seg + ", offset=" + hit.offset()), res[0].message());

        Path q = tmp.resolve("quarantine");
        assertArrayEquals(Arrays.copyOfRange(bytes, (int) hit.offset(), bytes.length),
                Files.readAllBytes(q.resolve("wal-" + Wal.segmentName(hit.segment()) + "-" + hit.offset())));
        for (int s = hit.segment() + 1; s <= lastSeg; s++) {
            assertArrayEquals(laterContent.get(s - hit.segment() - 1), Files.readAllBytes(q.resolve(Wal.segmentName(s))));
        }
        assertEquals(IntStream.rangeClosed(1, hit.segment()).boxed().toList(), Wal.listSegments(dir, fs));
        assertEquals(hit.offset(), Files.size(seg));

        // Repaired: a second replay is clean and returns the same records.
        ModelRecord.Collector again = replay(dir, res);
        assertEquals(c.records, again.records);
        assertTrue(res[0].clean(), res[0].message());
    }

    @Test
    void damage_with_valid_data_after_it_in_the_last_segment_is_quarantined_not_just_cut() throws IOException {
        Path dir = tmp.resolve("wal");
        List<Logged> logged = logBatches(dir, 6, 3);
        Logged hit = logged.get(logged.size() - 2);
        assertEquals(hit.segment(), logged.getLast().segment(), "fixture: two records in the last segment");
        Path seg = Wal.segmentPath(dir, hit.segment());
        byte[] bytes = Files.readAllBytes(seg);
        bytes[(int) hit.offset() + 12] ^= 0x10;
        Files.write(seg, bytes);

        ReplayResult[] res = new ReplayResult[1];
        ModelRecord.Collector c = replay(dir, res);
        assertEquals(records(logged.subList(0, logged.size() - 2)), c.records);
        assertEquals(1, res[0].corruptions());
        assertArrayEquals(Arrays.copyOfRange(bytes, (int) hit.offset(), bytes.length),
                Files.readAllBytes(tmp.resolve("quarantine").resolve("wal-" + Wal.segmentName(hit.segment()) + "-" + hit.offset())));
        assertEquals(hit.offset(), Files.size(seg));
    }

    @Test
    void torn_tail_before_empty_segments_made_by_open_is_still_a_torn_tail() throws IOException {
        Path dir = tmp.resolve("wal");
        List<Logged> logged = logBatches(dir, 3, 4);
        Logged last = logged.getLast();
        Path seg = Wal.segmentPath(dir, last.segment());
        byte[] bytes = Files.readAllBytes(seg);
        Files.write(seg, Arrays.copyOf(bytes, bytes.length - 5));
        Wal.open(dir, SEGMENT_BYTES, WalSyncPolicy.NEVER, 0, fs).close(); // an empty segment after the torn one

        ReplayResult[] res = new ReplayResult[1];
        ModelRecord.Collector c = replay(dir, res);
        assertEquals(records(logged.subList(0, 2)), c.records);
        assertEquals(1, res[0].corruptions());
        assertEquals(last.segment() + 1, res[0].lastSegment());
        assertTrue(Files.exists(Wal.segmentPath(dir, last.segment() + 1)));
        assertFalse(Files.exists(tmp.resolve("quarantine")));
    }

    @Test
    void missing_segment_is_counted_and_replay_goes_on() throws IOException {
        Path dir = tmp.resolve("wal");
        List<Logged> logged = logBatches(dir, 8, 5);
        Files.delete(Wal.segmentPath(dir, 2));
        ReplayResult[] res = new ReplayResult[1];
        ModelRecord.Collector c = replay(dir, res);
        assertEquals(records(logged.stream().filter(l -> l.segment() != 2).toList()), c.records);
        assertEquals(1, res[0].corruptions());
        assertEquals(0, res[0].bytesDropped());
        assertTrue(res[0].message().contains("missing"), res[0].message());
    }

    @Test
    void fromSegment_skips_earlier_segments() {
        Path dir = tmp.resolve("wal");
        List<Logged> logged = logBatches(dir, 8, 6);
        ReplayResult[] res = new ReplayResult[1];
        ModelRecord.Collector c = new ModelRecord.Collector();
        res[0] = Wal.replay(dir, 3, c, tmp.resolve("quarantine"), fs);
        assertEquals(records(logged.stream().filter(l -> l.segment() >= 3).toList()), c.records);
        assertTrue(res[0].clean());
        assertEquals(logged.getLast().segment() - 2, res[0].segmentsRead());
    }

    @Test
    void missing_or_empty_directory_replays_nothing() throws IOException {
        ReplayResult[] res = new ReplayResult[1];
        assertEquals(List.of(), replay(tmp.resolve("absent"), res).records);
        assertEquals(0, res[0].lastSegment());
        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("empty").resolve("not-a-segment"), "x");
        assertEquals(List.of(), replay(tmp.resolve("empty"), res).records);
        assertTrue(res[0].clean());
    }

    @Test
    void handler_exception_propagates_and_repairs_nothing() throws IOException {
        Path dir = tmp.resolve("wal");
        logBatches(dir, 4, 7);
        long size = Files.size(Wal.segmentPath(dir, 1));
        RecordHandler failing = (s, t, p) -> WalRecords.decodeSeries(p, (id, l) -> {}); // wrong decoder: samples are not series
        assertThrows(IllegalArgumentException.class, () -> Wal.replay(dir, 0, failing, tmp.resolve("quarantine"), fs));
        assertEquals(size, Files.size(Wal.segmentPath(dir, 1)));
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
    }
}
