package dev.vigil.tsdb.db;

import dev.vigil.tsdb.ChunkIterator;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.MergingSampleIterator;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeSet;

/**
 * A querier over several sources (blocks oldest first, then the head): a k-way merge of their
 * sorted series sets; a series present in several sources gets one iterator that merges their
 * samples by time, keeping the later source's sample on a timestamp tie.
 */
final class MergeQuerier implements Querier {
    private final List<SourceQuerier> sources;
    private final Runnable onClose;
    private boolean closed;

    MergeQuerier(List<SourceQuerier> sources, Runnable onClose) {
        this.sources = sources;
        this.onClose = onClose;
    }

    @Override
    public SeriesSet select(long minT, long maxT, SelectHints hints, Matcher... matchers) {
        List<SourceQuerier> overlapping = new ArrayList<>();
        for (SourceQuerier s : sources) {
            if (s.overlaps(minT, maxT)) overlapping.add(s);
        }
        if (overlapping.isEmpty()) return SeriesSet.EMPTY;
        if (overlapping.size() == 1) return overlapping.get(0).select(minT, maxT, hints, matchers);
        // merging needs every input sorted
        List<SeriesSet> sets = new ArrayList<>();
        long[] mins = new long[overlapping.size()], maxs = new long[overlapping.size()];
        for (int i = 0; i < overlapping.size(); i++) {
            SourceQuerier s = overlapping.get(i);
            sets.add(s.select(minT, maxT, SelectHints.DEFAULT, matchers));
            mins[i] = s.sourceMinT();
            maxs[i] = s.sourceMaxT();
        }
        return new MergedSet(sets, mins, maxs, hints.limit());
    }

    @Override
    public List<String> labelNames(long minT, long maxT, Matcher... matchers) {
        List<String> out = List.of();
        for (SourceQuerier s : sources) {
            if (s.overlaps(minT, maxT)) out = mergeSorted(out, s.labelNames(minT, maxT, matchers));
        }
        return out;
    }

    @Override
    public List<String> labelValues(String name, long minT, long maxT, Matcher... matchers) {
        List<String> out = List.of();
        for (SourceQuerier s : sources) {
            if (s.overlaps(minT, maxT)) out = mergeSorted(out, s.labelValues(name, minT, maxT, matchers));
        }
        return out;
    }

    /**
     * The sorted union of two sorted, distinct lists in one linear pass; either list itself when
     * the other is empty (the common case of one source, with a million values, costs nothing).
     */
    static List<String> mergeSorted(List<String> a, List<String> b) {
        if (a.isEmpty()) return b;
        if (b.isEmpty()) return a;
        List<String> out = new ArrayList<>(Math.max(a.size(), b.size()));
        int i = 0, j = 0;
        while (i < a.size() && j < b.size()) {
            int c = Labels.compareUtf8(a.get(i), b.get(j));
            if (c < 0) out.add(a.get(i++));
            else if (c > 0) out.add(b.get(j++));
            else {
                out.add(a.get(i++));
                j++;
            }
        }
        while (i < a.size()) out.add(a.get(i++));
        while (j < b.size()) out.add(b.get(j++));
        return out;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        onClose.run();
    }

    /** K-way merge of sorted sets. */
    private static final class MergedSet implements SeriesSet {
        private record Cursor(SeriesSet set, int order) {}

        private final PriorityQueue<Cursor> queue = new PriorityQueue<>((a, b) -> {
            int c = a.set.labels().compareTo(b.set.labels());
            return c != 0 ? c : Integer.compare(a.order, b.order);
        });
        private final List<Cursor> current = new ArrayList<>();
        private final int limit;
        private int returned;
        private final List<String> warnings = new ArrayList<>();
        /** The time range each set's source serves, by set order: disjoint ranges chain instead of merging. */
        private final long[] sourceMinT;
        private final long[] sourceMaxT;

        MergedSet(List<SeriesSet> sets, long[] sourceMinT, long[] sourceMaxT, int limit) {
            this.sourceMinT = sourceMinT;
            this.sourceMaxT = sourceMaxT;
            this.limit = limit;
            for (int i = 0; i < sets.size(); i++) {
                SeriesSet s = sets.get(i);
                if (s.next()) queue.add(new Cursor(s, i));
                warnings.addAll(s.warnings());
            }
        }

        @Override
        public boolean next() {
            for (Cursor c : current) {
                if (c.set.next()) queue.add(c);
            }
            current.clear();
            if (queue.isEmpty() || (limit > 0 && returned >= limit)) return false;
            Cursor first = queue.poll();
            current.add(first);
            while (!queue.isEmpty() && queue.peek().set.labels().equals(first.set.labels())) {
                current.add(queue.poll());
            }
            returned++;
            return true;
        }

