package dev.vigil.ingest.scrape;

import java.util.Arrays;

/**
 * Body buffers shared by all scrape loops, in power-of-two size classes (as Prometheus's
 * {@code util/pool}): a loop holds a buffer only while it fetches and parses, so memory follows
 * the number of scrapes in flight, not the number of targets. Thread-safe; per class a small
 * stack under its own lock, so taking and returning a buffer allocates nothing.
 */
final class BufferPool {
    static final int MIN_SIZE = 4 << 10;
    private static final int CLASSES = 20; // 4 KiB .. 2 GiB
    private static final int KEEP_PER_CLASS = 64; // beyond this, returned buffers are left to the GC

    private final byte[][][] stacks = new byte[CLASSES][KEEP_PER_CLASS][];
    private final int[] depth = new int[CLASSES];
    private final Object[] locks = new Object[CLASSES];

    BufferPool() {
        for (int i = 0; i < CLASSES; i++) locks[i] = new Object();
    }

    private static int classOf(int size) {
        int c = 32 - Integer.numberOfLeadingZeros(Math.max(MIN_SIZE, size) - 1) - 12;
        return Math.min(c, CLASSES - 1);
    }

    /** A buffer of at least {@code minSize} bytes (contents undefined). */
    byte[] get(int minSize) {
        int c = classOf(minSize);
        synchronized (locks[c]) {
            if (depth[c] > 0) {
                byte[] b = stacks[c][--depth[c]];
                stacks[c][depth[c]] = null;
                if (b.length >= minSize) return b;
            }
        }
        return new byte[Math.max(minSize, MIN_SIZE << c)];
    }

    /** A buffer of at least {@code minSize} bytes holding the first {@code used} bytes of {@code old}, which is returned. */
    byte[] grow(byte[] old, int used, int minSize) {
        byte[] b = get(Math.max(minSize, old.length * 2));
        System.arraycopy(old, 0, b, 0, used);
        put(old);
        return b;
    }

    /** Returns a buffer; the caller must not use it afterwards. */
    void put(byte[] b) {
        if (b == null || b.length < MIN_SIZE) return;
        // File by the largest class it fully serves.
        int c = Math.min(31 - Integer.numberOfLeadingZeros(b.length) - 12, CLASSES - 1);
        synchronized (locks[c]) {
            if (depth[c] < KEEP_PER_CLASS) stacks[c][depth[c]++] = b;
        }
    }

    /** Buffers held, for tests. */
    int held() {
        int n = 0;
        for (int c = 0; c < CLASSES; c++) {
            synchronized (locks[c]) {
                n += depth[c];
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return "BufferPool" + Arrays.toString(depth);
    }
}
