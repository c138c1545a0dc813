package dev.vigil.query.eval;

import dev.vigil.tsdb.Labels;

/**
 * The samples of one series as two primitive columns: loaded once per selector, then read through moving window
 * indices by every step, so nothing is copied per step.
 */
final class RawSeries {
    Labels labels;
    boolean dropName;
    long[] ts;
    double[] vs;
    int n;

    RawSeries(Labels labels, int capacity) {
        this.labels = labels;
        this.ts = new long[Math.max(4, capacity)];
        this.vs = new double[Math.max(4, capacity)];
    }

    /** Empties this for another series, keeping the columns. */
    RawSeries reset(Labels labels) {
        this.labels = labels;
        this.dropName = false;
        this.n = 0;
        return this;
    }

    void add(long t, double v) {
        if (n == ts.length) {
            ts = java.util.Arrays.copyOf(ts, n * 2);
            vs = java.util.Arrays.copyOf(vs, n * 2);
        }
        ts[n] = t;
        vs[n] = v;
        n++;
    }

    /** Index of the first sample with timestamp &gt; {@code t}, searching from {@code from}. */
    int firstAfter(long t, int from) {
        int lo = from, hi = n;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] <= t) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
