package dev.vigil.ingest.scrape;

import dev.vigil.tsdb.Labels;
import java.util.Arrays;

/**
 * The per-target scrape cache: raw series text, as exposed (metric name and label block), to the
 * series ref and final label set. An unchanged series costs one compare of 8 bytes and one byte
 * compare of its text: no label parsing, no relabeling, no index lookup. Series dropped by metric
 * relabeling are cached too, so they are not relabeled again on every scrape.
 *
 * <h2>Design notes</h2>
 * Entries live in arrays in the order they were first seen: four adjacent longs each (hash, ref,
 * seen state, key position), key bytes in one arena, labels in a parallel array. A target exposes
 * its series in the same order scrape after scrape, so lookups first try the entry after the last
 * hit: in steady state every access is sequential and the hardware prefetcher hides memory
 * latency, which matters once a target's series no longer fit in the CPU caches (100k series make
 * about 15 MB here). Only a mispredicted lookup goes through the open-addressing index (linear
 * probing on the parser's 64-bit series hash). A hit allocates nothing.
 *
 * <p>Each entry carries the scrape iteration it was last seen in, which gives staleness for free:
 * an entry seen in the previous successful scrape and not in this one gets a stale marker. Entries
 * unseen for {@link #EVICT_AFTER_ITERATIONS} scrapes are dropped by compacting the arrays, which
 * keeps churn (e.g. a label holding a request id) bounded.
 *
 * <p>Owned by one scrape loop; not thread-safe. A reload may hand it to the target's next loop.
 */
final class ScrapeCache {
    /** {@link #ref} of a series that metric relabeling dropped. */
    static final long DROPPED = -1;
    // Long enough to ride out flapping series and a few failed scrapes, short enough to bound churn.
    static final int EVICT_AFTER_ITERATIONS = 10;

    private static final int STRIDE = 4; // hash, ref, state, key position
    private static final int HASH = 0;
    private static final int REF = 1;
    // state: bits 0-30 seen iteration (0 = never), bit 31 tracked before this iteration, bits 32-62
    // seen before this iteration, bit 63 tracked
    private static final int STATE = 2;
    // key: bit 63 validated by the OpenMetrics parser (else the text parser), arena offset in
    // bits 32-62, length in bits 0-31
    private static final int KEY = 3;
    private static final long OM_VALIDATED = Long.MIN_VALUE;
    private static final long TRACKED = Long.MIN_VALUE;
    private static final long PREV_TRACKED = 1L << 31;
    private static final long INT31 = 0x7fff_ffffL;

    private long[] entries = new long[256 * STRIDE];
    private Labels[] labels = new Labels[256];
    private byte[] arena = new byte[16 << 10];
    private int arenaUsed;
    private int size;
    private int[] index = new int[512]; // entry + 1 per slot, 0 = free
    private int expect; // the entry predicted for the next lookup
    private int iteration = 1;
    private boolean insertedThisIteration;

    int size() {
        return size;
    }

