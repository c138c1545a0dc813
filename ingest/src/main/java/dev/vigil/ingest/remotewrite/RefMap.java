package dev.vigil.ingest.remotewrite;

import java.util.Arrays;

/**
 * WAL series ref to {@link SeriesEntry}, open addressing on primitive keys: the lookup runs once
 * per sample, and a {@code HashMap<Long, ...>} would box every ref above 127. Ref 0 is never a
 * series (the head starts at 1), so it marks an empty slot. Not thread-safe (the reader's own).
 */
final class RefMap {
    private long[] keys = new long[1024];
    private SeriesEntry[] values = new SeriesEntry[1024];
    private int size;

    SeriesEntry get(long ref) {
        int mask = keys.length - 1;
        for (int i = mix(ref) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == ref) return values[i];
            if (k == 0) return null;
        }
    }

    void put(long ref, SeriesEntry e) {
        if (ref == 0) return;
        if ((size + 1) * 2 > keys.length) grow();
        int mask = keys.length - 1;
        for (int i = mix(ref) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == ref) {
                values[i] = e;
                return;
            }
            if (keys[i] == 0) {
                keys[i] = ref;
                values[i] = e;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private void grow() {
        long[] k = keys;
        SeriesEntry[] v = values;
        keys = new long[k.length * 2];
        values = new SeriesEntry[k.length * 2];
        size = 0;
        for (int i = 0; i < k.length; i++) if (k[i] != 0) put(k[i], v[i]);
    }

    void clear() {
        Arrays.fill(keys, 0);
        Arrays.fill(values, null);
        size = 0;
    }

    /**
     * Vigil's refs are {@code epoch << 32 | ordinal} with dense ordinals (see the tsdb head), so the
     * low 32 bits alone spread them perfectly and keep neighbouring series in neighbouring slots;
     * the epoch is folded in only so that two epochs' refs do not collide slot for slot.
     */
    private static int mix(long x) {
        return (int) x ^ (int) (x >>> 32) * 0x9E3779B9;
    }
}
