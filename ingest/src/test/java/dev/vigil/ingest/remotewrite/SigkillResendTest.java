package dev.vigil.ingest.remotewrite;

import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.append;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.await;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.db.Db;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vigil killed with SIGKILL during a receiver outage resends after its restart: a child JVM
 * (Db + queue) is killed while it retries; the parent restarts the receiver (Debian's
 * victoria-metrics), reopens the data directory and starts the queue, and every sample arrives.
 * {@code -Dvigil.remoteWriteOutageSeconds=600} keeps the receiver down (the child retrying) that
 * long before the kill: the "10-minute outage plus a restart", run by hand, not in CI.
 */
class SigkillResendTest {
    static final int SERIES = 30;
    static final int PER_PHASE = 20;

    @TempDir
    Path dir;

    @Test
    void killed_during_an_outage_resends_after_restart() throws Exception {
        ReceiverProcess.Kind kind = ReceiverProcess.Kind.VICTORIA_METRICS;
        assertTrue(Files.isExecutable(kind.binary), kind.binary + " is needed (.ci/run installs it)");
        Path data = dir.resolve("vigil");
        long t0 = (System.currentTimeMillis() / 1000) * 1000 - 10 * 60_000;
        try (ReceiverProcess rx = new ReceiverProcess(kind, dir.resolve("rx"))) {
            rx.start();
            Process child = startChild(data, rx.writeUrl(), t0);
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()));
                assertEquals("PHASE1", out.readLine(), "child: phase 1 sent (see child.err)");
                rx.stop();
                PrintStream in = new PrintStream(child.getOutputStream(), true);
                in.println("GO");
                assertEquals("PHASE2", out.readLine(), "child: retrying phase 2 (see child.err)");
                long outageMs = Long.getLong("vigil.remoteWriteOutageSeconds", 0) * 1000;
                if (outageMs > 0) {
                    Thread.sleep(outageMs);
                    assertTrue(child.isAlive(), "the child still retries after the outage");
                }
            } finally {
                child.destroyForcibly(); // SIGKILL, to the child this test started
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            }
            assertEquals(137, child.exitValue(), "killed by SIGKILL");
            rx.start();
            try (Db db = Db.open(data, opts()); RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
                m.apply(RealReceiverTest.cfg(rx.writeUrl()));
                append(db, SERIES, PER_PHASE, t0 + 2 * PER_PHASE * 1000L);
                await(() -> m.stats().getFirst().samplesSent() >= 2L * SERIES * PER_PHASE, 30_000, "phase 2 resent, phase 3 sent");
                Map<String, List<double[]>> got = Map.of();
                long end = System.currentTimeMillis() + 20_000;
                while (System.currentTimeMillis() < end) {
                    got = rx.samples("m");
                    if (got.values().stream().mapToInt(List::size).sum() >= SERIES * 3 * PER_PHASE) break;
                    Thread.sleep(200);
                }
                assertEquals(SERIES, got.size());
                for (int s = 0; s < SERIES; s++) {
                    List<double[]> pts = got.get("{__name__=m, i=" + s + ", vigil=test}");
                    assertEquals(3 * PER_PHASE, pts.size(), "series " + s + ": nothing lost across the kill");
                    for (int k = 0; k < pts.size(); k++) assertEquals(t0 + k * 1000L, (long) pts.get(k)[0]);
                }
            }
        }
    }

    private Process startChild(Path data, String url, long t0) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("-agentlib") || a.startsWith("-javaagent")) continue;
            cmd.add(a);
        }
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SenderChild.class.getName());
        cmd.addAll(List.of(data.toString(), url, Long.toString(t0), Integer.toString(SERIES), Integer.toString(PER_PHASE)));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("child.err").toFile())).start();
    }
}
