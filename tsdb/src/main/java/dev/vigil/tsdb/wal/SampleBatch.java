package dev.vigil.tsdb.wal;

import java.util.Arrays;

/**
 * Reusable columnar sample storage that {@link WalRecords#decodeSamples} fills: series refs,
 * timestamps (epoch millis) and values, index {@code i < size()} in each. The arrays grow as needed
 * and are kept across {@link #reset()}, so a replay loop decodes every record into one batch.
 *
 * <p>Not thread-safe. The arrays returned by {@link #ids()}, {@link #ts()} and {@link #vs()} are
 * the live backing arrays: they are replaced when the batch grows, so fetch them after filling.
 */
public final class SampleBatch {
    private long[] ids;
    private long[] ts;
    private double[] vs;
    private int size;

    public SampleBatch() {
        this(64);
    }

    public SampleBatch(int initialCapacity) {
        int c = Math.max(initialCapacity, 1);
        ids = new long[c];
        ts = new long[c];
        vs = new double[c];
    }

    /** Empties the batch; keeps the arrays. */
    public void reset() {
        size = 0;
    }

    /** Appends one sample. */
    public void add(long id, long t, double v) {
        if (size == ids.length) ensureCapacity(size + 1);
        ids[size] = id;
        ts[size] = t;
        vs[size] = v;
        size++;
    }

    /** Grows the arrays to hold at least {@code capacity} samples, keeping the first {@link #size()}. */
    public void ensureCapacity(int capacity) {
        if (capacity <= ids.length) return;
        int c = (int) Math.min(Math.max((long) ids.length * 2, capacity), Integer.MAX_VALUE - 8);
        ids = Arrays.copyOf(ids, c);
        ts = Arrays.copyOf(ts, c);
        vs = Arrays.copyOf(vs, c);
    }

    void setSize(int size) {
        this.size = size;
    }

    public int size() {
        return size;
    }

    /** Series refs; valid in {@code [0, size())}. */
    public long[] ids() {
        return ids;
    }

    /** Timestamps in epoch millis; valid in {@code [0, size())}. */
    public long[] ts() {
        return ts;
    }

    /** Values, bit-exact as logged (NaN payloads and the stale marker kept); valid in {@code [0, size())}. */
    public double[] vs() {
        return vs;
    }
}
