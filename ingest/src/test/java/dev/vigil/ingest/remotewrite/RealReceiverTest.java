package dev.vigil.ingest.remotewrite;

import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.append;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.await;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.config;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.tsdb.db.Db;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sender against real receivers (Debian's prometheus and victoria-metrics, which
 * {@code .ci/run} installs): everything appended to a Vigil TSDB arrives exactly, including what
 * was written while the receiver was down and what was pending when the sender was stopped
 * without flushing during that outage.
 */
class RealReceiverTest {
    static final int SERIES = 50;
    static final int PER_PHASE = 20;

    @TempDir
    Path dir;

    static PrometheusConfig cfg(String url) {
        return config("""
                global:
                  external_labels: {vigil: test}
                remote_write:
                  - url: %s
                    name: real
                    queue_config: {max_samples_per_send: 500, batch_send_deadline: 100ms, min_backoff: 20ms, max_backoff: 300ms, min_shards: 2}
                """.formatted(url));
    }

    @ParameterizedTest
    @EnumSource(ReceiverProcess.Kind.class)
    void everything_arrives_across_a_receiver_outage_and_a_sender_restart(ReceiverProcess.Kind kind) throws Exception {
        assertTrue(Files.isExecutable(kind.binary), kind.binary + " is needed (.ci/run installs it)");
        Path data = dir.resolve("vigil");
        long t0 = (System.currentTimeMillis() / 1000) * 1000 - 10 * 60_000; // within every receiver's accepted window
        try (ReceiverProcess rx = new ReceiverProcess(kind, dir.resolve("rx"))) {
            rx.start();
            try (Db db = Db.open(data, opts())) {
                RemoteWriteManager m = RemoteWriteManager.forStorage(db);
                m.apply(cfg(rx.writeUrl()));
                // 1. live: every series and sample arrives
                append(db, SERIES, PER_PHASE, t0);
                await(() -> m.stats().getFirst().samplesSent() == SERIES * PER_PHASE, 30_000, "phase 1 sent");
                assertStored(rx, PER_PHASE, t0);

                // 2. the receiver is down for a while; the backlog waits in the WAL
                rx.stop();
                append(db, SERIES, PER_PHASE, t0 + PER_PHASE * 1000L);
                await(() -> m.stats().getFirst().samplesRetried() > 0, 30_000, "retries during the outage");
                Thread.sleep(1000);
                assertTrue(m.stats().getFirst().lagSeconds() > 0, "lag while behind");
                rx.start();
                await(() -> m.stats().getFirst().samplesSent() == 2L * SERIES * PER_PHASE, 30_000, "backlog sent");
                assertStored(rx, 2 * PER_PHASE, t0);
                await(() -> m.stats().getFirst().lagSeconds() == 0, 10_000, "caught up");

                // 3. another outage, and the sender stops without flushing in the middle of it
                rx.stop();
                append(db, SERIES, PER_PHASE, t0 + 2 * PER_PHASE * 1000L);
                await(() -> m.stats().getFirst().samplesRetried() > 0 && m.stats().getFirst().samplesPending() > 0, 30_000, "pending");
                m.close();
            }
            rx.start();
            try (Db db = Db.open(data, opts()); RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
                m.apply(cfg(rx.writeUrl()));
                append(db, SERIES, PER_PHASE, t0 + 3 * PER_PHASE * 1000L);
                await(() -> m.stats().getFirst().samplesSent() >= (long) SERIES * PER_PHASE * 2, 30_000, "resent after restart");
                assertStored(rx, 4 * PER_PHASE, t0);
                RemoteWriteStats st = m.stats().getFirst();
                assertEquals(0, st.samplesFailed());
                assertEquals(0, st.samplesDropped());
            }
        }
    }

    /** Every series has exactly samples 0..n-1 (t0 + k s, value s*1000 + k modulo the phase). */
    private static void assertStored(ReceiverProcess rx, int n, long t0) throws Exception {
        long end = System.currentTimeMillis() + 20_000;
        Map<String, List<double[]>> got;
        while (true) {
            got = rx.samples("m");
            int total = got.values().stream().mapToInt(List::size).sum();
            if (total >= SERIES * n || System.currentTimeMillis() > end) break;
            Thread.sleep(200);
        }
        assertEquals(SERIES, got.size(), "series");
        for (int s = 0; s < SERIES; s++) {
            List<double[]> pts = got.get("{__name__=m, i=" + s + ", vigil=test}");
            assertEquals(n, pts.size(), "samples of series " + s);
            for (int k = 0; k < n; k++) {
                assertEquals(t0 + k * 1000L, (long) pts.get(k)[0], "timestamp");
                assertEquals(s * 1000 + k % PER_PHASE, pts.get(k)[1], "value");
            }
        }
    }
}
