package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OldGenerationGovernorTest {
    private static final long MIB = 1L << 20;

    @Test
    void asks_for_a_collection_when_garbage_exceeds_half_the_live_data_or_the_floor() {
        long floor = OldGenerationGovernor.GARBAGE_FLOOR_BYTES;
        assertFalse(OldGenerationGovernor.shouldCollect(floor, 0), "a small heap before any collection");
        assertTrue(OldGenerationGovernor.shouldCollect(floor + 1, 0));
        assertFalse(OldGenerationGovernor.shouldCollect(20 * MIB + floor, 20 * MIB), "the floor, not half, for small live data");
        assertFalse(OldGenerationGovernor.shouldCollect(150 * MIB, 100 * MIB));
        assertTrue(OldGenerationGovernor.shouldCollect(150 * MIB + 1, 100 * MIB));

        long[] used = {10 * MIB};
        long[] live = {0};
        List<String> calls = new ArrayList<>();
        OldGenerationGovernor g = new OldGenerationGovernor(new OldGenerationGovernor.OldGeneration() {
            public long usedBytes() {
                return used[0];
            }

            public long liveAfterLastCollectionBytes() {
                return live[0];
            }

            public void collect() {
                calls.add("collect at " + used[0] / MIB);
                used[0] = live[0] = used[0] / 2; // half of it was garbage
            }
        });
        assertFalse(g.check());
        used[0] = 40 * MIB;
        assertTrue(g.check());
        assertFalse(g.check(), "right after a collection nothing is due");
        used[0] = 40 * MIB;
        assertTrue(g.check());
        assertEquals(List.of("collect at 40", "collect at 40"), calls);
        assertEquals(2, g.collections());
    }

    @Test
    void bounds_the_old_generation_of_a_serial_collector_jvm_that_promotes_garbage() throws Exception {
        long without = peakOldGenMiB(false);
        long with = peakOldGenMiB(true);
        // 16 MiB live, 2 GiB promoted over the run: without the governor the old generation fills
        // with garbage towards the maximum heap; with it, it stays near live + max(16 MiB, live/2)
        assertTrue(without > 400, "without the governor the old generation peaked at " + without + " MiB");
        assertTrue(with < 160, "with the governor the old generation peaked at " + with + " MiB (without: " + without + ")");
    }

    private static long peakOldGenMiB(boolean governor) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-XX:+UseSerialGC", "-Xms16m", "-Xmx1g", "-XX:MaxNewSize=4m",
                "-XX:MaxTenuringThreshold=0", "-cp", System.getProperty("java.class.path"), Churn.class.getName(),
                Boolean.toString(governor))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the churning JVM finished");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.exitValue(), out);
        String last = out.lines().reduce((a, b) -> b).orElseThrow();
        return Long.parseLong(last.replace("peak ", "").trim());
    }

    /** Keeps 16 MiB live and replaces it piece by piece; every piece lives through a young collection. */
    public static final class Churn {
        public static void main(String[] args) throws Exception {
            if (Boolean.parseBoolean(args[0])) OldGenerationGovernor.startForSerialCollector(Duration.ofMillis(10));
            byte[][] live = new byte[2048][];
            for (int i = 0; i < live.length; i++) live[i] = new byte[8192];
            java.util.SplittableRandom random = new java.util.SplittableRandom(1);
            for (int round = 0; round < 4096; round++) {
                for (int i = 0; i < 64; i++) live[random.nextInt(live.length)] = new byte[8192]; // 512 KiB
                if (round % 16 == 0) Thread.sleep(1);
            }
            MemoryPoolMXBean tenured = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(m -> m.getName().equals("Tenured Gen")).findFirst().orElseThrow();
            System.out.println("peak " + tenured.getPeakUsage().getUsed() / MIB);
        }
    }
}
