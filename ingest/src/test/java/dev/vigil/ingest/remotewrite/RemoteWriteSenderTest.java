package dev.vigil.ingest.remotewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import dev.vigil.ingest.config.ConfigParser;
import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.db.Db;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sender against a recording receiver: what arrives, with which headers, and failure handling. */
class RemoteWriteSenderTest {
    @TempDir
    Path dir;

    static TsdbOptions opts() {
        return TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
    }

    static PrometheusConfig config(String yaml) {
        return ConfigParser.parse(yaml, "test.yml", Path.of("."), k -> null);
    }

    /** Appends {@code series} series x {@code samples} samples, one commit per timestamp; returns the labels used. */
    static Labels[] append(Db db, int series, int samples, long t0) {
        Labels[] ls = new Labels[series];
        for (int s = 0; s < series; s++) ls[s] = Labels.of("__name__", "m", "i", Integer.toString(s));
        long[] refs = new long[series];
        for (int k = 0; k < samples; k++) {
            Appender a = db.appender();
            for (int s = 0; s < series; s++) refs[s] = a.append(refs[s], ls[s], t0 + k * 1000L, s * 1000 + k);
            a.commit();
        }
        return ls;
    }

    static void await(BooleanSupplier cond, long timeoutMs, String what) throws InterruptedException {
        long end = System.currentTimeMillis() + timeoutMs;
        while (!cond.getAsBoolean()) {
            if (System.currentTimeMillis() > end) throw new AssertionError("timed out waiting: " + what);
            Thread.sleep(20);
        }
    }

    static String yaml(String url, String extra) {
        return """
                global:
                  external_labels: {cluster: c1}
                remote_write:
                  - url: %s
                    name: r
                    headers: {X-Scope-OrgID: tenant-a}
                    http_headers: {X-Extra: {values: [one], secrets: [two]}}
                    basic_auth: {username: u, password: p}
                    queue_config: {max_samples_per_send: 100, batch_send_deadline: 50ms, min_backoff: 10ms, max_backoff: 50ms, capacity: 500, min_shards: 2, max_shards: 4}
                %s""".formatted(url, extra);
    }

