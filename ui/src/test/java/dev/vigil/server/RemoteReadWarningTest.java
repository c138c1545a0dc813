package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A remote_read endpoint that is down: queries still answer from local data, with a warning naming the remote. */
class RemoteReadWarningTest {
    @TempDir
    Path dir;

    @Test
    void a_remote_that_is_down_is_a_warning_on_an_answer_from_local_data() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, """
                remote_read:
                  - url: http://127.0.0.1:%d/api/v1/read
                    name: archive
                    read_recent: true
                    remote_timeout: 2s
                """.formatted(closedPort));
        Flags flags = Flags.parse(new String[] {"--storage.tsdb.path", dir.resolve("data").toString(), "--web.listen-address=127.0.0.1:0",
                "--config.file", config.toString()});
        try (Server s = Server.start(flags, () -> {}, false)) {
            long now = System.currentTimeMillis();
            Appender app = s.storage.appender();
            app.append(0, Labels.of("__name__", "local_metric", "job", "x"), now - 1_000, 7);
            app.commit();
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port()
                    + "/api/v1/query?query=local_metric&time=" + now / 1000.0)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("\"metric\":{\"__name__\":\"local_metric\",\"job\":\"x\"},\"value\":["), r.body());
            assertTrue(r.body().contains("\"warnings\":[\"remote_read archive: "), r.body());
            assertTrue(!r.body().contains("archive: null"), "the warning says what failed: " + r.body());
        }
    }
}
