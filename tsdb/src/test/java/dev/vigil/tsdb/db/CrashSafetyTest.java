package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM appends and commits in a loop and is killed with SIGKILL at random moments; after
 * each kill the storage reopens by itself and every sample whose commit returned is there, exact.
 */
class CrashSafetyTest {
    @TempDir
    Path dir;

    @Test
    void committed_samples_survive_sigkill() throws Exception {
        int cycles = Boolean.getBoolean("vigil.soak") ? 200 : 20;
        Random rnd = new Random(Long.getLong("vigil.seed", System.nanoTime()));
        long lastCommitted = 0;
        for (int cycle = 0; cycle < cycles; cycle++) {
            Process child = startChild();
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            long killAfterNanos = TimeUnit.MILLISECONDS.toNanos(50 + rnd.nextInt(1200));
            long readyAt = 0;
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ready")) {
                    readyAt = System.nanoTime();
                } else if (line.startsWith("committed ")) {
                    lastCommitted = Long.parseLong(line.substring(10));
                }
                if (readyAt != 0 && System.nanoTime() - readyAt > killAfterNanos) break;
            }
            child.destroyForcibly(); // SIGKILL on Linux
            child.waitFor(30, TimeUnit.SECONDS);
            if (readyAt == 0) {
                fail("child did not start: " + java.nio.file.Files.readString(dir.resolveSibling("child.err")));
            }
            verify(lastCommitted, cycle);
        }
    }

    private void verify(long lastCommitted, int cycle) {
        try (Storage db = Tsdb.open(dir, CrashChild.options().withBackground(0, System::currentTimeMillis))) {
            try (Querier q = db.querier()) {
                SeriesSet set = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT, Matcher.equal("__name__", "crash_test"));
                int seen = 0;
                SampleIterator it = null;
                while (set.next()) {
                    int s = Integer.parseInt(set.labels().get("series"));
                    it = set.iterator(it);
                    long expectT = CrashChild.STEP;
                    while (it.next() != SampleIterator.NONE) {
                        assertEquals(expectT, it.atT(), "gap in series " + s + " after cycle " + cycle);
                        assertEquals(CrashChild.value(s, expectT), it.atV(), "value of series " + s + " at " + expectT);
                        expectT += CrashChild.STEP;
                    }
                    assertTrue(expectT - CrashChild.STEP >= lastCommitted,
                            "series " + s + " lost committed samples: has up to " + (expectT - CrashChild.STEP)
                                    + ", committed " + lastCommitted + " (cycle " + cycle + ")");
                    seen++;
                }
                if (lastCommitted > 0) assertEquals(CrashChild.SERIES, seen, "series after cycle " + cycle);
            }
        }
    }

    private Process startChild() throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib") || a.startsWith("-javaagent")) continue;
            cmd.add(a);
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(CrashChild.class.getName());
        cmd.add(dir.toString());
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolveSibling("child.err").toFile())).start();
    }
}
