package dev.vigil.tsdb.head;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.chunk.ChunkReader;
import dev.vigil.tsdb.chunk.ChunkSampleIterator;
import dev.vigil.tsdb.chunk.XorChunk;
import dev.vigil.tsdb.chunk.XorIterator;
import dev.vigil.tsdb.index.ChunkMetas;
import dev.vigil.tsdb.index.IndexReader;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.roaringbitmap.RoaringBitmap;

/**
 * The head's out-of-order samples in the shape blocks have, for a querier that merges them with the
 * head and the blocks (as Prometheus's OOO head reader). Postings are the head's, narrowed to series
 * that hold out-of-order samples when the reader was made. Each series' samples (its sealed
 * out-of-order chunks and open buffer, merged) are copied once, on first use, so one query sees one
 * consistent set however many times it reads them; they are cut into XOR chunks of {@link
 * #SAMPLES_PER_CHUNK}, encoded when read. Valid while the head is pinned.
 */
public final class OooHeadReader implements IndexReader, ChunkReader {
    /** As sealed: small chunks keep a seek's decoding short. */
    static final int SAMPLES_PER_CHUNK = MemSeries.OOO_CHUNK_SAMPLES;

    private final Head head;
    private final RoaringBitmap ordinals;
    private final ConcurrentHashMap<Integer, Copy> copies = new ConcurrentHashMap<>();

    private record Copy(long[] t, double[] v) {}

    OooHeadReader(Head head) {
        this.head = head;
        this.ordinals = head.oooOrdinals();
    }

    /** Only those of series with out-of-order samples: the head's postings know all of its series. */
    @Override
    public List<String> labelNames() {
        java.util.TreeSet<String> names = new java.util.TreeSet<>(Labels::compareUtf8);
        for (int o : ordinals) {
            Labels l = labels(o);
            for (int i = 0; i < l.size(); i++) names.add(l.name(i));
        }
        return List.copyOf(names);
    }

    @Override
    public List<String> labelValues(String name) {
        java.util.TreeSet<String> values = new java.util.TreeSet<>(Labels::compareUtf8);
        for (int o : ordinals) {
            String v = labels(o).get(name);
            if (!v.isEmpty()) values.add(v);
        }
        return List.copyOf(values);
    }

    @Override
    public RoaringBitmap postings(String name, String value) {
        return RoaringBitmap.and(head.postings.get(name, value), ordinals);
    }

    @Override
    public RoaringBitmap allPostings() {
        return ordinals;
    }

    @Override
    public Labels labels(int ordinal) {
        MemSeries s = head.byOrdinal(ordinal);
        return s == null ? Labels.EMPTY : s.labels;
    }

    @Override
    public void sortByLabels(int[] ordinals) {
        head.sortByLabels(ordinals);
    }

    private Copy copy(int ordinal) {
        return copies.computeIfAbsent(ordinal, o -> {
            MemSeries s = head.byOrdinal(o);
            if (s == null) return new Copy(new long[0], new double[0]);
            synchronized (head.lockOf(o)) {
                OooChunks.Samples all = head.oooSamplesLocked(s);
                return new Copy(all.t(), all.v());
            }
        });
    }

    @Override
    public void chunkMetas(int ordinal, ChunkMetas out) {
        out.clear();
        if (!ordinals.contains(ordinal)) return;
        Copy c = copy(ordinal);
        long base = (long) ordinal << 32;
        for (int from = 0, piece = 0; from < c.t.length; from += SAMPLES_PER_CHUNK, piece++) {
            int to = Math.min(c.t.length, from + SAMPLES_PER_CHUNK);
            out.add(c.t[from], c.t[to - 1], base | piece);
        }
    }

    private XorChunk encode(long ref) {
        int ordinal = (int) (ref >>> 32), piece = (int) ref;
        Copy c = copies.get(ordinal);
        int from = piece * SAMPLES_PER_CHUNK;
        if (c == null || piece < 0 || from >= c.t.length) {
            throw StorageException.of("out-of-order head chunk gone [ordinal=" + ordinal + ", piece=" + piece + "]");
        }
        int to = Math.min(c.t.length, from + SAMPLES_PER_CHUNK);
        XorChunk chunk = new XorChunk(16 * (to - from));
        for (int i = from; i < to; i++) chunk.append(c.t[i], c.v[i]);
        return chunk;
    }

    @Override
    public ByteBuffer chunk(long ref) {
        return ByteBuffer.wrap(encode(ref).toBytes());
    }

    @Override
    public ChunkSampleIterator iterator(long ref, SampleIterator reuse) {
        XorChunk chunk = encode(ref);
        XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
        return it.resetCopy(chunk.buffer(), chunk.sizeBytes());
    }
}
