package dev.vigil.ingest.remotewrite;

import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.await;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.config;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.management.OperatingSystemMXBean;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.db.Db;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * CPU cost of forwarding: a WAL backlog of 1M samples (10k series) is sent to a real
 * VictoriaMetrics; prints samples/s and the sender's CPU per 100k samples/s. The receiver runs in
 * its own process, so the JVM's process CPU time is the sender's (plus GC). Run with
 * {@code -Dvigil.bench=true}.
 */
@EnabledIfSystemProperty(named = "vigil.bench", matches = "true")
class RemoteWriteThroughputBench {
    @TempDir
    Path dir;

    @Test
    void forward_a_backlog_to_victoria_metrics() throws Exception {
        int series = 10_000;
        int perSeries = 100;
        try (ReceiverProcess rx = new ReceiverProcess(ReceiverProcess.Kind.VICTORIA_METRICS, dir.resolve("rx"));
                Db db = Db.open(dir.resolve("data"), opts())) {
            rx.start();
            Labels[] ls = new Labels[series];
            for (int s = 0; s < series; s++) ls[s] = Labels.of("__name__", "bench", "instance", "host-" + (s / 100), "i", Integer.toString(s));
            long[] refs = new long[series];
            long t0 = System.currentTimeMillis() - perSeries * 1000L;
            for (int k = 0; k < perSeries; k++) {
                Appender a = db.appender();
                for (int s = 0; s < series; s++) refs[s] = a.append(refs[s], ls[s], t0 + k * 1000L, k);
                a.commit();
            }
            // send the whole WAL, not only what comes after the start
            Files.createDirectories(dir.resolve("data/remote_write"));
            Files.writeString(dir.resolve("data/remote_write/bench.position"), WalTailer.firstSegment(db.walDir()) + " 0\n");
            OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long total = (long) series * perSeries;
            // the first runs warm the JIT up; a running server forwards with compiled code
            String one = "min_shards: 1, max_shards: 1";
            for (String shards : new String[] {one, one, one, one, one, one, "min_shards: 4, max_shards: 4"}) {
                Files.writeString(dir.resolve("data/remote_write/bench.position"), WalTailer.firstSegment(db.walDir()) + " 0\n");
                long cpu0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                try (RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
                    m.apply(config("""
                            remote_write:
                              - url: %s
                                name: bench
                                queue_config: {%s, max_samples_per_send: 2000, capacity: 10000}
                            """.formatted(rx.writeUrl(), shards)));
                    await(() -> m.stats().getFirst().samplesSent() == total, 300_000, "all sent");
                    long wallNs = System.nanoTime() - wall0;
                    long cpuNs = os.getProcessCpuTime() - cpu0;
                    double rate = total / (wallNs / 1e9);
                    double corePer100k = (cpuNs / 1e9) / total * 100_000;
                    System.out.printf("remote-write bench [%s]: %d samples in %.2f s = %.0f samples/s; CPU %.2f s = %.1f %% of one core at 100k samples/s; %.1f bytes/sample on the wire%n",
                            shards, total, wallNs / 1e9, rate, cpuNs / 1e9, corePer100k * 100, (double) m.stats().getFirst().bytesSent() / total);
                    assertEquals(0, m.stats().getFirst().samplesFailed());
                }
            }
        }
    }
}