    @Test
    void every_sample_arrives_with_external_labels_relabeling_and_headers() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            m.apply(config(yaml(rx.url(), """
                            write_relabel_configs:
                              - {source_labels: [i], regex: '7', action: drop}
                        """)));
            long t0 = System.currentTimeMillis() - 60_000;
            append(db, 20, 50, t0);
            await(() -> rx.samples() == 19 * 50, 20_000, "19 series x 50 samples");
            for (int s = 0; s < 20; s++) {
                String key = Map.of("__name__", "m", "cluster", "c1", "i", Integer.toString(s)).entrySet().stream()
                        .sorted(Map.Entry.comparingByKey()).map(Object::toString).toList().toString().replace("[", "{").replace("]", "}");
                List<RecordingReceiver.Sample> got = rx.accepted.get(key);
                if (s == 7) {
                    assertEquals(null, got, "dropped by write_relabel_configs");
                    continue;
                }
                assertEquals(50, got.size(), key);
                for (int k = 0; k < 50; k++) {
                    assertEquals(t0 + k * 1000L, got.get(k).t(), "in order, per series");
                    assertEquals(s * 1000 + k, got.get(k).v());
                }
            }
            Headers h = rx.headers.getFirst();
            assertEquals("snappy", h.getFirst("Content-Encoding"));
            assertEquals("application/x-protobuf", h.getFirst("Content-Type"));
            assertEquals("0.1.0", h.getFirst("X-Prometheus-Remote-Write-Version"));
            assertEquals("tenant-a", h.getFirst("X-Scope-OrgID"));
            assertEquals(java.util.List.of("one", "two"), h.get("X-Extra"), "http_headers, every value");
            assertTrue(h.getFirst("User-Agent").startsWith("Vigil/"), h.getFirst("User-Agent"));
            assertEquals("Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)), h.getFirst("Authorization"));
            await(() -> m.stats().getFirst().samplesSent() == 950, 5000, "stats");
            RemoteWriteStats st = m.stats().getFirst();
            assertEquals(50, st.samplesDropped(), "the relabel-dropped series");
            assertEquals(0, st.samplesFailed());
            assertEquals(2, st.shards());
            assertTrue(m.exposition().contains("prometheus_remote_storage_samples_total{remote_name=\"r\""), m.exposition());
        }
    }

    @Test
    void metadata_config_sends_the_targets_metric_metadata_every_interval_in_batches() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            Map<String, dev.vigil.ingest.scrape.MetricMetadata> md = new java.util.TreeMap<>();
            md.put("http_requests_total", new dev.vigil.ingest.scrape.MetricMetadata(dev.vigil.ingest.parse.MetricType.COUNTER, "Requests served.", ""));
            md.put("node_memory_bytes", new dev.vigil.ingest.scrape.MetricMetadata(dev.vigil.ingest.parse.MetricType.GAUGE, "Memory.", "bytes"));
            md.put("rpc_duration_seconds", new dev.vigil.ingest.scrape.MetricMetadata(dev.vigil.ingest.parse.MetricType.HISTOGRAM, "RPC latency.", "seconds"));
            m.setMetadataSource(() -> md);
            m.apply(config(yaml(rx.url(), "    metadata_config: {send_interval: 200ms, max_samples_per_send: 2}\n")));
            // three families in requests of at most two, then again at the next interval
            await(() -> rx.metadataRequests.get() >= 4, 10_000, "two rounds of metadata");
            assertEquals(Types.MetricMetadata.MetricType.COUNTER, rx.metadata.get("http_requests_total").getType());
            assertEquals("Requests served.", rx.metadata.get("http_requests_total").getHelp());
            assertEquals("bytes", rx.metadata.get("node_memory_bytes").getUnit());
            assertEquals(Types.MetricMetadata.MetricType.HISTOGRAM, rx.metadata.get("rpc_duration_seconds").getType());
            assertEquals("tenant-a", rx.headers.getFirst().getFirst("X-Scope-OrgID"), "metadata requests carry the configured headers");
            await(() -> m.stats().getFirst().metadataSent() >= 6, 5000, "counted");
            assertTrue(m.exposition().contains("prometheus_remote_storage_metadata_total{remote_name=\"r\""), m.exposition());
        }
    }

    @Test
    void metadata_config_send_false_sends_none() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            m.setMetadataSource(() -> Map.of("up", new dev.vigil.ingest.scrape.MetricMetadata(dev.vigil.ingest.parse.MetricType.GAUGE, "", "")));
            m.apply(config(yaml(rx.url(), "    metadata_config: {send: false, send_interval: 100ms}\n")));
            append(db, 2, 5, System.currentTimeMillis() - 10_000);
            await(() -> rx.samples() == 10, 10_000, "the samples");
            Thread.sleep(500);
            assertEquals(0, rx.metadataRequests.get());
        }
    }

    @Test
    void protobuf_message_v2_sends_a_v2_request() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            m.apply(config(yaml(rx.url(), "    protobuf_message: io.prometheus.write.v2.Request\n")));
            long t0 = System.currentTimeMillis() - 60_000;
            append(db, 5, 30, t0);
            await(() -> rx.samples() == 150, 20_000, "150 samples");
            Headers h = rx.headers.getFirst();
            assertEquals("application/x-protobuf;proto=io.prometheus.write.v2.Request", h.getFirst("Content-Type"));
            assertEquals("2.0.0", h.getFirst("X-Prometheus-Remote-Write-Version"));
            assertEquals(30, rx.accepted.get("{__name__=m, cluster=c1, i=3}").size());
            assertEquals(3 * 1000 + 29, rx.accepted.get("{__name__=m, cluster=c1, i=3}").get(29).v());
        }
    }

    @Test
    void server_errors_are_retried_and_client_errors_dropped_and_counted() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            rx.status = () -> 503;
            m.apply(config(yaml(rx.url(), "")));
            long t0 = System.currentTimeMillis() - 60_000;
            append(db, 4, 10, t0);
            await(() -> m.stats().getFirst().samplesRetried() > 0, 10_000, "retries");
            assertEquals(0, rx.samples());
            rx.status = () -> 204;
            await(() -> rx.samples() == 40, 10_000, "all after the outage");
            // the receiver counts a batch before it answers, the sender only once it has the answer
            await(() -> m.stats().getFirst().samplesSent() == 40, 10_000, "40 counted as sent");

            rx.status = () -> 400;
            append(db, 4, 5, t0 + 100_000);
            await(() -> m.stats().getFirst().samplesFailed() == 20, 10_000, "4xx counted");
            rx.status = () -> 204;
            append(db, 4, 5, t0 + 200_000);
            await(() -> rx.samples() == 60, 10_000, "later samples still flow");
            assertEquals(20, m.stats().getFirst().samplesFailed(), "the refused batch is not resent");
        }
    }

    @Test
    void http_429_is_retried_only_when_configured() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
            rx.status = () -> n.getAndIncrement() < 3 ? 429 : 204;
            m.apply(config(yaml(rx.url(), "").replace("capacity: 500", "capacity: 500, retry_on_http_429: true")
                    .replace("min_shards: 2", "min_shards: 1")));
            append(db, 1, 10, System.currentTimeMillis() - 60_000);
            await(() -> rx.samples() == 10, 10_000, "429 retried");
            assertEquals(0, m.stats().getFirst().samplesFailed());

            m.apply(config(yaml(rx.url(), "").replace("min_shards: 2", "min_shards: 1")));
            n.set(0);
            append(db, 1, 10, System.currentTimeMillis() - 30_000);
            await(() -> m.stats().getFirst().samplesFailed() > 0, 10_000, "429 refused without retry_on_http_429");
        }
    }

    @Test
    void closed_during_an_outage_resends_from_the_persisted_position_after_restart() throws Exception {
        Path data = dir.resolve("data");
        long t0 = System.currentTimeMillis() - 120_000;
        try (RecordingReceiver rx = new RecordingReceiver()) {
            try (Db db = Db.open(data, opts())) {
                RemoteWriteManager m = RemoteWriteManager.forStorage(db);
                m.apply(config(yaml(rx.url(), "")));
                append(db, 10, 10, t0);
                await(() -> rx.samples() == 100, 10_000, "before the outage");
                rx.status = () -> 503;
                append(db, 10, 10, t0 + 10_000);
                await(() -> m.stats().getFirst().samplesRetried() > 0, 10_000, "outage seen");
                m.close(); // no flush: the 100 pending samples exist only in the WAL now
                assertTrue(Files.exists(data.resolve("remote_write/r.position")));
            }
            rx.status = () -> 204;
            try (Db db = Db.open(data, opts()); RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
                m.apply(config(yaml(rx.url(), "")));
                append(db, 10, 10, t0 + 20_000); // after a restart the head logs no series record for these
                await(() -> rx.samples() >= 300, 20_000, "the backlog and the new samples");
                Thread.sleep(300);
                for (int s = 0; s < 10; s++) {
                    List<RecordingReceiver.Sample> got = rx.accepted.get("{__name__=m, cluster=c1, i=" + s + "}");
                    assertEquals(30, got.stream().map(RecordingReceiver.Sample::t).distinct().count(), "no sample lost");
                    assertEquals(30, got.size(), "and none sent twice here (the resume position is exact at record starts)");
                }
                assertEquals(0, m.stats().getFirst().samplesDropped());
            }
        }
    }

    @Test
    void shards_grow_while_the_reader_waits_on_them_and_shrink_when_idle_keeping_order() throws Exception {
        long saved = RemoteQueue.reshardIntervalNanos;
        RemoteQueue.reshardIntervalNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            rx.delayMs = 20;
            m.apply(config("""
                    remote_write:
                      - url: %s
                        name: r
                        queue_config: {max_samples_per_send: 100, capacity: 200, batch_send_deadline: 20ms, min_shards: 1, max_shards: 4}
                    """.formatted(rx.url())));
            long t0 = System.currentTimeMillis() - 600_000;
            append(db, 100, 200, t0);
            int maxShards = 0;
            long end = System.currentTimeMillis() + 60_000;
            while (rx.samples() < 20_000 && System.currentTimeMillis() < end) {
                maxShards = Math.max(maxShards, m.stats().getFirst().shards());
                Thread.sleep(50);
            }
            assertEquals(20_000, rx.samples());
            assertTrue(maxShards > 1, "resharded up while behind: " + maxShards);
            await(() -> m.stats().getFirst().shards() == 1, 10_000, "back to min_shards when idle");
            for (int s = 0; s < 100; s++) {
                List<RecordingReceiver.Sample> got = rx.accepted.get("{__name__=m, i=" + s + "}");
                assertEquals(200, got.size());
                for (int k = 0; k < 200; k++) assertEquals(t0 + k * 1000L, got.get(k).t(), "order kept across resharding");
            }
        } finally {
            RemoteQueue.reshardIntervalNanos = saved;
        }
    }

    @Test
    void samples_older_than_sample_age_limit_are_dropped_and_counted() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            m.apply(config(yaml(rx.url(), "").replace("capacity: 500", "capacity: 500, sample_age_limit: 1m")));
            long now = System.currentTimeMillis();
            append(db, 2, 5, now - 300_000); // 5 minutes old
            append(db, 2, 5, now - 5_000);
            await(() -> rx.samples() == 10, 10_000, "the recent ones");
            await(() -> m.stats().getFirst().samplesDropped() == 10, 5_000, "the old ones counted");
        }
    }

    @Test
    void a_hanging_receiver_times_out_and_is_retried_until_it_answers() throws Exception {
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), opts());
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            rx.delayMs = 2000;
            m.apply(config(yaml(rx.url(), "    remote_timeout: 200ms\n")));
            append(db, 3, 10, System.currentTimeMillis() - 60_000);
            await(() -> m.stats().getFirst().samplesRetried() > 0, 10_000, "a timeout counted as a retry");
            assertTrue(m.stats().getFirst().lastError().contains("Timeout"), m.stats().getFirst().lastError());
            assertEquals(0, m.stats().getFirst().samplesSent());
            rx.delayMs = 0;
            await(() -> m.stats().getFirst().samplesSent() == 30, 10_000, "sent once it answers");
            assertEquals(0, m.stats().getFirst().samplesFailed());
        }
    }

    @Test
    void wal_segments_compacted_away_during_an_outage_are_skipped_and_counted_and_sending_goes_on() throws Exception {
        TsdbOptions small = opts().withBlockRange(10_000, 10_000).withSegmentSizes(2048, 1 << 20);
        try (RecordingReceiver rx = new RecordingReceiver(); Db db = Db.open(dir.resolve("data"), small);
                RemoteWriteManager m = RemoteWriteManager.forStorage(db)) {
            rx.status = () -> 503;
            m.apply(config(yaml(rx.url(), "").replace("capacity: 500", "capacity: 100")
                    .replace("max_samples_per_send: 100", "max_samples_per_send: 50")));
            long t0 = (System.currentTimeMillis() / 10_000) * 10_000 - 600_000;
            append(db, 20, 60, t0); // 60 s of data over many 2 KiB segments
            await(() -> m.stats().getFirst().samplesRetried() > 0, 10_000, "outage");
            db.compact(); // the oldest ranges become blocks; their WAL segments are deleted under the reader
            assertTrue(db.walDir().toFile().list().length > 0);
            rx.status = () -> 204;
            append(db, 20, 5, t0 + 60_000);
            await(() -> m.stats().getFirst().walSegmentsSkipped() > 0, 10_000, "the gap counted");
            await(() -> rx.accepted.getOrDefault("{__name__=m, cluster=c1, i=0}", List.of()).stream()
                    .anyMatch(x -> x.t() == t0 + 64_000), 10_000, "samples after the gap still arrive");
            assertEquals(0, m.stats().getFirst().samplesFailed());
        }
    }
}
