package dev.vigil.tsdb.head;

import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.chunk.XorIterator;
import java.util.Arrays;

/**
 * Reading a series' out-of-order samples: the sealed chunks (sorted each, overlapping one another)
 * and the open buffer. Callers hold the series' monitor.
 */
final class OooChunks {
    private static final System.Logger LOG = System.getLogger(OooChunks.class.getName());

    /** Samples sorted by time, one per timestamp. */
    record Samples(long[] t, double[] v) {}

    private OooChunks() {}

    /**
     * Looks for {@code t} in the sealed chunks whose range holds it.
     *
     * @return 0 when the same sample (time and value bits) is there, -1 when another value has that
     *     time, 1 when no sealed chunk has it
     */
    static int find(MemSeries s, long t, double v, HeadChunkFiles files) {
        XorIterator it = null;
        for (int i = 0; i < s.oooChunkCount; i++) {
            if (t < s.oooChunks[i * 4 + 1] || t > s.oooChunks[i * 4 + 2]) continue;
            it = read(s, i, files, it);
            if (it == null) continue;
            if (it.seek(t) != SampleIterator.NONE && it.atT() == t) {
                return it.atVBits() == Double.doubleToRawLongBits(v) ? 0 : -1;
            }
        }
        return 1;
    }

    /** The series' sealed chunk {@code i}, or null when it cannot be read (logged; the rest is served). */
    private static XorIterator read(MemSeries s, int i, HeadChunkFiles files, XorIterator reuse) {
        try {
            XorIterator it = reuse != null ? reuse : new XorIterator();
            it.reset(files.read(s.oooChunks[i * 4]));
            return it;
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "out-of-order chunk unreadable, skipped [series={0}]: {1}", s.labels, e.getMessage());
            return null;
        }
    }

    /** Every out-of-order sample of the series, merged from its chunks and open buffer. */
    static Samples merged(MemSeries s, HeadChunkFiles files) {
        java.util.List<Samples> runs = new java.util.ArrayList<>(s.oooChunkCount + 1);
        runs.add(new Samples(Arrays.copyOf(s.oooT, s.oooCount), Arrays.copyOf(s.oooV, s.oooCount)));
        XorIterator it = null;
        for (int i = 0; i < s.oooChunkCount; i++) {
            it = read(s, i, files, it);
            if (it == null) continue;
            int n = (int) s.oooChunks[i * 4 + 3];
            long[] t = new long[n];
            double[] v = new double[n];
            int k = 0;
            while (k < n && it.next() != SampleIterator.NONE) {
                t[k] = it.atT();
                v[k++] = it.atV();
            }
            runs.add(new Samples(Arrays.copyOf(t, k), Arrays.copyOf(v, k)));
        }
        // pairwise rounds: n log(runs), where folding one run after another would be n * runs
        while (runs.size() > 1) {
            java.util.List<Samples> next = new java.util.ArrayList<>((runs.size() + 1) / 2);
            for (int i = 0; i < runs.size(); i += 2) next.add(i + 1 < runs.size() ? merge(runs.get(i), runs.get(i + 1)) : runs.get(i));
            runs = next;
        }
        return runs.get(0);
    }

    /** The sorted union of two sorted runs; on a shared timestamp the first run's sample stays. */
    static Samples merge(Samples a, Samples b) {
        long[] t = new long[a.t.length + b.t.length];
        double[] v = new double[t.length];
        int i = 0, j = 0, k = 0;
        while (i < a.t.length || j < b.t.length) {
            if (j == b.t.length || (i < a.t.length && a.t[i] <= b.t[j])) {
                if (j < b.t.length && a.t[i] == b.t[j]) j++;
                t[k] = a.t[i];
                v[k++] = a.v[i++];
            } else {
                t[k] = b.t[j];
                v[k++] = b.v[j++];
            }
        }
        return k == t.length ? new Samples(t, v) : new Samples(Arrays.copyOf(t, k), Arrays.copyOf(v, k));
    }

    /** {@code all} without the samples at the sorted timestamps {@code drop}. */
    static Samples without(Samples all, long[] drop) {
        long[] t = new long[all.t.length];
        double[] v = new double[t.length];
        int k = 0, j = 0;
        for (int i = 0; i < all.t.length; i++) {
            while (j < drop.length && drop[j] < all.t[i]) j++;
            if (j < drop.length && drop[j] == all.t[i]) continue;
            t[k] = all.t[i];
            v[k++] = all.v[i];
        }
        return new Samples(Arrays.copyOf(t, k), Arrays.copyOf(v, k));
    }
}
