package dev.vigil.tsdb.head;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.chunk.ChunkReader;
import dev.vigil.tsdb.chunk.ChunkSampleIterator;
import dev.vigil.tsdb.chunk.Chunks;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.chunk.XorIterator;
import dev.vigil.tsdb.index.ChunkMetas;
import dev.vigil.tsdb.index.IndexReader;
import java.nio.ByteBuffer;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * The head seen through the shape blocks have: postings over head ordinals, labels, chunk metas and
 * chunk bytes. Head chunk refs are {@code ordinal << 32 | chunk sequence number}, so a chunk that is
 * sealed between {@link #chunkMetas} and {@link #chunk} is still found. Valid while the head is pinned.
 */
public final class HeadReader implements IndexReader, ChunkReader {
    private final Head head;
    private final HeadChunkFiles files;

    HeadReader(Head head, HeadChunkFiles files) {
        this.head = head;
        this.files = files;
    }

    @Override
    public List<String> labelNames() {
        return head.postings.names();
    }

    @Override
    public List<String> labelValues(String name) {
        return head.postings.values(name);
    }

    @Override
    public RoaringBitmap postings(String name, String value) {
        return head.postings.get(name, value);
    }

    @Override
    public RoaringBitmap allPostings() {
        return head.postings.all();
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

    @Override
    public void chunkMetas(int ordinal, ChunkMetas out) {
        out.clear();
        MemSeries s = head.byOrdinal(ordinal);
        if (s == null) return;
        synchronized (head.lockOf(s.ordinal)) {
            long base = (long) ordinal << 32;
            for (int i = 0; i < s.sealedCount; i++) {
                out.add(s.sealed[i * 3 + 1], s.sealed[i * 3 + 2], base | ((s.firstChunkSeq + i) & 0xFFFFFFFFL));
            }
            if (s.open != null && s.open.numSamples() > 0) {
                out.add(s.open.minT(), s.open.maxT(), base | ((s.firstChunkSeq + s.sealedCount) & 0xFFFFFFFFL));
            }
        }
    }

    @Override
    public ByteBuffer chunk(long ref) {
        int ordinal = (int) (ref >>> 32);
        int seq = (int) ref;
        MemSeries s = head.byOrdinal(ordinal);
        if (s == null) throw StorageException.of("head series gone [ordinal=" + ordinal + "]");
        long fileRef;
        synchronized (head.lockOf(s.ordinal)) {
            int idx = seq - s.firstChunkSeq;
            if (idx < 0 || idx > s.sealedCount) {
                throw StorageException.of("head chunk gone [series=" + s.labels + ", seq=" + seq + "]");
            }
            if (idx == s.sealedCount) {
                if (s.open == null) throw StorageException.of("head chunk gone [series=" + s.labels + ", seq=" + seq + "]");
                // a private copy, so not read-only: decoders read a heap array directly, much faster than
                // through a read-only buffer's bounds-checked get per byte
                return ByteBuffer.wrap(s.open.toBytes());
            }
            fileRef = s.sealed[idx * 3];
        }
        return files.read(fileRef);
    }

    /** As {@link #chunk}, but the open chunk is copied into the iterator's own buffer instead of a new array. */
    @Override
    public ChunkSampleIterator iterator(long ref, SampleIterator reuse) {
        int ordinal = (int) (ref >>> 32);
        int seq = (int) ref;
        MemSeries s = head.byOrdinal(ordinal);
        if (s == null) throw StorageException.of("head series gone [ordinal=" + ordinal + "]");
        long fileRef;
        synchronized (head.lockOf(s.ordinal)) {
            int idx = seq - s.firstChunkSeq;
            if (idx < 0 || idx > s.sealedCount || (idx == s.sealedCount && s.open == null)) {
                throw StorageException.of("head chunk gone [series=" + s.labels + ", seq=" + seq + "]");
            }
            if (idx == s.sealedCount) {
                XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
                return it.resetCopy(s.open.buffer(), s.open.sizeBytes());
            }
            fileRef = s.sealed[idx * 3];
        }
        return Chunks.iterator(Encoding.XOR, files.read(fileRef), reuse);
    }

    /** Head data older than this is in blocks; readers clamp to it so the two do not double up. */
    public long minTime() {
        return head.minTime();
    }

    public long maxTime() {
        return head.maxTime();
    }
}
