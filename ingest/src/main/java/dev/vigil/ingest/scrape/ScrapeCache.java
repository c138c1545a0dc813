package dev.vigil.ingest.scrape;

import dev.vigil.tsdb.Labels;
import java.util.Arrays;

/**
 * The per-target scrape cache: raw series text, as exposed (metric name and label block), to the
 * series ref and final label set. An unchanged series costs one hash probe and one byte compare: no
 * label parsing, no relabeling, no index lookup. Series dropped by metric relabeling are cached too,
 * so they are not relabeled again on every scrape.
 *
 * <h2>Design notes</h2>
 * Open addressing with linear probing over parallel arrays keyed by the parser's 64-bit series hash
 * (never a String, so a hit allocates nothing). Each entry carries the scrape iteration it was last
 * seen in, which gives staleness for free: an entry seen in the previous successful scrape and not
 * in this one gets a stale marker. Entries unseen for {@link #EVICT_AFTER_ITERATIONS} scrapes are
 * dropped by rebuilding the table, which keeps churn (e.g. a label holding a request id) bounded.
 *
 * <p>Owned by one scrape loop; not thread-safe. A reload may hand it to the target's next loop.
 */
final class ScrapeCache {
    /** {@link #ref} of a series that metric relabeling dropped. */
    static final long DROPPED = -1;
    // Long enough to ride out flapping series and a few failed scrapes, short enough to bound churn.
    static final int EVICT_AFTER_ITERATIONS = 10;

    private long[] hashes;
    private byte[][] keys; // null marks a free slot
    private long[] refs;
    private Labels[] labels;
    private int[] seen; // iteration last seen; 0 = never
    private int[] prevSeen; // seen before the current iteration overwrote it, to undo a failed scrape
    private boolean[] tracked; // staleness tracked: the sample carried no explicit timestamp
    private int size;
    private int iteration = 1;

    ScrapeCache() {
        alloc(256);
    }

    private void alloc(int cap) {
        hashes = new long[cap];
        keys = new byte[cap][];
        refs = new long[cap];
        labels = new Labels[cap];
        seen = new int[cap];
        prevSeen = new int[cap];
        tracked = new boolean[cap];
        size = 0;
    }

    int size() {
        return size;
    }

    int capacity() {
        return keys.length;
    }

    /** The current iteration; scrapes see series in it. */
    int iteration() {
        return iteration;
    }

    /** The slot of the series text {@code buf[s, e)} with parser hash {@code hash}, or -1. */
    int find(byte[] buf, int s, int e, long hash) {
        int mask = keys.length - 1;
        int slot = mix(hash) & mask;
        while (true) {
            byte[] k = keys[slot];
            if (k == null) return -1;
            if (hashes[slot] == hash && Arrays.equals(k, 0, k.length, buf, s, e)) return slot;
            slot = (slot + 1) & mask;
        }
    }

    /** Adds a series (absent per {@link #find}); returns its slot. */
    int insert(byte[] buf, int s, int e, long hash, long ref, Labels l) {
        if ((size + 1) * 4 > keys.length * 3) rebuild(keys.length * 2, 0);
        int mask = keys.length - 1;
        int slot = mix(hash) & mask;
        while (keys[slot] != null) slot = (slot + 1) & mask;
        keys[slot] = Arrays.copyOfRange(buf, s, e);
        hashes[slot] = hash;
        refs[slot] = ref;
        labels[slot] = l;
        seen[slot] = 0;
        prevSeen[slot] = 0;
        tracked[slot] = false;
        size++;
        return slot;
    }

    long ref(int slot) {
        return refs[slot];
    }

    void ref(int slot, long ref) {
        refs[slot] = ref;
    }

    Labels labels(int slot) {
        return labels[slot];
    }

    /** Marks the series as present in the current scrape; {@code trackStaleness} when it had no timestamp. */
    void markSeen(int slot, boolean trackStaleness) {
        if (seen[slot] != iteration) {
            prevSeen[slot] = seen[slot];
            seen[slot] = iteration;
        }
        tracked[slot] = trackStaleness;
    }

    /** Undoes this iteration's {@link #markSeen} calls: the scrape failed and counts as empty. */
    void forgetIteration() {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && seen[i] == iteration) seen[i] = prevSeen[i];
        }
    }

    /** Calls {@code f} for each tracked series seen in the previous iteration but not in this one. */
    void forEachStale(StaleSink f) {
        int prev = iteration - 1;
        if (prev <= 0) return; // the first scrape has no previous one (0 means never seen)
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && seen[i] == prev && tracked[i] && refs[i] != DROPPED) f.stale(refs[i], labels[i]);
        }
    }

    /** Calls {@code f} for each tracked series seen in the current iteration (a target going away). */
    void forEachCurrent(StaleSink f) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != null && seen[i] == iteration && tracked[i] && refs[i] != DROPPED) f.stale(refs[i], labels[i]);
        }
    }

    /** Ends the current iteration: the next scrape's series are compared with this one's. */
    void endIteration() {
        int oldest = iteration - EVICT_AFTER_ITERATIONS;
        int evictable = 0;
        if (oldest > 0) {
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] != null && seen[i] < oldest) evictable++;
            }
        }
        if (evictable > 0 && evictable * 4 >= size) rebuild(keys.length, oldest);
        iteration++;
    }

    private void rebuild(int cap, int minSeen) {
        long[] h = hashes;
        byte[][] k = keys;
        long[] r = refs;
        Labels[] l = labels;
        int[] sn = seen;
        int[] ps = prevSeen;
        boolean[] tr = tracked;
        int live = 0;
        for (int i = 0; i < k.length; i++) {
            if (k[i] != null && sn[i] >= minSeen) live++;
        }
        while (live * 4 > cap * 3) cap *= 2;
        alloc(cap);
        int mask = cap - 1;
        for (int i = 0; i < k.length; i++) {
            if (k[i] == null || sn[i] < minSeen) continue;
            int slot = mix(h[i]) & mask;
            while (keys[slot] != null) slot = (slot + 1) & mask;
            keys[slot] = k[i];
            hashes[slot] = h[i];
            refs[slot] = r[i];
            labels[slot] = l[i];
            seen[slot] = sn[i];
            prevSeen[slot] = ps[i];
            tracked[slot] = tr[i];
            size++;
        }
    }

    private static int mix(long h) {
        return (int) (h ^ (h >>> 32));
    }

    /** Receives a series that needs a stale marker. */
    @FunctionalInterface
    interface StaleSink {
        void stale(long ref, Labels labels);
    }
}
