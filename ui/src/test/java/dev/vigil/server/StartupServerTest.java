package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.ReplayProgress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While the storage opens, the address answers as Prometheus's does during WAL replay; then the server takes over. */
class StartupServerTest {
    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newHttpClient();

    HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void duringReplayShowsProgressAndIsNotReady() throws Exception {
        int port = freePort();
        ReplayProgress progress = new ReplayProgress();
        progress.start(3, 9);
        progress.at(5);
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:" + port});
        try (StartupServer early = StartupServer.start(flags, progress)) {
            assertNotNull(early);
            assertEquals("{\"status\":\"success\",\"data\":{\"min\":3,\"max\":9,\"current\":5}}", get(port, "/api/v1/status/walreplay").body());
            progress.at(7);
            assertTrue(get(port, "/api/v1/status/walreplay").body().contains("\"current\":7"));
            assertEquals(503, get(port, "/-/ready").statusCode());
            assertEquals(503, get(port, "/api/v1/query?query=up").statusCode());
            assertEquals(200, get(port, "/-/healthy").statusCode());
            HttpResponse<String> page = get(port, "/status");
            assertEquals(200, page.statusCode());
            assertTrue(page.body().contains("<main id=\"app\">"), page.body());
        }
    }

    @Test
    void serverTakesTheAddressOverAndReportsTheFinishedReplay() throws Exception {
        int port = freePort();
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:" + port});
        try (Server s = Server.start(flags, () -> {}, false)) {
            assertEquals(port, s.port());
            assertEquals(200, get(port, "/-/ready").statusCode());
            String body = get(port, "/api/v1/status/walreplay").body();
            assertTrue(body.matches("\\{\"status\":\"success\",\"data\":\\{\"min\":(\\d+),\"max\":(\\d+),\"current\":\\2}}"), body);
        }
    }
}
