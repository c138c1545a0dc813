package dev.vigil.tsdb.block;

import static dev.vigil.tsdb.block.BlockAssertions.assertBlockHolds;
import static dev.vigil.tsdb.block.BlockAssertions.expected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import dev.vigil.tsdb.index.ChunkMetas;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class BlockTest {
    private static final FileSystemFacade FS = FileSystemFacade.DEFAULT;

    @TempDir
    Path dir;

    private long arenasBefore;

    @BeforeEach
    void baseline() {
        arenasBefore = Block.openArenas();
    }

    @AfterEach
    void noArenaLeak() {
        assertEquals(arenasBefore, Block.openArenas(), "mapped arenas leaked");
    }

    private static TestSeries regular(Labels l, long startT, int n, long step) {
        long[] t = LongStream.range(0, n).map(i -> startT + i * step).toArray();
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = i * 1.5;
        return TestSeries.of(l, t, v);
    }

    private static List<TestSeries> sample() {
        return List.of(
                regular(Labels.of("__name__", "up", "job", "a"), 0, 1000, 15_000),
                regular(Labels.of("__name__", "up", "job", "b"), 7, 500, 30_000),
                regular(Labels.of("__name__", "x", "job", "a", "le", "+Inf"), 100, 3, 1));
    }

    private BlockMeta write(List<TestSeries> series, long minT, long maxT) {
        return BlockWriter.write(dir, minT, maxT, new TestSeries.Source(series), 1, List.of(), FS);
    }

    @Test
    void write_thenOpen_readsBackEverything() {
        BlockMeta meta = write(sample(), 0, Long.MAX_VALUE);
        assertTrue(Files.isDirectory(dir.resolve(meta.ulid())));
        assertFalse(Files.exists(dir.resolve(meta.ulid() + BlockWriter.TMP_SUFFIX)));
        assertEquals(1, meta.compaction().level());
        assertEquals(List.of(meta.ulid()), meta.compaction().sources());
        // 1000 samples in 240-sample chunks = 5 chunks, 500 = 3, 3 = 1
        assertEquals(9, meta.stats().numChunks());
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertBlockHolds(b, sample());
            assertTrue(b.sizeBytes() > 0);
            assertEquals(Tombstones.EMPTY, b.tombstones());
        }
    }

    @Test
    void samplesOutsideTheRange_areDropped_andSeriesWithoutSamplesOmitted() {
        long minT = 1_000_000, maxT = 2_000_000;
        BlockMeta meta = write(sample(), minT, maxT);
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            List<TestSeries> want = expected(sample(), minT, maxT);
            assertEquals(2, want.size(), "the third series lies before the range");
            assertBlockHolds(b, want);
            assertEquals(minT, b.meta().minT());
            assertEquals(maxT, b.meta().maxT());
        }
    }

    @Test
    void emptySource_writesAnEmptyBlock() {
        BlockMeta meta = write(List.of(), 0, 10);
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertBlockHolds(b, List.of());
            assertEquals(List.of(), b.index().labelNames());
        }
    }

    @Test
    void highEntropyValues_cutChunksAtTheByteCap() {
        int n = 1000;
        long[] t = LongStream.range(0, n).map(i -> i * 1000 + (i * 7919 % 13)).toArray();
        long[] bits = new long[n];
        java.util.SplittableRandom r = new java.util.SplittableRandom(42);
        for (int i = 0; i < n; i++) bits[i] = Double.doubleToRawLongBits(r.nextDouble());
        TestSeries s = new TestSeries(Labels.of("a", "b"), t, bits);
        BlockMeta meta = write(List.of(s), 0, Long.MAX_VALUE);
        // ~8 bytes per random double: about 120 samples fit in 1 KiB, far below 240
        assertTrue(meta.stats().numChunks() >= n / 130, "chunks: " + meta.stats().numChunks());
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertBlockHolds(b, List.of(s)); // asserts every chunk is <= MAX_CHUNK_BYTES
        }
    }

    @Test
    void smallSegmentCap_spreadsChunksOverManyFiles() throws IOException {
        List<TestSeries> series = new ArrayList<>();
        for (int i = 0; i < 40; i++) series.add(regular(Labels.of("i", String.format("%03d", i)), 0, 300, 1000));
        BlockMeta meta = BlockWriter.write(dir, Ulid.next(), 0, Long.MAX_VALUE, new TestSeries.Source(series), 1, List.of(), Tombstones.EMPTY, FS, 2048);
        try (Stream<Path> files = Files.list(dir.resolve(meta.ulid()).resolve("chunks"))) {
            assertTrue(files.count() > 5);
        }
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertBlockHolds(b, series);
            ChunkMetas m = new ChunkMetas();
            b.index().chunkMetas(39, m);
            assertTrue(m.ref(0) >>> 32 > 0, "a later series lives in a later segment");
        }
    }

    @Test
    void compactedBlock_recordsParentsAndTheUnionOfTheirSources() {
        BlockMeta a = write(sample(), 0, 1_000_000);
        BlockMeta b = write(sample(), 1_000_000, 2_000_000);
        BlockMeta c = BlockWriter.write(dir, 0, 2_000_000, new TestSeries.Source(sample()), 2, List.of(a, b), FS);
        assertEquals(2, c.compaction().level());
        assertEquals(List.of(a.desc(), b.desc()), c.compaction().parents());
        assertEquals(Stream.of(a.ulid(), b.ulid()).sorted().toList(), c.compaction().sources());
        assertEquals(c, BlockMeta.read(dir.resolve(c.ulid()).resolve("meta.json"), FS));
    }

    // ---- source contract violations leave nothing behind ----

    @Test
    void seriesOutOfOrder_failsAndLeavesNoDirectory() throws IOException {
        List<TestSeries> s = List.of(regular(Labels.of("a", "2"), 0, 5, 1), regular(Labels.of("a", "1"), 0, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> write(s, 0, 100));
        assertDirEmpty();
    }

    @Test
    void samplesOutOfOrder_failsAndLeavesNoDirectory() throws IOException {
        TestSeries s = TestSeries.of(Labels.of("a", "1"), new long[] {1, 3, 2}, new double[] {1, 2, 3});
        assertThrows(IllegalArgumentException.class, () -> write(List.of(s), 0, 100));
        assertDirEmpty();
    }

    @Test
    void duplicateSeries_fails() throws IOException {
        List<TestSeries> s = List.of(regular(Labels.of("a", "1"), 0, 5, 1), regular(Labels.of("a", "1"), 10, 5, 1));
        assertThrows(IllegalArgumentException.class, () -> write(s, 0, 100));
        assertDirEmpty();
    }

    /** Fails the n-th call of the chosen kind. */
    private static final class FailingFs implements FileSystemFacade {
        final String failOn;

        FailingFs(String failOn) {
            this.failOn = failOn;
        }

        @Override
        public void force(FileChannel ch) throws IOException {
            if (failOn.equals("force")) throw new IOException("injected fsync failure");
            FileSystemFacade.super.force(ch);
        }

        @Override
        public void move(Path src, Path dst) throws IOException {
            if (failOn.equals("move")) throw new IOException("injected rename failure");
            FileSystemFacade.super.move(src, dst);
        }

        @Override
        public void write(FileChannel ch, java.nio.ByteBuffer src, long position) throws IOException {
            if (failOn.equals("write")) throw new IOException("injected write failure (disk full)");
            FileSystemFacade.super.write(ch, src, position);
        }

        @Override
        public MemorySegment mapReadOnly(FileChannel ch, long offset, long size, Arena arena) throws IOException {
            if (failOn.equals("map") && size > 100) throw new IOException("injected mmap failure");
            return FileSystemFacade.super.mapReadOnly(ch, offset, size, arena);
        }
    }

    @ParameterizedTest
    @MethodSource("writeFaults")
    void ioFailureWhileWriting_throwsStorageException_andDeletesTheTmpDir(String fault) throws IOException {
        StorageException e = assertThrows(StorageException.class,
                () -> BlockWriter.write(dir, 0, Long.MAX_VALUE, new TestSeries.Source(sample()), 1, List.of(), new FailingFs(fault)));
        assertTrue(e.getMessage().contains("injected"), e.getMessage());
        assertDirEmpty();
    }

    static Stream<String> writeFaults() {
        return Stream.of("force", "move", "write");
    }

    @Test
    void mmapFailureAtOpen_throws_andReleasesTheArena() {
        BlockMeta meta = write(sample(), 0, Long.MAX_VALUE);
        assertThrows(StorageException.class, () -> Block.open(dir.resolve(meta.ulid()), new FailingFs("map")));
    }

    private void assertDirEmpty() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
    }

    // ---- corruption ----

    private Path writeSample() {
        return dir.resolve(write(sample(), 0, Long.MAX_VALUE).ulid());
    }

    static Stream<Long> truncatedIndexSizes() {
        return Stream.of(0L, 7L, 8L, 60L, -1L, -44L, -45L, -200L);
    }

    /** Negative sizes cut that many bytes off the end. */
    @ParameterizedTest
    @MethodSource("truncatedIndexSizes")
    void truncatedIndex_failsToOpen_namingTheIndexFile(long size) throws IOException {
        Path block = writeSample();
        Path index = block.resolve("index");
        truncate(index, size >= 0 ? size : Files.size(index) + size);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Block.open(block, FS));
        assertEquals(index, e.file());
    }

    @Test
    void bitFlipAnywhereInTheIndex_failsToOpen() throws IOException {
        Path block = writeSample();
        Path index = block.resolve("index");
        long size = Files.size(index);
        // every byte of a small index: each one is covered by the header check, a section CRC or the TOC CRC
        for (long off = 0; off < size; off++) {
            flipBit(index, off, 1 << (off % 8));
            CorruptionException e = assertThrows(CorruptionException.class, () -> Block.open(block, FS), "flip at " + off);
            assertEquals(index, e.file());
            flipBit(index, off, 1 << (off % 8));
        }
        try (Block b = Block.open(block, FS)) {
            assertBlockHolds(b, sample());
        }
    }

    @Test
    void bitFlipInAChunk_failsThatChunkRead() throws IOException {
        Path block = writeSample();
        Path segment = block.resolve("chunks").resolve("000001");
        long ref;
        try (Block b = Block.open(block, FS)) {
            ChunkMetas m = new ChunkMetas();
            b.index().chunkMetas(1, m);
            ref = m.ref(1);
        }
        flipBit(segment, (ref & 0xFFFFFFFFL) + 30, 0x10);
        try (Block b = Block.open(block, FS)) {
            CorruptionException e = assertThrows(CorruptionException.class, () -> b.chunks().chunk(ref));
            assertEquals(segment, e.file());
            assertEquals(ref & 0xFFFFFFFFL, e.offset());
            ChunkMetas m = new ChunkMetas();
            b.index().chunkMetas(0, m);
            b.chunks().chunk(m.ref(0)); // other chunks still read
        }
    }

    @Test
    void truncatedChunkSegment_failsTheCutChunks() throws IOException {
        Path block = writeSample();
        Path segment = block.resolve("chunks").resolve("000001");
        truncate(segment, Files.size(segment) - 10);
        try (Block b = Block.open(block, FS)) {
            ChunkMetas m = new ChunkMetas();
            b.index().chunkMetas(2, m);
            CorruptionException e = assertThrows(CorruptionException.class, () -> b.chunks().chunk(m.ref(m.size() - 1)));
            assertEquals(segment, e.file());
        }
    }

    @Test
    void chunkSegmentWithBadMagic_failsToOpen() throws IOException {
        Path block = writeSample();
        Path segment = block.resolve("chunks").resolve("000001");
        flipBit(segment, 0, 1);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Block.open(block, FS));
        assertEquals(segment, e.file());
    }

    @Test
    void strayFileInChunksDir_failsToOpen() throws IOException {
        Path block = writeSample();
        Files.writeString(block.resolve("chunks").resolve("000003"), "x");
        assertThrows(CorruptionException.class, () -> Block.open(block, FS));
    }

    @Test
    void chunkRefToAMissingSegment_isCorruption() {
        try (Block b = Block.open(writeSample(), FS)) {
            assertThrows(CorruptionException.class, () -> b.chunks().chunk(5L << 32 | 8));
            assertThrows(CorruptionException.class, () -> b.chunks().chunk(1L << 40));
            assertThrows(CorruptionException.class, () -> b.chunks().chunk(3)); // inside the segment header
        }
    }

    static Stream<Long> truncatedMetaSizes() {
        return Stream.of(0L, 1L, 10L, 100L, -2L, -3L);
    }

    @ParameterizedTest
    @MethodSource("truncatedMetaSizes")
    void truncatedMeta_failsToOpen_namingTheMetaFile(long size) throws IOException {
        Path block = writeSample();
        Path meta = block.resolve("meta.json");
        truncate(meta, size >= 0 ? size : Files.size(meta) + size); // -1 would only drop the final newline
        CorruptionException e = assertThrows(CorruptionException.class, () -> Block.open(block, FS));
        assertEquals(meta, e.file());
    }

    @Test
    void missingIndex_isAStorageException() throws IOException {
        Path block = writeSample();
        Files.delete(block.resolve("index"));
        assertThrows(StorageException.class, () -> Block.open(block, FS));
    }

    @Test
    void corruptTombstones_failToOpen() throws IOException {
        Path block = writeSample();
        Path file = block.resolve("tombstones");
        flipBit(file, Files.size(file) - 1, 1);
        CorruptionException e = assertThrows(CorruptionException.class, () -> Block.open(block, FS));
        assertEquals(file, e.file());
    }

    @Test
    void indexWithAnotherSeriesCountThanMeta_failsToOpen() throws IOException {
        Path block = writeSample();
        Path metaFile = block.resolve("meta.json");
        BlockMeta m = BlockMeta.read(metaFile, FS);
        new BlockMeta(m.ulid(), m.minT(), m.maxT(), new BlockMeta.Stats(1, 99, 1), m.compaction(), 1).write(metaFile, FS);
        assertThrows(CorruptionException.class, () -> Block.open(block, FS));
    }

    // ---- tombstones and lifecycle ----

    @Test
    void writeTombstones_persistsAndMerges() {
        Path block = writeSample();
        try (Block b = Block.open(block, FS)) {
            long before = b.sizeBytes();
            b.writeTombstones(Tombstones.builder().add(0, 0, 100).build());
            Tombstones merged = b.writeTombstones(Tombstones.builder().add(0, 50, 200).add(2, 5, 5).build());
            assertEquals(Tombstones.builder().add(0, 0, 200).add(2, 5, 5).build(), merged);
            assertEquals(merged, b.tombstones());
            assertTrue(b.tombstones().isDeleted(0, 150));
            assertNotEquals(before, b.sizeBytes());
            assertThrows(IllegalArgumentException.class, () -> b.writeTombstones(Tombstones.builder().add(3, 0, 1).build()));
        }
        assertFalse(Files.exists(block.resolve("tombstones.tmp")));
        try (Block b = Block.open(block, FS)) {
            assertEquals(Tombstones.builder().add(0, 0, 200).add(2, 5, 5).build(), b.tombstones());
        }
    }

    @Test
    void tombstonesGivenToTheWriter_areStored() {
        Tombstones t = Tombstones.builder().add(1, 10, 20).build();
        BlockMeta meta = BlockWriter.write(dir, Ulid.next(), 0, Long.MAX_VALUE, new TestSeries.Source(sample()), 1, List.of(), t, FS,
                ChunkSegments.MAX_SEGMENT_BYTES);
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertEquals(t, b.tombstones());
        }
    }

    @Test
    void close_isIdempotent_andUseAfterCloseThrows() {
        Block b = Block.open(writeSample(), FS);
        ChunkMetas m = new ChunkMetas();
        b.index().chunkMetas(0, m);
        b.close();
        b.close();
        assertThrows(IllegalStateException.class, () -> b.chunks().chunk(m.ref(0)));
        assertThrows(IllegalStateException.class, () -> b.index().labels(0));
    }

    @Test
    void concurrentReaders_seeTheSameData() throws Exception {
        List<TestSeries> series = new ArrayList<>();
        for (int i = 0; i < 50; i++) series.add(regular(Labels.of("__name__", "m", "i", Integer.toString(i)), i, 700, 1000));
        series.sort((a, b) -> a.labels().compareTo(b.labels()));
        BlockMeta meta = write(series, 0, Long.MAX_VALUE);
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int k = 0; k < 4; k++) {
                Thread t = new Thread(() -> {
                    try {
                        for (int round = 0; round < 5; round++) assertBlockHolds(b, series);
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) t.join();
            assertEquals(List.of(), errors);
        }
    }

    @Test
    void segmentCapSmallerThanAChunk_stillWritesEveryChunkOnce() throws IOException {
        BlockMeta meta = BlockWriter.write(dir, Ulid.next(), 0, Long.MAX_VALUE, new TestSeries.Source(sample()), 1, List.of(), Tombstones.EMPTY, FS, 64);
        try (Stream<Path> files = Files.list(dir.resolve(meta.ulid()).resolve("chunks"))) {
            assertEquals(meta.stats().numChunks(), files.count(), "one chunk per segment, no empty segments");
        }
        try (Block b = Block.open(dir.resolve(meta.ulid()), FS)) {
            assertBlockHolds(b, sample());
        }
    }

    @Test
    void labelsOfAnOrdinalOutOfRange_throws() {
        try (Block b = Block.open(writeSample(), FS)) {
            assertThrows(IndexOutOfBoundsException.class, () -> b.index().labels(3));
            assertThrows(IndexOutOfBoundsException.class, () -> b.index().labels(-1));
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(size);
        }
    }

    private static void flipBit(Path file, long off, int mask) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(off);
            int b = f.read();
            f.seek(off);
            f.write(b ^ mask);
        }
    }
}
