package dev.vigil.tsdb.db;

import java.util.Arrays;

/** Sorted, disjoint inclusive [min, max] intervals as flat long arrays. */
final class Intervals {
    private Intervals() {}

    /** The union of two interval lists, merged and sorted. */
    static long[] union(long[] a, long[] b) {
        long[] all = new long[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        int n = all.length / 2;
        long[][] pairs = new long[n][];
        for (int i = 0; i < n; i++) pairs[i] = new long[] {all[2 * i], all[2 * i + 1]};
        Arrays.sort(pairs, (x, y) -> Long.compare(x[0], y[0]));
        long[] out = new long[all.length];
        int m = 0;
        for (long[] p : pairs) {
            if (m > 0 && p[0] <= out[m - 1] + 1 && out[m - 1] != Long.MAX_VALUE) {
                out[m - 1] = Math.max(out[m - 1], p[1]);
            } else if (m > 0 && out[m - 1] == Long.MAX_VALUE) {
                continue;
            } else {
                out[m++] = p[0];
                out[m++] = p[1];
            }
        }
        return Arrays.copyOf(out, m);
    }

    /** Whether {@code t} lies in one of the intervals. */
    static boolean contains(long[] iv, long t) {
        for (int i = 0; i < iv.length; i += 2) {
            if (t >= iv[i] && t <= iv[i + 1]) return true;
        }
        return false;
    }

    /** The parts of the intervals at or after {@code t}. */
    static long[] dropBefore(long[] iv, long t) {
        long[] out = new long[iv.length];
        int m = 0;
        for (int i = 0; i < iv.length; i += 2) {
            if (iv[i + 1] < t) continue;
            out[m++] = Math.max(iv[i], t);
            out[m++] = iv[i + 1];
        }
        return Arrays.copyOf(out, m);
    }
}
