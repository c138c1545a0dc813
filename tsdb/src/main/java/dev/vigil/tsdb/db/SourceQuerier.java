package dev.vigil.tsdb.db;

import dev.vigil.tsdb.ChunkIterator;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.chunk.ChunkReader;
import dev.vigil.tsdb.index.ChunkMetas;
import dev.vigil.tsdb.index.IndexReader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.roaringbitmap.IntIterator;
import org.roaringbitmap.RoaringBitmap;

/**
 * Selects series from one source (the head or one block) through its {@link IndexReader} and
 * {@link ChunkReader}. Samples are clamped to the source's own range, so a head that still holds
 * data now in a block does not double it.
 */
final class SourceQuerier {
    private final IndexReader index;
    private final ChunkReader chunks;
    private final long sourceMinT;
    private final long sourceMaxT;
    private final long dataMinT;
    private final long dataMaxT;
    private final Deletions deletions;
    private final boolean ordinalsSorted;
    /** Only for immutable sources (blocks): the head's postings change with every new series. */
    private final PostingsCache.ForBlock postings;
    /** Damaged chunks skipped while reading; shared by this querier's sets and iterators. */
    private final List<String> warnings = java.util.Collections.synchronizedList(new ArrayList<>());
    static final java.util.concurrent.atomic.AtomicLong CORRUPT_CHUNKS_SKIPPED = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param sourceMinT the oldest sample time this source is authoritative for (inclusive)
     * @param sourceMaxT the newest (inclusive)
     * @param ordinalsSorted whether ordinal order is label order (blocks), so no sort is needed
     */
    SourceQuerier(IndexReader index, ChunkReader chunks, long sourceMinT, long sourceMaxT, Deletions deletions,
                  boolean ordinalsSorted) {
        this(index, chunks, sourceMinT, sourceMaxT, sourceMinT, sourceMaxT, deletions, ordinalsSorted, null);
    }

    /** A block's querier whose resolved postings go through {@code postings} (null: resolve every time). */
    SourceQuerier(IndexReader index, ChunkReader chunks, long sourceMinT, long sourceMaxT, Deletions deletions,
                  boolean ordinalsSorted, PostingsCache.ForBlock postings) {
        this(index, chunks, sourceMinT, sourceMaxT, sourceMinT, sourceMaxT, deletions, ordinalsSorted, postings);
    }

    /**
     * @param dataMinT the oldest sample actually held (the head's, which is narrower than what it
     *     is authoritative for): label names and values without matchers, answered from the index
     *     alone, are empty when the range misses the data, as in Prometheus's head index reader
     * @param dataMaxT the newest
     */
    SourceQuerier(IndexReader index, ChunkReader chunks, long sourceMinT, long sourceMaxT, long dataMinT, long dataMaxT,
                  Deletions deletions, boolean ordinalsSorted) {
        this(index, chunks, sourceMinT, sourceMaxT, dataMinT, dataMaxT, deletions, ordinalsSorted, null);
    }

    private SourceQuerier(IndexReader index, ChunkReader chunks, long sourceMinT, long sourceMaxT, long dataMinT,
                  long dataMaxT, Deletions deletions, boolean ordinalsSorted, PostingsCache.ForBlock postings) {
        this.postings = postings;
        this.index = index;
        this.chunks = chunks;
        this.sourceMinT = sourceMinT;
        this.sourceMaxT = sourceMaxT;
        this.dataMinT = dataMinT;
        this.dataMaxT = dataMaxT;
        this.deletions = deletions;
        this.ordinalsSorted = ordinalsSorted;
    }

    /** Every series of the source has samples in [lo, hi]: the range spans all data and nothing is deleted. */
    private boolean coversAllData(long lo, long hi) {
        return lo <= dataMinT && hi >= dataMaxT && deletions == Deletions.NONE;
    }

    private boolean missesData(long minT, long maxT) {
        return maxT < dataMinT || minT > dataMaxT;
    }