    /** The entry of the series text {@code buf[s, e)} with parser hash {@code hash}, or -1. */
    int find(byte[] buf, int s, int e, long hash) {
        int x = expect;
        if (x < size && entries[x * STRIDE + HASH] == hash && keyEquals(x, buf, s, e)) {
            expect = x + 1;
            return x;
        }
        int mask = index.length - 1;
        int slot = mix(hash) & mask;
        while (true) {
            int i = index[slot] - 1;
            if (i < 0) return -1;
            if (entries[i * STRIDE + HASH] == hash && keyEquals(i, buf, s, e)) {
                expect = i + 1;
                return i;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * The predicted entry (the one after the last hit) when {@code buf} at {@code s} starts with its
     * text, ending at or before {@code limit}; else -1. A hit advances the prediction.
     */
    int predicted(byte[] buf, int s, int limit) {
        int x = expect;
        if (x >= size) return -1;
        long key = entries[x * STRIDE + KEY];
        int off = offset(key);
        int len = (int) key;
        if (len == 0 || s + len > limit || !Arrays.equals(arena, off, off + len, buf, s, s + len)) return -1;
        expect = x + 1;
        return x;
    }

    /** The length of the entry's series text. */
    int keyLength(int i) {
        return (int) entries[i * STRIDE + KEY];
    }

    private boolean keyEquals(int i, byte[] buf, int s, int e) {
        long key = entries[i * STRIDE + KEY];
        int off = offset(key);
        int len = (int) key;
        return len == e - s && Arrays.equals(arena, off, off + len, buf, s, e);
    }

    /** Adds a series (absent per {@link #find}); returns its entry. */
    int insert(byte[] buf, int s, int e, long hash, long ref, Labels l) {
        if (size == labels.length) {
            entries = Arrays.copyOf(entries, entries.length * 2);
            labels = Arrays.copyOf(labels, labels.length * 2);
        }
        if ((size + 1) * 2 > index.length) reindex(index.length * 2);
        int len = e - s;
        if (arenaUsed + len > arena.length) arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaUsed + len));
        System.arraycopy(buf, s, arena, arenaUsed, len);
        int i = size++;
        insertedThisIteration = true;
        int b = i * STRIDE;
        entries[b + HASH] = hash;
        entries[b + REF] = ref;
        entries[b + STATE] = 0;
        entries[b + KEY] = ((long) arenaUsed << 32) | len;
        labels[i] = l;
        arenaUsed += len;
        addToIndex(i, hash);
        expect = i + 1;
        return i;
    }

    private void addToIndex(int i, long hash) {
        int mask = index.length - 1;
        int slot = mix(hash) & mask;
        while (index[slot] != 0) slot = (slot + 1) & mask;
        index[slot] = i + 1;
    }

    private void reindex(int cap) {
        index = new int[cap];
        for (int i = 0; i < size; i++) addToIndex(i, entries[i * STRIDE + HASH]);
    }

    long ref(int i) {
        return entries[i * STRIDE + REF];
    }

    void ref(int i, long ref) {
        entries[i * STRIDE + REF] = ref;
    }

    Labels labels(int i) {
        return labels[i];
    }

    private static int offset(long key) {
        return (int) ((key >>> 32) & INT31);
    }

    /** Whether the entry's text was last validated by a parser of this format ({@code om}: OpenMetrics). */
    boolean validatedAs(int i, boolean om) {
        return (entries[i * STRIDE + KEY] < 0) == om;
    }

    /** Records which format's parser last validated the entry's text. */
    void markValidated(int i, boolean om) {
        int b = i * STRIDE + KEY;
        entries[b] = om ? entries[b] | OM_VALIDATED : entries[b] & ~OM_VALIDATED;
    }

    private static int seen(long state) {
        return (int) (state & INT31);
    }

    /** Marks the series as present in the current scrape; {@code trackStaleness} when it had no timestamp. */
    void markSeen(int i, boolean trackStaleness) {
        int b = i * STRIDE + STATE;
        long st = entries[b];
        long prev;
        long prevTracked;
        if (seen(st) == iteration) { // seen twice in one scrape: keep what came before it
            prev = (st >>> 32) & INT31;
            prevTracked = st & PREV_TRACKED;
        } else {
            prev = st & INT31;
            prevTracked = st < 0 ? PREV_TRACKED : 0;
        }
        entries[b] = (trackStaleness ? TRACKED : 0) | (prev << 32) | prevTracked | iteration;
    }

    /**
     * Ends a failed scrape, which counts as an empty one: every tracked series of the previous
     * scrape gets a stale marker through {@code f}, seen now or not. The entries this scrape saw
     * stay in the cache as seen now but untracked (they have no sample to mark stale later), as
     * Prometheus's cache keeps them: a target that keeps failing part-way finds its series again
     * instead of parsing them, and counting them in scrape_series_added, at every failed scrape.
     */
    void failIteration(StaleSink f) {
        int prevIteration = iteration - 1;
        for (int i = 0; i < size; i++) {
            int b = i * STRIDE;
            long st = entries[b + STATE];
            boolean seenNow = seen(st) == iteration;
            int before = seenNow ? (int) ((st >>> 32) & INT31) : seen(st);
            boolean trackedBefore = seenNow ? (st & PREV_TRACKED) != 0 : st < 0;
            if (prevIteration > 0 && before == prevIteration && trackedBefore && entries[b + REF] != DROPPED) {
                f.stale(entries[b + REF], labels[i]);
            }
            if (seenNow) entries[b + STATE] = iteration;
        }
        expect = 0;
    }

    /** Calls {@code f} for each tracked series seen in the previous iteration but not in this one. */
    void forEachStale(StaleSink f) {
        int prev = iteration - 1;
        if (prev <= 0) return; // the first scrape has no previous one (0 means never seen)
        for (int i = 0; i < size; i++) {
            int b = i * STRIDE;
            long st = entries[b + STATE];
            if (seen(st) == prev && st < 0 && entries[b + REF] != DROPPED) f.stale(entries[b + REF], labels[i]);
        }
    }

    /** Ends the current iteration: the next scrape's series are compared with this one's. */
    void endIteration() {
        int oldest = iteration - EVICT_AFTER_ITERATIONS;
        if (oldest > 0) {
            int evictable = 0;
            for (int i = 0; i < size; i++) {
                if (seen(entries[i * STRIDE + STATE]) < oldest) evictable++;
            }
            if (evictable > 0 && evictable * 4 >= size) compact(oldest);
        }
        if (!insertedThisIteration) trimToSize();
        insertedThisIteration = false;
        iteration++;
        expect = 0;
    }

    /**
     * Gives back what doubling left unused once a target's series set stopped growing: at 2,000
     * series per target that is about a third of the cache (50 bytes per series). A target that
     * adds series again grows the arrays again, at most once per scrape that added some.
     */
    private void trimToSize() {
        int fit = Math.max(size + (size >>> 4), 16); // a little room for a few new series
        if (labels.length > fit + (fit >>> 2)) {
            entries = Arrays.copyOf(entries, fit * STRIDE);
            labels = Arrays.copyOf(labels, fit);
        }
        int arenaFit = Math.max(arenaUsed + (arenaUsed >>> 4), 1024);
        if (arena.length > arenaFit + (arenaFit >>> 2)) arena = Arrays.copyOf(arena, arenaFit);
    }

    /** Bytes held by this cache's arrays (headers counted at 16 bytes each), for tests. */
    long retainedBytes() {
        return 16L * 4 + entries.length * 8L + labels.length * 4L + arena.length + index.length * 4L;
    }

    /** Drops entries last seen before {@code minSeen}, keeping the order of the rest. */
    private void compact(int minSeen) {
        byte[] oldArena = arena;
        arena = new byte[Math.max(16 << 10, arenaUsed)];
        arenaUsed = 0;
        int n = 0;
        for (int i = 0; i < size; i++) {
            int b = i * STRIDE;
            if (seen(entries[b + STATE]) < minSeen) continue;
            long key = entries[b + KEY];
            int len = (int) key;
            System.arraycopy(oldArena, offset(key), arena, arenaUsed, len);
            int nb = n * STRIDE;
            entries[nb + HASH] = entries[b + HASH];
            entries[nb + REF] = entries[b + REF];
            entries[nb + STATE] = entries[b + STATE];
            entries[nb + KEY] = (key & OM_VALIDATED) | ((long) arenaUsed << 32) | len;
            labels[n] = labels[i];
            arenaUsed += len;
            n++;
        }
        Arrays.fill(labels, n, size, null);
        size = n;
        reindex(index.length);
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