        @Override
        public Labels labels() {
            return current.get(0).set.labels();
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            if (current.size() == 1) {
                return current.get(0).set.iterator(reuse instanceof MergingSampleIterator ? null : reuse);
            }
            if (chainable()) {
                // sources that serve disjoint ranges in order (blocks, then the head): no sample can tie or
                // interleave, so their samples simply follow each other; reuse the caller's chain and its parts
                ChainIterator chain = reuse instanceof ChainIterator c && c.its.length == current.size() ? c
                        : new ChainIterator(new SampleIterator[current.size()]);
                for (int i = 0; i < chain.its.length; i++) chain.its[i] = current.get(i).set.iterator(chain.its[i]);
                chain.cur = 0;
                return chain;
            }
            SampleIterator[] its = new SampleIterator[current.size()];
            for (int i = 0; i < its.length; i++) its[i] = current.get(i).set.iterator(null);
            return new MergingSampleIterator(its);
        }

        /** Whether the current cursors' sources (in set order) serve disjoint, ascending time ranges. */
        private boolean chainable() {
            for (int i = 1; i < current.size(); i++) {
                int a = current.get(i - 1).order, b = current.get(i).order;
                if (a >= b || sourceMaxT[a] >= sourceMinT[b]) return false;
            }
            return true;
        }

        @Override
        public ChunkIterator chunks() {
            if (current.size() == 1) return current.get(0).set.chunks();
            List<ChunkIterator> its = new ArrayList<>();
            for (Cursor c : current) its.add(c.set.chunks());
            ConcatChunks concat = new ConcatChunks(its);
            // Readers replay chunks one after the other (Prometheus's chunked remote read client
            // does), so overlapping ones (late samples, overlapping blocks) are merged and re-encoded,
            // as Prometheus's compacting chunk merger does.
            return concat.overlapping() ? new EncodedChunks(iterator(null)) : concat;
        }

        @Override
        public List<String> warnings() {
            return warnings;
        }
    }

    /** The samples of iterators over disjoint, ascending time ranges, one after the other. */
    static final class ChainIterator implements SampleIterator {
        final SampleIterator[] its;
        int cur;
        private long t;
        private double v;

        ChainIterator(SampleIterator[] its) {
            this.its = its;
        }

        @Override
        public int next() {
            while (cur < its.length) {
                if (its[cur].next() != NONE) {
                    t = its[cur].atT();
                    v = its[cur].atV();
                    return FLOAT;
                }
                cur++;
            }
            return NONE;
        }

        @Override
        public int seek(long target) {
            while (cur < its.length) {
                if (its[cur].seek(target) != NONE) {
                    t = its[cur].atT();
                    v = its[cur].atV();
                    return FLOAT;
                }
                cur++;
            }
            return NONE;
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

    /** The samples of an iterator as XOR chunks of up to 120 samples (Prometheus's head chunk size). */
    static final class EncodedChunks implements ChunkIterator {
        private final List<dev.vigil.tsdb.chunk.XorChunk> chunks = new ArrayList<>();
        private int i = -1;

        EncodedChunks(SampleIterator it) {
            dev.vigil.tsdb.chunk.XorChunk c = null;
            while (it.next() != SampleIterator.NONE) {
                if (c == null || c.numSamples() == 120) chunks.add(c = new dev.vigil.tsdb.chunk.XorChunk(128));
                c.append(it.atT(), it.atV());
            }
        }

        @Override
        public boolean next() {
            return ++i < chunks.size();
        }

        @Override
        public long minT() {
            return chunks.get(i).minT();
        }

        @Override
        public long maxT() {
            return chunks.get(i).maxT();
        }

        @Override
        public int encoding() {
            return dev.vigil.tsdb.chunk.Encoding.XOR;
        }

        @Override
        public ByteBuffer bytes() {
            return ByteBuffer.wrap(chunks.get(i).toBytes()).asReadOnlyBuffer();
        }
    }

    /** Chunks of one series from several sources, ordered by min time. */
    private static final class ConcatChunks implements ChunkIterator {
        private final List<long[]> order = new ArrayList<>();
        private final List<ByteBuffer> bytes = new ArrayList<>();
        private final List<Integer> encodings = new ArrayList<>();
        private int i = -1;

        ConcatChunks(List<ChunkIterator> its) {
            for (ChunkIterator it : its) {
                while (it.next()) {
                    order.add(new long[] {it.minT(), it.maxT(), bytes.size()});
                    bytes.add(it.bytes());
                    encodings.add(it.encoding());
                }
            }
            order.sort((a, b) -> Long.compare(a[0], b[0]));
        }

        /** Whether a chunk starts at or before the previous one's end. */
        boolean overlapping() {
            for (int k = 1; k < order.size(); k++) {
                if (order.get(k)[0] <= order.get(k - 1)[1]) return true;
            }
            return false;
        }

        @Override
        public boolean next() {
            return ++i < order.size();
        }

        @Override
        public long minT() {
            return order.get(i)[0];
        }

        @Override
        public long maxT() {
            return order.get(i)[1];
        }

        @Override
        public int encoding() {
            return encodings.get((int) order.get(i)[2]);
        }

        @Override
        public ByteBuffer bytes() {
            return bytes.get((int) order.get(i)[2]);
        }
    }
}