    /** The oldest sample time this source serves (inclusive). */
    long sourceMinT() {
        return sourceMinT;
    }

    /** The newest sample time this source serves (inclusive). */
    long sourceMaxT() {
        return sourceMaxT;
    }

    boolean overlaps(long minT, long maxT) {
        return minT <= sourceMaxT && maxT >= sourceMinT;
    }

    SeriesSet select(long minT, long maxT, SelectHints hints, Matcher... matchers) {
        long lo = Math.max(minT, sourceMinT), hi = Math.min(maxT, sourceMaxT);
        if (lo > hi) return SeriesSet.EMPTY;
        RoaringBitmap ordinals = resolve(matchers);
        int[] ords = ordinals.toArray();
        if (hints.sorted() && !ordinalsSorted && ords.length > 1) index.sortByLabels(ords);
        return new Set(ords, lo, hi, hints.limit());
    }

    /** The matching ordinals; shared when cached, so callers only read it. */
    private RoaringBitmap resolve(Matcher[] matchers) {
        return postings == null ? PostingsForMatchers.resolve(index, matchers) : postings.resolve(index, matchers);
    }

    /** The ordinals that match and have data in [minT, maxT]. */
    private boolean hasData(int ordinal, long lo, long hi, ChunkMetas metas) {
        index.chunkMetas(ordinal, metas);
        for (int i = 0; i < metas.size(); i++) {
            if (metas.minT(i) <= hi && metas.maxT(i) >= lo) return true;
        }
        return false;
    }

    List<String> labelNames(long minT, long maxT, Matcher... matchers) {
        long lo = Math.max(minT, sourceMinT), hi = Math.min(maxT, sourceMaxT);
        if (lo > hi) return List.of();
        if (matchers.length == 0) return missesData(lo, hi) ? List.of() : index.labelNames();
        // a range over all of the source's data needs no look at each series' chunks, as in Prometheus's head
        boolean whole = coversAllData(lo, hi);
        java.util.HashSet<String> names = new java.util.HashSet<>();
        ChunkMetas metas = new ChunkMetas();
        IntIterator it = resolve(matchers).getIntIterator();
        while (it.hasNext()) {
            int o = it.next();
            if (!whole && !hasData(o, lo, hi, metas)) continue;
            Labels l = index.labels(o);
            for (int i = 0; i < l.size(); i++) names.add(l.name(i));
        }
        List<String> out = new ArrayList<>(names);
        out.sort(Labels::compareUtf8);
        return out;
    }

    List<String> labelValues(String name, long minT, long maxT, Matcher... matchers) {
        long lo = Math.max(minT, sourceMinT), hi = Math.min(maxT, sourceMaxT);
        if (lo > hi) return List.of();
        if (matchers.length == 0) return missesData(lo, hi) ? List.of() : index.labelValues(name);
        boolean whole = coversAllData(lo, hi);
        java.util.HashSet<String> values = new java.util.HashSet<>();
        ChunkMetas metas = new ChunkMetas();
        IntIterator it = resolve(matchers).getIntIterator();
        while (it.hasNext()) {
            int o = it.next();
            if (!whole && !hasData(o, lo, hi, metas)) continue;
            String v = index.labels(o).get(name);
            if (!v.isEmpty()) values.add(v);
        }
        List<String> out = new ArrayList<>(values);
        out.sort(Labels::compareUtf8);
        return out;
    }

    private final class Set implements SeriesSet {
        private final int[] ords;
        private final long lo;
        private final long hi;
        private final int limit;
        private final ChunkMetas metas = new ChunkMetas();
        private int pos = -1;
        private int returned;
        private int current;
        private Labels labels;

        Set(int[] ords, long lo, long hi, int limit) {
            this.ords = ords;
            this.lo = lo;
            this.hi = hi;
            this.limit = limit;
        }

