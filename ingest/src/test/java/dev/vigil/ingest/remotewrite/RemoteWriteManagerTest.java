package dev.vigil.ingest.remotewrite;

import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.append;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.await;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.config;
import static dev.vigil.ingest.remotewrite.RemoteWriteSenderTest.opts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.db.Db;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Applying remote_write lists by difference. */
class RemoteWriteManagerTest {
    @TempDir
    Path dir;

    static String two(String urlA, String urlB, String extraB) {
        return """
                remote_write:
                  - url: %s
                    name: a
                    queue_config: {batch_send_deadline: 50ms}
                  - url: %s
                    queue_config: {batch_send_deadline: 50ms%s}
                """.formatted(urlA, urlB, extraB);
    }

    @Test
    void unchanged_remotes_keep_running_changed_ones_restart_at_their_position_removed_ones_stop() throws Exception {
        try (RecordingReceiver a = new RecordingReceiver(); RecordingReceiver b = new RecordingReceiver();
                Db db = Db.open(dir.resolve("data"), opts()); RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            assertEquals(List.of(), m.apply(config(two(a.url(), b.url(), ""))));
            RemoteQueue qa = m.queue("a");
            String idB = m.stats().get(1).name();
            assertTrue(idB.startsWith("url-"), "an unnamed remote is known by its URL: " + idB);
            RemoteQueue qb = m.queue(idB);
            long t0 = System.currentTimeMillis() - 60_000;
            append(db, 3, 10, t0);
            await(() -> a.samples() == 30 && b.samples() == 30, 10_000, "both");

            // The receiver counts a batch before its answer reaches the sender, and the position is
            // persisted after the answer: wait for that, or the restart rightly resends the batch.
            long walEnd = WalTailer.endOf(db.walDir());
            await(() -> WalTailer.pos(m.stats().get(1).segment(), m.stats().get(1).offset()) == walEnd, 5000, "b's position persisted");
            m.apply(config(two(a.url(), b.url(), ", max_samples_per_send: 7")));
            assertSame(qa, m.queue("a"), "unchanged: the same queue");
            assertNotSame(qb, m.queue(idB), "changed: a new queue");
            append(db, 3, 10, t0 + 10_000);
            await(() -> a.samples() == 60 && b.samples() == 60, 10_000, "both again");
            Thread.sleep(200);
            assertEquals(60, b.samples(), "the restarted queue resumed at its position: nothing sent twice");

            m.apply(config("""
                    remote_write:
                      - url: %s
                        name: a
                        queue_config: {batch_send_deadline: 50ms}
                    """.formatted(a.url())));
            assertSame(qa, m.queue("a"));
            assertNull(m.queue(idB));
            assertEquals(1, m.stats().size());
            append(db, 3, 10, t0 + 20_000);
            await(() -> a.samples() == 90, 10_000, "a only");
            Thread.sleep(200);
            assertEquals(60, b.samples(), "the removed remote stopped");
        }
    }

    @Test
    void a_remote_that_cannot_start_is_reported_and_the_others_run() throws Exception {
        try (RecordingReceiver a = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            List<String> errors = m.apply(config("""
                    remote_write:
                      - url: %s
                        name: a
                        queue_config: {batch_send_deadline: 50ms}
                      - url: http://127.0.0.1:1/api/v1/write
                        name: broken
                        tls_config: {ca_file: /nonexistent/ca.pem}
                    """.formatted(a.url())));
            assertEquals(1, errors.size(), errors.toString());
            assertTrue(errors.getFirst().contains("broken"), errors.getFirst());
            append(db, 2, 5, System.currentTimeMillis() - 60_000);
            await(() -> a.samples() == 10, 10_000, "a runs");
        }
    }
}
