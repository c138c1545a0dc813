package dev.vigil.tsdb.db;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.block.SeriesSource;
import dev.vigil.tsdb.head.OooSnapshot;
import java.util.Map;

/**
 * The samples of an {@link OooSnapshot} in {@code [minT, maxT)}, for one block: series without
 * samples there are skipped, and so are samples the head's deletions cover.
 */
final class OooSeriesSource implements SeriesSource {
    private final OooSnapshot snap;
    private final long minT;
    private final long maxT;
    private final Map<Long, long[]> deletions;
    private int pos = -1;
    private int from;
    private int to;

    OooSeriesSource(OooSnapshot snap, long minT, long maxT, Map<Long, long[]> deletions) {
        this.snap = snap;
        this.minT = minT;
        this.maxT = maxT;
        this.deletions = deletions;
    }

    @Override
    public boolean next() {
        while (++pos < snap.series().size()) {
            long[] t = snap.series().get(pos).t();
            int lo = java.util.Arrays.binarySearch(t, minT);
            from = lo >= 0 ? lo : -lo - 1;
            int hi = java.util.Arrays.binarySearch(t, maxT);
            to = hi >= 0 ? hi : -hi - 1;
            if (from < to && !allDeleted()) return true;
        }
        return false;
    }

    private boolean allDeleted() {
        long[] del = deletions.get(snap.series().get(pos).id());
        if (del == null) return false;
        long[] t = snap.series().get(pos).t();
        for (int i = from; i < to; i++) if (!Intervals.contains(del, t[i])) return false;
        return true;
    }

    @Override
    public Labels labels() {
        return snap.series().get(pos).labels();
    }

    @Override
    public SampleIterator samples() {
        OooSnapshot.Series s = snap.series().get(pos);
        long[] del = deletions.get(s.id());
        long[] t = s.t();
        double[] v = s.v();
        int end = to;
        return new SampleIterator() {
            private int i = from - 1;

            @Override
            public int next() {
                while (++i < end) {
                    if (del == null || !Intervals.contains(del, t[i])) return FLOAT;
                }
                return NONE;
            }

            @Override
            public int seek(long target) {
                if (i >= from && i < end && t[i] >= target) return FLOAT;
                int r;
                while ((r = next()) != NONE && t[i] < target) { }
                return r;
            }

            @Override
            public long atT() {
                return t[i];
            }

            @Override
            public double atV() {
                return v[i];
            }
        };
    }
}
