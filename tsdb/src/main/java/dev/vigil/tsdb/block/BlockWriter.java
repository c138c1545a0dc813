package dev.vigil.tsdb.block;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.chunk.DenseChunk;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.chunk.XorChunk;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.roaringbitmap.RoaringBitmap;

/**
 * Writes an immutable block from a sorted {@link SeriesSource}.
 *
 * <h2>Design notes</h2>
 *
 * <p>Samples are re-encoded into fresh XOR chunks and streamed straight to the chunk segment files;
 * only per-series label refs and chunk metas (primitive arrays) are kept in memory, because the
 * index needs the complete, sorted symbol table before the first series entry. Memory is thus
 * O(series × labels), not O(samples).
 *
 * <p>Chunks are cut at {@value #MAX_SAMPLES_PER_CHUNK} samples, twice the head's 120: a block is
 * read many more times than it is written, and doubling the samples per chunk halves the per-chunk
 * overhead (index chunk meta, segment framing, CRC, iterator setup) while a 240-sample chunk is
 * still small. Remote read ships chunks as stored and accepts any sample count. A chunk is also cut
 * once it could exceed {@value #MAX_CHUNK_BYTES} bytes with one more sample, so irregular data
 * (high-entropy floats) does not produce big chunks that cost much to decode for a short range.
 *
 * <p>Everything goes into {@code <ulid>.tmp-for-creation}, is fsynced and renamed into place, so a
 * directory named by a bare ULID is always complete; a crash leaves only the tmp directory, which
 * the DB deletes on start. Thread-safe: each call is independent.
 */
public final class BlockWriter {
    /** Samples per block chunk; see the design notes. */
    public static final int MAX_SAMPLES_PER_CHUNK = 240;

    /** Target chunk size in bytes, header included. */
    public static final int MAX_CHUNK_BYTES = 1024;

    /**
     * The most one XOR sample can add, rounded up: the second sample's 10-byte uvarint delta plus a
     * full 77-bit value (1+1+5+6+64 bits) is 157 bits; later samples take at most 145 bits.
     */
    static final int MAX_SAMPLE_BYTES = 20;

    /** Suffix of the directory a block is written in before its atomic rename. */
    public static final String TMP_SUFFIX = ".tmp-for-creation";

    /** The chunk segment directory inside a block. */
    public static final String CHUNKS_DIR = "chunks";

    /** The index file inside a block. */
    public static final String INDEX_FILE = "index";

    private BlockWriter() {}

    /**
     * Writes a block with a fresh ULID and no tombstones. See
     * {@link #write(Path, String, long, long, SeriesSource, int, List, Tombstones, FileSystemFacade, long)}.
     */
    public static BlockMeta write(Path parentDir, long minT, long maxT, SeriesSource src, int level, List<BlockMeta> parents, FileSystemFacade fs) {
        return write(parentDir, Ulid.next(), minT, maxT, src, level, parents, Tombstones.EMPTY, fs, ChunkSegments.MAX_SEGMENT_BYTES);
    }

    /** As {@link #write(Path, long, long, SeriesSource, int, List, FileSystemFacade)}, in the given chunk encoding. */
    public static BlockMeta write(Path parentDir, long minT, long maxT, SeriesSource src, int level, List<BlockMeta> parents,
                                  FileSystemFacade fs, byte encoding) {
        return write(parentDir, Ulid.next(), minT, maxT, src, level, parents, Tombstones.EMPTY, fs, ChunkSegments.MAX_SEGMENT_BYTES, encoding);
    }

    /**
     * Writes the samples of {@code src} in {@code [minT, maxT)} as block {@code parentDir/<ulid>}.
     * Samples outside the range are skipped; series left without samples are omitted, so the
     * block's series ordinals are {@code 0..numSeries-1} in label order among the kept series.
     *
     * @param parentDir       the data directory; must exist
     * @param ulid            the new block's ULID
     * @param minT            the block's range start, epoch millis, inclusive
     * @param maxT            the block's range end, epoch millis, exclusive; {@code > minT}
     * @param level           compaction level, {@code >= 1}
     * @param parents         the blocks this one was compacted from (empty when cut from the head);
     *                        the new block's sources are the sorted union of theirs, or its own ULID
     * @param tombstones      deletions to store with the block, by the new block's ordinals
     * @param maxSegmentBytes chunk segment size cap (tests pass a small one to get many files)
     * @return the written meta, with stats
     * @throws StorageException on an I/O error; nothing is left behind
     * @throws IllegalArgumentException when the source is out of order or the arguments are invalid;
     *     nothing is left behind
     */
    public static BlockMeta write(Path parentDir, String ulid, long minT, long maxT, SeriesSource src, int level, List<BlockMeta> parents,
                                  Tombstones tombstones, FileSystemFacade fs, long maxSegmentBytes) {
        return write(parentDir, ulid, minT, maxT, src, level, parents, tombstones, fs, maxSegmentBytes, Encoding.XOR);
    }

