package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerTest {
    @TempDir
    Path dir;

    @Test
    void serves_health_and_its_own_storage_metrics() throws Exception {
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"});
        try (Server s = Server.start(flags, () -> {}, true)) {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.http.port();
            HttpResponse<String> health = c.send(HttpRequest.newBuilder(URI.create(base + "/-/healthy")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            s.recordSelf("test:1");
            HttpResponse<String> metrics = c.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
            // self-monitoring wrote up + the storage metrics as series, and counted them
            assertTrue(metrics.body().contains("prometheus_tsdb_head_series "), metrics.body());
            long series = s.storage.stats().headSeries();
            assertTrue(series > 10, "self-monitoring series in the head: " + series);
            assertTrue(metrics.body().contains("vigil_tsdb_rejected_samples_total{reason=\"out_of_order\"} 0"), metrics.body());
        }
    }

    @Test
    void flags_follow_prometheus_names_and_reject_unknown_ones() {
        Flags f = Flags.parse(new String[] {"--storage.tsdb.retention.time=2w", "--storage.tsdb.retention.size", "512MB"});
        assertEquals(14L * 86_400_000, f.retentionMs());
        assertEquals(512L << 20, f.retentionBytes());
        assertEquals("0.0.0.0:9090", f.listenAddress());
        assertEquals(Path.of("data"), f.storagePath());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Flags.parse(new String[] {"--nope=1"}));
        assertTrue(e.getMessage().contains("--nope"));
        assertEquals(90 * 60_000L, Durations.parse("1h30m"));
        assertThrows(IllegalArgumentException.class, () -> Durations.parse("1x"));
    }
}
