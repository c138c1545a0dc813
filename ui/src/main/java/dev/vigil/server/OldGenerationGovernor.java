package dev.vigil.server;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Keeps the serial collector's old generation from filling up with garbage.
 *
 * <p>The serial collector collects the old generation only when a young collection could not
 * promote into it any more, and it counts the whole maximum heap (a quarter of the machine's
 * memory by default) as room to grow into. Vigil promotes garbage steadily (an open chunk's
 * buffer is replaced by a larger copy as it fills), so without this the heap and the resident
 * memory would grow for hours before the first full collection. Every few seconds this compares
 * the old generation's use with what was live after the last full collection and asks for one
 * when the garbage exceeds half of that (and a floor), as G1's periodic collections would.
 * At 100k series a full collection takes about 0.1-0.2 s, and comes every few minutes.
 */
final class OldGenerationGovernor {
    /** Garbage allowed on top of the live data, as a share of it. */
    static final double GARBAGE_SHARE = 0.5;
    /** Garbage always allowed, so that a small heap is not collected over and over. */
    static final long GARBAGE_FLOOR_BYTES = 16L << 20;

    /** What the governor reads and does; the JVM's in production, a fake in tests. */
    interface OldGeneration {
        long usedBytes();

        /** Bytes in use right after the last full collection, 0 before the first. */
        long liveAfterLastCollectionBytes();

        void collect();
    }

    private final OldGeneration old;
    private long collections;

    OldGenerationGovernor(OldGeneration old) {
        this.old = old;
    }

    static boolean shouldCollect(long usedBytes, long liveAfterLastCollectionBytes) {
        return usedBytes > liveAfterLastCollectionBytes + Math.max(GARBAGE_FLOOR_BYTES, (long) (liveAfterLastCollectionBytes * GARBAGE_SHARE));
    }

    /** One check; returns whether it asked for a collection. */
    boolean check() {
        if (!shouldCollect(old.usedBytes(), old.liveAfterLastCollectionBytes())) return false;
        old.collect();
        collections++;
        return true;
    }

    long collections() {
        return collections;
    }

    /**
     * Starts a daemon thread that checks every {@code period}, when the JVM runs the serial
     * collector (other collectors bound their old generation themselves); empty otherwise.
     */
    static Optional<Thread> startForSerialCollector(Duration period) {
        List<GarbageCollectorMXBean> gcs = ManagementFactory.getGarbageCollectorMXBeans();
        boolean serial = gcs.stream().anyMatch(g -> g.getName().equals("MarkSweepCompact"));
        Optional<MemoryPoolMXBean> tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.getName().equals("Tenured Gen")).findFirst();
        if (!serial || tenured.isEmpty()) return Optional.empty();
        MemoryPoolMXBean pool = tenured.get();
        OldGenerationGovernor governor = new OldGenerationGovernor(new OldGeneration() {
            @Override
            public long usedBytes() {
                return pool.getUsage().getUsed();
            }

            @Override
            public long liveAfterLastCollectionBytes() {
                var after = pool.getCollectionUsage();
                return after == null ? 0 : after.getUsed();
            }

            @Override
            public void collect() {
                System.gc(); // a full collection under the serial collector
            }
        });
        Thread t = Thread.ofPlatform().daemon().name("vigil-old-gen-governor").start(() -> {
            try {
                while (true) {
                    Thread.sleep(period);
                    governor.check();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return Optional.of(t);
    }
}