        @Override
        public boolean next() {
            if (limit > 0 && returned >= limit) return false;
            while (++pos < ords.length) {
                int o = ords[pos];
                if (!hasData(o, lo, hi, metas)) continue;
                Labels l = index.labels(o);
                if (l.isEmpty()) continue; // dropped meanwhile
                long[] del = deletions.intervals(o);
                if (del != null && fullyDeleted(del)) continue;
                probed = false;
                if (del != null || !anyChunkInside()) {
                    if (!hasSampleInRange(o, del)) continue;
                    probed = true; // the probe stands on the first sample: iterator() hands it over
                }
                current = o;
                labels = l;
                returned++;
                return true;
            }
            return false;
        }

        /** Decodes up to the first sample in range when no chunk proves one; swapped with the caller's iterator. */
        private ChunkSeriesIterator probe = new ChunkSeriesIterator();
        /** Whether {@link #probe} stands on the current series' first sample in range. */
        private boolean probed;

        /** Whether some chunk lies wholly inside [lo, hi] (then the series surely has a sample there). */
        private boolean anyChunkInside() {
            for (int i = 0; i < metas.size(); i++) {
                if (metas.minT(i) >= lo && metas.maxT(i) <= hi) return true;
            }
            return false;
        }

        /** Decodes just enough to tell whether a sample survives the range and the deletions. */
        private boolean hasSampleInRange(int o, long[] del) {
            probe.reset(chunks, metas, lo, hi, del, warnings);
            return probe.next() != SampleIterator.NONE;
        }

        private boolean fullyDeleted(long[] del) {
            for (int i = 0; i < metas.size(); i++) {
                long cMin = Math.max(metas.minT(i), lo), cMax = Math.min(metas.maxT(i), hi);
                if (cMin > cMax) continue;
                if (!covered(del, cMin, cMax)) return false;
            }
            return true;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            if (probed) {
                // the probe has already decoded up to the first sample in range: hand it over instead of
                // decoding that prefix again, and keep the caller's spent iterator as the next probe
                probed = false;
                ChunkSeriesIterator it = probe;
                it.unread();
                probe = reuse instanceof ChunkSeriesIterator c && c != it ? c : new ChunkSeriesIterator();
                return it;
            }
            ChunkSeriesIterator it = reuse instanceof ChunkSeriesIterator c && c != probe ? c : new ChunkSeriesIterator();
            it.reset(chunks, metas, lo, hi, deletions.intervals(current), warnings);
            return it;
        }

        @Override
        public ChunkIterator chunks() {
            ChunkMetas own = new ChunkMetas();
            index.chunkMetas(current, own);
            return new StoredChunks(chunks, own, lo, hi);
        }

        @Override
        public List<String> warnings() {
            return warnings;
        }
    }

    /** Whether [min, max] lies inside the union of the sorted inclusive intervals. */
    static boolean covered(long[] intervals, long min, long max) {
        long need = min;
        for (int i = 0; i < intervals.length; i += 2) {
            if (intervals[i] > need) return false;
            if (intervals[i + 1] >= need) {
                if (intervals[i + 1] >= max) return true;
                need = intervals[i + 1] + 1;
            }
        }
        return false;
    }

    /** Samples of one series across its chunks, clamped to [lo, hi], minus deleted intervals. */
    static final class ChunkSeriesIterator implements SampleIterator {
        private final ChunkMetas metas = new ChunkMetas();
        private ChunkReader reader;
        private long lo;
        private long hi;
        private long[] deleted;
        private int chunk;
        /** The current chunk's decoder, null before the first chunk; kept across resets for reuse. */
        private SampleIterator inner;
        private SampleIterator spare;
        private long t;
        private double v;
        private boolean done;
        private boolean positioned; // t and v hold a sample of this series
        private boolean pending; // the next next() returns the current sample again (see unread)
        private List<String> warnings;

