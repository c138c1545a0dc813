package dev.vigil.tsdb.index;

import java.util.Arrays;

/** A reusable, growable list of chunk references of one series, in time order. Not thread-safe. */
public final class ChunkMetas {
    private long[] minT = new long[8];
    private long[] maxT = new long[8];
    private long[] ref = new long[8];
    private int size;

    public void clear() {
        size = 0;
    }

    public void add(long chunkMinT, long chunkMaxT, long chunkRef) {
        if (size == ref.length) {
            minT = Arrays.copyOf(minT, size * 2);
            maxT = Arrays.copyOf(maxT, size * 2);
            ref = Arrays.copyOf(ref, size * 2);
        }
        minT[size] = chunkMinT;
        maxT[size] = chunkMaxT;
        ref[size] = chunkRef;
        size++;
    }

    /** Makes this a copy of {@code o}. */
    public void copyFrom(ChunkMetas o) {
        if (ref.length < o.size) {
            minT = new long[o.ref.length];
            maxT = new long[o.ref.length];
            ref = new long[o.ref.length];
        }
        System.arraycopy(o.minT, 0, minT, 0, o.size);
        System.arraycopy(o.maxT, 0, maxT, 0, o.size);
        System.arraycopy(o.ref, 0, ref, 0, o.size);
        size = o.size;
    }

    public int size() {
        return size;
    }

    public long minT(int i) {
        return minT[i];
    }

    public long maxT(int i) {
        return maxT[i];
    }

    public long ref(int i) {
        return ref[i];
    }
}
