package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.xerial.snappy.Snappy;

/**
 * The server forwards what it scrapes with remote_write together with the scrape targets' metric
 * metadata (metadata_config), and shows each queue's state at /api/v1/vigil/remote_write and on the
 * Status page.
 */
class RemoteWriteStatusTest {
    @TempDir
    Path dir;

    @Test
    void forwardsSamplesAndMetadataAndShowsTheQueue() throws Exception {
        Map<String, Types.MetricMetadata> metadata = new ConcurrentHashMap<>();
        AtomicLong samples = new AtomicLong();
        HttpServer rx = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rx.createContext("/api/v1/write", ex -> {
            Remote.WriteRequest req = Remote.WriteRequest.parseFrom(Snappy.uncompress(ex.getRequestBody().readAllBytes()));
            for (Types.MetricMetadata m : req.getMetadataList()) metadata.put(m.getMetricFamilyName(), m);
            for (Types.TimeSeries ts : req.getTimeseriesList()) samples.addAndGet(ts.getSamplesCount());
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        rx.start();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                global: {scrape_interval: 1s}
                scrape_configs:
                  - job_name: vigil
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                remote_write:
                  - url: http://127.0.0.1:%d/api/v1/write
                    name: recorder
                    metadata_config: {send_interval: 1s}
                """.formatted(port, rx.getAddress().getPort()));
        try (Server server = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(),
                "--web.listen-address=127.0.0.1:" + port, "--config.file=" + config}), () -> {}, false)) {
            long deadline = System.currentTimeMillis() + 20_000;
            while ((samples.get() == 0 || !metadata.containsKey("prometheus_target_scrapes_total")) && System.currentTimeMillis() < deadline) {
                Thread.sleep(200);
            }
            assertTrue(samples.get() > 0, "samples forwarded");
            Types.MetricMetadata m = metadata.get("prometheus_target_scrapes_total");
            assertEquals(Types.MetricMetadata.MetricType.COUNTER, m.getType(), "metadata of the scraped families: " + metadata.keySet());
            // The receiver counts a batch before it answers; the queue counts it as sent once the answer is in.
            String json;
            do {
                json = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/vigil/remote_write")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
            } while (!json.matches(".*\"samplesSent\":[1-9]\\d*.*") && System.currentTimeMillis() < deadline && sleep(200));
            assertTrue(json.startsWith("{\"status\":\"success\",\"data\":[{\"name\":\"recorder\",\"url\":\"http://127.0.0.1:"), json);
            assertTrue(json.matches(".*\"samplesSent\":[1-9]\\d*.*\"metadataSent\":[1-9]\\d*.*"), json);

            try (Browser browser = Browser.open()) {
                browser.get("http://127.0.0.1:" + port + "/status");
                browser.waitFor(By.cssSelector("table.remote-write tr.remote[data-name=recorder]"), 10);
                String row = browser.driver.findElement(By.cssSelector("tr.remote[data-name=recorder]")).getText();
                assertTrue(row.contains("recorder") && row.contains("/api/v1/write") && row.contains("ok"), row);
                browser.screenshot("status-remote-write");
                assertEquals(java.util.List.of(), browser.consoleErrors());
            }
        } finally {
            rx.stop(0);
        }
    }

    private static boolean sleep(long ms) throws InterruptedException {
        Thread.sleep(ms);
        return true;
    }
}
