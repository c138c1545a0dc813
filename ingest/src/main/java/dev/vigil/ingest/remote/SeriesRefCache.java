package dev.vigil.ingest.remote;

import dev.vigil.tsdb.Labels;

/**
 * Raw label bytes → series ref and labels, shared by all request threads. Direct-mapped like a
 * CPU cache: a colliding series evicts the slot's occupant, so memory is bounded by the slot
 * count and a lookup is one array read plus a byte comparison, without locks or allocation.
 * Entries are immutable apart from the ref hint, so publishing them through a plain array is safe.
 */
final class SeriesRefCache {
    static final class Entry {
        final long hash;
        final byte[] key;
        /** Null when the label set is invalid; then {@link #invalid} says why. */
        final Labels labels;
        final String invalid;
        /** The storage's ref for the series: a hint, re-resolved from labels if it goes stale. */
        volatile long ref;

        Entry(long hash, byte[] key, Labels labels, String invalid) {
            this.hash = hash;
            this.key = key;
            this.labels = labels;
            this.invalid = invalid;
        }
    }

    private final Entry[] slots;
    private final int mask;

    SeriesRefCache(int slots) {
        int size = Integer.highestOneBit(Math.max(16, slots - 1) << 1);
        this.slots = new Entry[size];
        this.mask = size - 1;
    }

    Entry get(long hash, SeriesKey key) {
        Entry e = slots[(int) hash & mask];
        return e != null && e.hash == hash && key.matches(e.key) ? e : null;
    }

    void put(Entry e) {
        slots[(int) e.hash & mask] = e;
    }
}