    /**
     * As above, with the chunk encoding: {@link Encoding#XOR} (Prometheus's, shipped as is by
     * remote read) or {@link Encoding#DENSE} (Vigil's denser block encoding, about a third of XOR's
     * size on typical data; chunks of up to {@value #MAX_SAMPLES_PER_DENSE_CHUNK} samples).
     */
    public static BlockMeta write(Path parentDir, String ulid, long minT, long maxT, SeriesSource src, int level, List<BlockMeta> parents,
                                  Tombstones tombstones, FileSystemFacade fs, long maxSegmentBytes, byte encoding) {
        if (encoding != Encoding.XOR && encoding != Encoding.DENSE) {
            throw new IllegalArgumentException("unsupported block chunk encoding [encoding=" + encoding + "]");
        }
        if (!Ulid.isValid(ulid)) throw new IllegalArgumentException("invalid ulid [ulid=" + ulid + "]");
        if (maxT <= minT) throw new IllegalArgumentException("empty block range [minT=" + minT + ", maxT=" + maxT + "]");
        if (level < 1) throw new IllegalArgumentException("compaction level must be >= 1 [level=" + level + "]");
        if (maxSegmentBytes < 64 || maxSegmentBytes > ChunkSegments.MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("chunk segment cap out of range [maxSegmentBytes=" + maxSegmentBytes + "]");
        }
        Path tmp = parentDir.resolve(ulid + TMP_SUFFIX);
        Path dst = parentDir.resolve(ulid);
        try {
            fs.deleteRecursively(tmp); // left over from a crash with the same (improbable) ULID
            Path chunksDir = tmp.resolve(CHUNKS_DIR);
            fs.createDirectories(chunksDir);
            Collected c;
            try (ChunkSegments.Writer chunks = new ChunkSegments.Writer(chunksDir, fs, maxSegmentBytes)) {
                c = collect(src, minT, maxT, chunks, encoding == Encoding.DENSE ? new DenseCutter() : new XorCutter());
                chunks.finish();
            }
            if (!tombstones.isEmpty() && tombstones.ordinalAt(tombstones.numSeries() - 1) >= c.numSeries) {
                throw new IllegalArgumentException("tombstone for a series the block does not have [ordinal="
                        + tombstones.ordinalAt(tombstones.numSeries() - 1) + ", numSeries=" + c.numSeries + "]");
            }
            writeIndex(tmp.resolve(INDEX_FILE), c, fs);
            Tombstones.write(tmp.resolve(Tombstones.FILE_NAME), tombstones, fs);
            BlockMeta meta = new BlockMeta(ulid, minT, maxT, new BlockMeta.Stats(c.numSamples, c.numSeries, c.numChunks),
                    new BlockMeta.Compaction(level, sources(ulid, parents), parents.stream().map(BlockMeta::desc).toList()), BlockMeta.VERSION);
            meta.write(tmp.resolve(BlockMeta.FILE_NAME), fs);
            fs.syncDirectory(chunksDir);
            fs.syncDirectory(tmp);
            fs.move(tmp, dst);
            fs.syncDirectory(parentDir);
            return meta;
        } catch (IOException e) {
            deleteQuietly(tmp, fs, e);
            throw StorageException.io("cannot write block [dir=" + dst + "]", e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(tmp, fs, e);
            throw e;
        }
    }

    private static void deleteQuietly(Path tmp, FileSystemFacade fs, Throwable cause) {
        try {
            fs.deleteRecursively(tmp);
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    private static List<String> sources(String ulid, List<BlockMeta> parents) {
        if (parents.isEmpty()) return List.of(ulid);
        TreeSet<String> s = new TreeSet<>();
        for (BlockMeta p : parents) s.addAll(p.compaction().sources());
        return new ArrayList<>(s);
    }

    /** Everything the index needs, in primitive arrays; symbol ids are first-seen order until remapped. */
    private static final class Collected {
        final Map<String, Integer> symbolIds = new HashMap<>();
        final List<String> symbols = new ArrayList<>();
        int[] labelIds = new int[1024];
        int labelLen;
        int[] labelStart = new int[256];  // numSeries + 1 boundaries
        long[] chunkMinT = new long[256];
        long[] chunkMaxT = new long[256];
        long[] chunkRef = new long[256];
        int[] chunkStart = new int[256];  // numSeries + 1 boundaries
        int numSeries;
        long numChunks;
        long numSamples;

        int symbol(String s) {
            Integer id = symbolIds.get(s);
            if (id != null) return id;
            int n = symbols.size();
            symbols.add(s);
            symbolIds.put(s, n);
            return n;
        }

        void addChunk(long minT, long maxT, long ref) {
            int n = (int) numChunks;
            if (n == chunkRef.length) {
                chunkMinT = Arrays.copyOf(chunkMinT, n * 2);
                chunkMaxT = Arrays.copyOf(chunkMaxT, n * 2);
                chunkRef = Arrays.copyOf(chunkRef, n * 2);
            }
            chunkMinT[n] = minT;
            chunkMaxT[n] = maxT;
            chunkRef[n] = ref;
            numChunks++;
        }

        /** Records the series whose chunks were added since the last call. */
        void addSeries(Labels l) {
            if (numSeries + 2 > labelStart.length) {
                labelStart = Arrays.copyOf(labelStart, labelStart.length * 2);
                chunkStart = Arrays.copyOf(chunkStart, chunkStart.length * 2);
            }
            if (labelLen + 2 * l.size() > labelIds.length) labelIds = Arrays.copyOf(labelIds, Math.max(labelIds.length * 2, labelLen + 2 * l.size()));
            for (int i = 0; i < l.size(); i++) {
                labelIds[labelLen++] = symbol(l.name(i));
                labelIds[labelLen++] = symbol(l.value(i));
            }
            numSeries++;
            labelStart[numSeries] = labelLen;
            chunkStart[numSeries] = (int) numChunks;
        }
    }

    /** Cuts one series' samples into chunks of one encoding. */
    private interface ChunkCutter {
        void add(long t, double v, Collected c, ChunkSegments.Writer out) throws IOException;

        /** Writes what is pending as the series' last chunk. */
        void finish(Collected c, ChunkSegments.Writer out) throws IOException;
    }

    /** XOR chunks: cut at {@link #MAX_SAMPLES_PER_CHUNK} samples or ~{@link #MAX_CHUNK_BYTES}. */
    private static final class XorCutter implements ChunkCutter {
        private final XorChunk chunk = new XorChunk(MAX_CHUNK_BYTES + MAX_SAMPLE_BYTES);

        @Override
        public void add(long t, double v, Collected c, ChunkSegments.Writer out) throws IOException {
            if (chunk.numSamples() >= MAX_SAMPLES_PER_CHUNK || chunk.sizeBytes() > MAX_CHUNK_BYTES - MAX_SAMPLE_BYTES) {
                finish(c, out);
            }
            chunk.append(t, v);
        }

        @Override
        public void finish(Collected c, ChunkSegments.Writer out) throws IOException {
            if (chunk.numSamples() == 0) return;
            long ref = out.write(Encoding.XOR, chunk.buffer(), chunk.sizeBytes());
            c.addChunk(chunk.minT(), chunk.maxT(), ref);
            chunk.reset();
        }
    }

    /**
     * Dense chunks: samples gathered into primitive arrays and encoded a chunk at a time. 480
     * samples (2 h at 15 s) per chunk lets the encoder's per-chunk choices (scale, delta order,
     * bit widths) pay off; the encoder never yields more than XOR would.
     */
    public static final int MAX_SAMPLES_PER_DENSE_CHUNK = 480;

    private static final class DenseCutter implements ChunkCutter {
        private final DenseChunk encoder = new DenseChunk();
        private final long[] ts = new long[MAX_SAMPLES_PER_DENSE_CHUNK];
        private final double[] vs = new double[MAX_SAMPLES_PER_DENSE_CHUNK];
        private final byte[] buf = new byte[DenseChunk.maxEncodedBytes(MAX_SAMPLES_PER_DENSE_CHUNK)];
        private int n;

        @Override
        public void add(long t, double v, Collected c, ChunkSegments.Writer out) throws IOException {
            if (n == ts.length) finish(c, out);
            ts[n] = t;
            vs[n] = v;
            n++;
        }

        @Override
        public void finish(Collected c, ChunkSegments.Writer out) throws IOException {
            if (n == 0) return;
            int len = encoder.encode(ts, vs, n, buf, 0);
            long ref = out.write(Encoding.DENSE, buf, len);
            c.addChunk(ts[0], ts[n - 1], ref);
            n = 0;
        }
    }

    private static Collected collect(SeriesSource src, long minT, long maxT, ChunkSegments.Writer out, ChunkCutter cutter)
            throws IOException {
        Collected c = new Collected();
        Labels prev = null;
        while (src.next()) {
            Labels labels = src.labels();
            if (prev != null && prev.compareTo(labels) >= 0) {
                throw new IllegalArgumentException("series out of order [previous=" + prev + ", series=" + labels + "]");
            }
            prev = labels;
            SampleIterator it = src.samples();
            long chunksBefore = c.numChunks;
            long lastT = Long.MIN_VALUE;
            for (int vt = it.seek(minT); vt != SampleIterator.NONE; vt = it.next()) {
                if (vt != SampleIterator.FLOAT) throw new IllegalArgumentException("unsupported sample type [type=" + vt + ", series=" + labels + "]");
                long t = it.atT();
                if (t >= maxT) break;
                if (t <= lastT) throw new IllegalArgumentException("samples out of order [series=" + labels + ", t=" + t + ", previous=" + lastT + "]");
                lastT = t;
                cutter.add(t, it.atV(), c, out);
                c.numSamples++;
            }
            cutter.finish(c, out);
            if (c.numChunks > chunksBefore) c.addSeries(labels);
        }
        return c;
    }

    private static void writeIndex(Path file, Collected c, FileSystemFacade fs) throws IOException {
        // sort the symbols in UTF-8 order (Labels' order) and remap first-seen ids to final refs
        String[] sorted = c.symbols.toArray(new String[0]);
        Arrays.sort(sorted, Labels::compareUtf8);
        int[] remap = new int[sorted.length];
        for (int id = 0; id < remap.length; id++) remap[id] = Arrays.binarySearch(sorted, c.symbols.get(id), Labels::compareUtf8);
        for (int i = 0; i < c.labelLen; i++) c.labelIds[i] = remap[c.labelIds[i]];
        byte[][] symbolBytes = new byte[sorted.length][];
        for (int i = 0; i < sorted.length; i++) symbolBytes[i] = sorted[i].getBytes(StandardCharsets.UTF_8);

        // postings per (nameRef, valueRef); ordinals arrive ascending, the cheap case for RoaringBitmap.add
        Map<Long, RoaringBitmap> postings = new HashMap<>();
        for (int s = 0; s < c.numSeries; s++) {
            for (int i = c.labelStart[s]; i < c.labelStart[s + 1]; i += 2) {
                long key = ((long) c.labelIds[i] << 32) | c.labelIds[i + 1];
                postings.computeIfAbsent(key, k -> new RoaringBitmap()).add(s);
            }
        }
        long[] keys = new long[postings.size()];
        int k = 0;
        for (long key : postings.keySet()) keys[k++] = key;
        Arrays.sort(keys); // refs are < 2^31, so signed order is (name, value) order
        RoaringBitmap[] bitmaps = new RoaringBitmap[keys.length];
        for (int i = 0; i < keys.length; i++) bitmaps[i] = postings.get(keys[i]);
        RoaringBitmap all = new RoaringBitmap();
        if (c.numSeries > 0) all.add(0L, (long) c.numSeries);

        try (IndexWriter w = new IndexWriter(fs, fs.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))) {
            w.writeSymbols(symbolBytes);
            w.beginSeries(c.numSeries);
            for (int s = 0; s < c.numSeries; s++) {
                w.addSeries(c.labelIds, c.labelStart[s], c.labelStart[s + 1] - c.labelStart[s],
                        c.chunkMinT, c.chunkMaxT, c.chunkRef, c.chunkStart[s], c.chunkStart[s + 1] - c.chunkStart[s]);
            }
            w.endSeries();
            w.writeLabelIndex(keys);
            w.writePostings(all, bitmaps);
            w.writePostingsOffsets(keys);
            w.finish();
        }
    }
}
