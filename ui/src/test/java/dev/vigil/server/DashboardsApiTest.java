package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /api/v1/vigil/dashboards over a running server: list, get, upload, delete, errors, and the flag. */
class DashboardsApiTest {
    @TempDir
    Path dir;

    Server server;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    void start(String... extra) {
        String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("--storage.tsdb.path", dir.toString(),
                "--web.listen-address=127.0.0.1:0"), java.util.Arrays.stream(extra)).toArray(String[]::new);
        server = Server.start(Flags.parse(args), () -> {}, false);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    HttpResponse<String> send(String method, String path, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void uploadGetListDelete() throws Exception {
        start();
        var up = send("POST", "/api/v1/vigil/dashboards", "{\"dashboard\": {\"title\": \"My board\", \"tags\": [\"x\"], \"panels\": []}}");
        assertEquals(200, up.statusCode());
        assertEquals("{\"status\":\"success\",\"data\":{\"uid\":\"my-board\",\"title\":\"My board\",\"source\":\"uploaded\"}}", up.body());
        assertEquals("{\"status\":\"success\",\"data\":{\"uid\":\"my-board\",\"title\":\"My board\",\"tags\":[\"x\"],\"panels\":[]}}",
                send("GET", "/api/v1/vigil/dashboards/my-board", null).body());
        assertEquals("{\"status\":\"success\",\"data\":[{\"uid\":\"my-board\",\"title\":\"My board\",\"tags\":[\"x\"],\"source\":\"uploaded\"},"
                        + "{\"uid\":\"node-exporter\",\"title\":\"Node Exporter\",\"tags\":[\"node_exporter\",\"linux\"],\"source\":\"builtin\"},"
                        + "{\"uid\":\"vigil\",\"title\":\"Vigil\",\"tags\":[\"vigil\",\"prometheus\"],\"source\":\"builtin\"}]}",
                send("GET", "/api/v1/vigil/dashboards", null).body());
        assertEquals("{\"status\":\"success\",\"data\":{\"uid\":\"my-board\"}}", send("DELETE", "/api/v1/vigil/dashboards/my-board", null).body());
        var gone = send("GET", "/api/v1/vigil/dashboards/my-board", null);
        assertEquals(404, gone.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"not_found\",\"error\":\"no dashboard with uid \\\"my-board\\\"\"}", gone.body());
    }

    @Test
    void badUpload_isBadDataNamingLineAndColumn() throws Exception {
        start();
        var r = send("POST", "/api/v1/vigil/dashboards", "{\n  \"title\": \"x\",\n  \"panels\": [\n}");
        assertEquals(400, r.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid JSON at line 4, column 1: Unexpected close marker '}': "
                + "expected ']' (for the Array starting at line 3, column 13)\"}", r.body());
        var notDashboard = send("POST", "/api/v1/vigil/dashboards", "{\"title\": \"x\", \"panels\": \"none\"}");
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"not a dashboard: \\\"panels\\\" must be an array, got a string\"}",
                notDashboard.body());
    }

    @Test
    void deleteOfABuiltin_isBadData() throws Exception {
        start();
        var r = send("DELETE", "/api/v1/vigil/dashboards/vigil", null);
        assertEquals(400, r.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"the built-in dashboard \\\"Vigil\\\" cannot be deleted through the API; "
                + "only uploaded dashboards can\"}", r.body());
        assertEquals(404, send("DELETE", "/api/v1/vigil/dashboards/nope", null).statusCode());
    }

    @Test
    void uploads_surviveARestart_inTheFlagsDirectory() throws Exception {
        Path dashboards = dir.resolve("elsewhere");
        start("--web.dashboards.path", dashboards.toString());
        assertEquals(200, send("POST", "/api/v1/vigil/dashboards", "{\"uid\": \"keep\", \"title\": \"Keep\", \"panels\": []}").statusCode());
        assertTrue(java.nio.file.Files.exists(dashboards.resolve("uploaded/keep.json")));
        server.close();
        start("--web.dashboards.path", dashboards.toString());
        assertEquals("{\"status\":\"success\",\"data\":{\"uid\":\"keep\",\"title\":\"Keep\",\"panels\":[]}}",
                send("GET", "/api/v1/vigil/dashboards/keep", null).body());
    }

    @Test
    void flag_defaultsUnderTheStoragePath_andShowsInStatusFlags() throws Exception {
        start();
        String flags = send("GET", "/api/v1/status/flags", null).body();
        String expected = dir.resolve("dashboards").toString();
        assertTrue(flags.contains("\"web.dashboards.path\":\"" + expected.replace("\\", "\\\\") + "\""), flags);
        assertEquals(Path.of(expected), server.flags.dashboardsPath());
    }
}