        /** Targets the series whose chunk metas {@code seriesMetas} holds (copied: the set reuses its own). */
        void reset(ChunkReader reader, ChunkMetas seriesMetas, long lo, long hi, long[] deleted,
                   List<String> warnings) {
            this.warnings = warnings;
            this.reader = reader;
            metas.copyFrom(seriesMetas);
            this.lo = lo;
            this.hi = hi;
            this.deleted = deleted;
            this.chunk = -1;
            if (inner != null) spare = inner;
            this.inner = null;
            this.done = false;
            this.positioned = false;
            this.pending = false;
        }

        /** Makes the next {@link #next()} return the current sample again (it has been read by a probe only). */
        void unread() {
            if (positioned && !done) pending = true;
        }

        private boolean nextChunk() {
            while (++chunk < metas.size()) {
                if (metas.maxT(chunk) < lo) continue;
                if (metas.minT(chunk) > hi) break;
                long ref = metas.ref(chunk);
                try {
                    inner = reader.iterator(ref, inner != null ? inner : spare);
                } catch (dev.vigil.tsdb.CorruptionException e) {
                    // serve the rest of the series; the damaged chunk is reported, not fatal
                    if (CORRUPT_CHUNKS_SKIPPED.incrementAndGet() % 1000 == 1) {
                        System.getLogger(SourceQuerier.class.getName()).log(System.Logger.Level.ERROR,
                                "damaged chunk skipped, the rest of the series is served: {0}", e.getMessage());
                    }
                    warnings.add("damaged chunk skipped: " + e.getMessage());
                    continue;
                }
                return true;
            }
            done = true;
            return false;
        }

        @Override
        public int next() {
            if (pending) {
                pending = false;
                return FLOAT;
            }
            if (done) return NONE;
            while (true) {
                if (inner == null && !nextChunk()) return NONE;
                if (inner.next() == NONE) {
                    if (!nextChunk()) return NONE;
                    continue;
                }
                long st = inner.atT();
                if (st < lo) continue;
                if (st > hi) {
                    done = true;
                    return NONE;
                }
                if (deleted != null && isDeleted(st)) continue;
                t = st;
                v = inner.atV();
                positioned = true;
                return FLOAT;
            }
        }

        private boolean isDeleted(long st) {
            return Intervals.contains(deleted, st);
        }

        @Override
        public int seek(long target) {
            if (pending) {
                pending = false;
                if (t >= target) return FLOAT;
            }
            if (done) return NONE;
            if (positioned && t >= target) return FLOAT;
            // skip whole chunks that end before the target
            if (inner == null || metas.maxT(chunk) < target) {
                while (chunk + 1 < metas.size() && metas.maxT(chunk + 1) < Math.max(target, lo)) chunk++;
                if (inner != null) spare = inner;
                inner = null;
                if (!nextChunk()) return NONE;
            }
            while (true) {
                int r = next();
                if (r == NONE) return NONE;
                if (t >= target) return FLOAT;
            }
        }

        @Override
        public long atT() {
            return t;
        }

        @Override
        public double atV() {
            return v;
        }
    }

    /** Stored chunks of one series overlapping [lo, hi], shipped as they are. */
    static final class StoredChunks implements ChunkIterator {
        private final ChunkReader reader;
        private final ChunkMetas metas;
        private final long lo;
        private final long hi;
        private int i = -1;
        private ByteBuffer bytes;

        StoredChunks(ChunkReader reader, ChunkMetas metas, long lo, long hi) {
            this.reader = reader;
            this.metas = metas;
            this.lo = lo;
            this.hi = hi;
        }

        @Override
        public boolean next() {
            while (++i < metas.size()) {
                if (metas.maxT(i) < lo || metas.minT(i) > hi) continue;
                bytes = reader.chunk(metas.ref(i));
                return true;
            }
            return false;
        }

        @Override
        public long minT() {
            return metas.minT(i);
        }

        @Override
        public long maxT() {
            return metas.maxT(i);
        }

        @Override
        public int encoding() {
            return reader.encoding(metas.ref(i));
        }

        @Override
        public ByteBuffer bytes() {
            return bytes;
        }
    }
}
