package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exact calls Grafana's Prometheus datasource makes (see ../shared/reference/CLIENTS-AND-PROTOCOLS.md),
 * with the answers its parser expects: POST forms by default, float-second times, string values.
 */
class GrafanaEmulationTest {
    // a step-aligned base time, 3h ago (the range-query cache only keeps whole hours older than 10 minutes)
    static final long T0 = (System.currentTimeMillis() / 60_000 - 180) * 60_000;

    @TempDir
    Path dir;

    Server server;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    @BeforeEach
    void start() {
        server = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"}), () -> {}, false);
        base = "http://127.0.0.1:" + server.port();
        Appender app = server.storage.appender();
        for (int i = 0; i <= 720; i++) { // 3h at 15s
            long t = T0 + i * 15_000L;
            app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "b:9100"), t, 1);
            app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "a:9100"), t, i % 2);
            app.append(0, Labels.of("__name__", "http_requests_total", "job", "api", "code", "200"), t, i * 10.0);
            app.append(0, Labels.of("__name__", "http_requests_total", "job", "api", "code", "500"), t, i);
        }
        app.commit();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HttpResponse<String> post(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Dashboard-UID", "abc").header("X-Panel-Id", "2")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String sec(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : Double.toString(ms / 1000.0);
    }

    @Test
    void saveAndTestIsAScalar() throws Exception {
        HttpResponse<String> r = post("/api/v1/query", "query=1%2B1&time=4");
        assertEquals(200, r.statusCode());
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[4,\"2\"]}}", r.body());
        String build = get("/api/v1/status/buildinfo").body();
        assertTrue(Pattern.compile("\"version\":\"\\d+\\.\\d+\\.\\d+\"").matcher(build).find(), build);
        assertFalse(build.contains("\"features\""), build);
    }

    @Test
    void panelRangeQueryWithFloatSecondTimes() throws Exception {
        long start = T0 + 30 * 60_000, end = T0 + 40 * 60_000;
        HttpResponse<String> r = post("/api/v1/query_range", "query=" + enc("sum by (code) (rate(http_requests_total[5m]))")
                + "&start=" + sec(start) + "&end=" + sec(end) + "&step=60");
        assertEquals(200, r.statusCode(), r.body());
        String b = r.body();
        assertTrue(b.startsWith("{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\",\"result\":[{\"metric\":{\"code\":\"200\"},\"values\":[["
                + start / 1000 + ",\""), b);
        // series sorted by labels; values are strings; 11 points each (inclusive end)
        assertTrue(b.indexOf("\"code\":\"200\"") < b.indexOf("\"code\":\"500\""), b);
        assertEquals(22, b.split("\\],\\[").length + 1, b);
        assertTrue(b.contains("[" + start / 1000 + ",\"0.6666666666666666\"]"), b); // 10 per 15s = 0.667/s for code 200
        // a dashboard refresh of the same past window is answered from the range-query cache
        long hits = server.queryApi.rangeCacheHits();
        HttpResponse<String> again = post("/api/v1/query_range", "query=" + enc("sum by (code) (rate(http_requests_total[5m]))")
                + "&start=" + sec(start) + "&end=" + sec(end) + "&step=60");
        assertEquals(r.body(), again.body());
        assertTrue(server.queryApi.rangeCacheHits() > hits, "cache hit");
        // a fractional step and times, as Grafana sends for short ranges
        HttpResponse<String> frac = post("/api/v1/query_range", "query=up&start=" + sec(start) + ".5&end=" + sec(start + 2000) + ".5&step=0.5");
        assertEquals(200, frac.statusCode(), frac.body());
        assertTrue(frac.body().contains("[" + start / 1000 + ".500,\""), frac.body());
    }

    @Test
    void instantTableQueryAndSpecialValues() throws Exception {
        long t = T0 + 60 * 60_000;
        String r = post("/api/v1/query", "query=" + enc("up == 1 or up * 0") + "&time=" + sec(t)).body();
        // 'or' keeps the left side first; the arithmetic drops the metric name, as in Prometheus
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":["
                + "{\"metric\":{\"__name__\":\"up\",\"instance\":\"b:9100\",\"job\":\"node\"},\"value\":[" + t / 1000 + ",\"1\"]},"
                + "{\"metric\":{\"instance\":\"a:9100\",\"job\":\"node\"},\"value\":[" + t / 1000 + ",\"0\"]}]}}", r);
        String special = post("/api/v1/query", "query=" + enc("vector(0/0) or label_replace(vector(1/0), \"k\", \"inf\", \"\", \"\") or label_replace(vector(-1/0), \"k\", \"-inf\", \"\", \"\")") + "&time=" + sec(t)).body();
        assertTrue(special.contains("\"NaN\"") && special.contains("\"+Inf\"") && special.contains("\"-Inf\""), special);
        String str = post("/api/v1/query", "query=" + enc("\"hello\"") + "&time=10").body();
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[10,\"hello\"]}}", str);
    }

    @Test
    void autocompleteAndTemplateVariables() throws Exception {
        String range = "start=" + sec(T0) + "&end=" + sec(T0 + 3_600_000);
        assertEquals("{\"status\":\"success\",\"data\":[\"http_requests_total\",\"up\"]}",
                get("/api/v1/label/__name__/values?" + range + "&limit=40000").body());
        assertEquals("{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"instance\",\"job\"]}", post("/api/v1/labels", range + "&limit=40000").body());
        // label_values(up, instance)
        assertEquals("{\"status\":\"success\",\"data\":[\"a:9100\",\"b:9100\"]}",
                get("/api/v1/label/instance/values?match[]=up&" + range + "&limit=40000").body());
        // query_result(count by (job) (up))
        String qr = post("/api/v1/query", "query=" + enc("count by (job) (up)") + "&time=" + sec(T0 + 3_600_000)).body();
        assertEquals("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{\"job\":\"node\"},\"value\":["
                + (T0 + 3_600_000) / 1000 + ",\"2\"]}]}}", qr);
        assertEquals("{\"status\":\"success\",\"data\":{}}", get("/api/v1/metadata").body());
        // the exemplars probe at datasource init uses milliseconds
        assertEquals("{\"status\":\"success\",\"data\":[]}", get("/api/v1/query_exemplars?query=test&start=" + T0 + "&end=" + (T0 + 1000)).body());
        // old flavors: series with a non-empty matcher
        assertTrue(get("/api/v1/series?match[]=" + enc("{__name__!=\"\"}") + "&" + range + "&limit=40000").body().contains("\"instance\":\"a:9100\""));
    }

    @Test
    void errorsReadAsGrafanaShowsThem() throws Exception {
        HttpResponse<String> bad = post("/api/v1/query", "query=" + enc("sum(") + "&time=4");
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\": "), bad.body());
        HttpResponse<String> tooMany = post("/api/v1/query_range", "query=up&start=0&end=100000&step=1");
        assertEquals(400, tooMany.statusCode());
        assertTrue(tooMany.body().contains("exceeded maximum resolution of 11,000 points per timeseries"), tooMany.body());
        HttpResponse<String> noStep = post("/api/v1/query_range", "query=up&start=0&end=10");
        assertEquals(400, noStep.statusCode());
        assertTrue(noStep.body().contains("invalid parameter \\\"step\\\""), noStep.body());
        HttpResponse<String> rulesConfig = get("/config/v1/rules");
        assertEquals(404, rulesConfig.statusCode());
        assertEquals("404 page not found\n", rulesConfig.body());
    }
}
