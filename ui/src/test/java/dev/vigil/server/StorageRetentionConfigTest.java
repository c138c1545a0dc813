package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** storage.tsdb.retention in prometheus.yml wins over the flags and follows reloads, as in Prometheus 3. */
class StorageRetentionConfigTest {
    @TempDir
    Path dir;

    @Test
    void config_file_retention_overrides_the_flags_until_removed() throws Exception {
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "storage:\n  tsdb:\n    retention:\n      time: 2h\n      size: 1GB\n");
        try (Server s = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:0", "--config.file", config.toString(), "--web.enable-lifecycle",
                "--storage.tsdb.retention.time=30d"}), () -> {}, false)) {
            HttpClient c = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + s.port();
            assertTrue(get(c, base + "/api/v1/status/runtimeinfo").contains("\"storageRetention\":\"2h or 1GiB\""));

            Files.writeString(config, "storage:\n  tsdb:\n    retention:\n      size: 512MB\n");
            assertEquals(200, post(c, base + "/-/reload"));
            assertTrue(get(c, base + "/api/v1/status/runtimeinfo").contains("\"storageRetention\":\"30d or 512MiB\""),
                    "time falls back to its flag");

            Files.writeString(config, "global:\n  scrape_interval: 15s\n");
            assertEquals(200, post(c, base + "/-/reload"));
            assertTrue(get(c, base + "/api/v1/status/runtimeinfo").contains("\"storageRetention\":\"30d\""));

            Files.writeString(config, "storage:\n  tsdb:\n    retention:\n      time: banana\n");
            assertEquals(500, post(c, base + "/-/reload"));
            assertTrue(get(c, base + "/api/v1/status/runtimeinfo").contains("\"storageRetention\":\"30d\""), "a failed reload changes nothing");
        }
    }

    private static String get(HttpClient c, String url) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static int post(HttpClient c, String url) throws Exception {
        return c.send(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }
}
