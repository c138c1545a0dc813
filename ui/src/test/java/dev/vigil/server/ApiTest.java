package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/** The Prometheus HTTP API's endpoints that need no PromQL evaluation, over a running server. */
class ApiTest {
    static final long T = (System.currentTimeMillis() / 1000 - 60) * 1000;

    @TempDir
    Path dir;

    Server server;
    final HttpClient http = HttpClient.newHttpClient();
    String base;

    Server start(String... extra) {
        List<String> args = new ArrayList<>(List.of("--storage.tsdb.path", dir.toString(), "--web.listen-address=127.0.0.1:0"));
        args.addAll(List.of(extra));
        server = Server.start(Flags.parse(args.toArray(String[]::new)), () -> {}, false);
        base = "http://127.0.0.1:" + server.port();
        Appender app = server.storage.appender();
        app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "a:9100"), T, 1);
        app.append(0, Labels.of("__name__", "up", "job", "node", "instance", "b:9100"), T, 0);
        app.append(0, Labels.of("__name__", "http_requests_total", "job", "api", "code", "200"), T, 10);
        app.append(0, Labels.of("__name__", "my.metric", "a.b", "x"), T, 2.5);
        app.commit();
        return server;
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + pathAndQuery)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postForm(String path, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void labelsAndLabelValuesWithMatchersAndLimits() throws Exception {
        start();
        assertEquals("{\"status\":\"success\",\"data\":[\"__name__\",\"a.b\",\"code\",\"instance\",\"job\"]}", get("/api/v1/labels").body());
        assertEquals("{\"status\":\"success\",\"data\":[\"__name__\",\"instance\",\"job\"]}",
                get("/api/v1/labels?match[]=" + enc("up{job=\"node\"}")).body());
        // POST form, as Grafana sends by default
        assertEquals("{\"status\":\"success\",\"data\":[\"__name__\",\"code\",\"job\"]}",
                postForm("/api/v1/labels", "match[]=" + enc("http_requests_total")).body());
        assertEquals("{\"status\":\"success\",\"data\":[\"http_requests_total\",\"my.metric\",\"up\"]}", get("/api/v1/label/__name__/values").body());
        assertEquals("{\"status\":\"success\",\"data\":[\"http_requests_total\"],\"warnings\":[\"results truncated due to limit\"]}",
                get("/api/v1/label/__name__/values?limit=1").body());
        assertEquals("{\"status\":\"success\",\"data\":[\"a:9100\",\"b:9100\"]}",
                get("/api/v1/label/instance/values?match[]=up&start=" + (T / 1000 - 10) + "&end=" + (T / 1000 + 10)).body());
        // UTF-8 label names in the path use Prometheus 3's U__ escaping
        assertEquals("{\"status\":\"success\",\"data\":[\"x\"]}", get("/api/v1/label/U__a_2e_b/values").body());
        // outside the time range: nothing
        assertEquals("{\"status\":\"success\",\"data\":[]}", get("/api/v1/label/job/values?end=" + (T / 1000 - 3600)).body());
    }

    @Test
    void seriesAndErrorsInPrometheusShape() throws Exception {
        start();
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"instance\":\"a:9100\",\"job\":\"node\"},"
                + "{\"__name__\":\"up\",\"instance\":\"b:9100\",\"job\":\"node\"}]}", get("/api/v1/series?match[]=up").body());
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"my.metric\",\"a.b\":\"x\"}]}",
                get("/api/v1/series?match[]=" + enc("{\"my.metric\"}")).body());
        HttpResponse<String> none = get("/api/v1/series");
        assertEquals(400, none.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"no match[] parameter provided\"}", none.body());
        HttpResponse<String> bad = get("/api/v1/series?match[]=" + enc("up{"));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().startsWith("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\""), bad.body());
        HttpResponse<String> badTime = get("/api/v1/labels?start=yesterday");
        assertEquals(400, badTime.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid time value for 'start': cannot parse \\\"yesterday\\\" to a valid timestamp\"}",
                badTime.body());
        // RFC 3339 times are accepted too
        assertEquals(200, get("/api/v1/labels?start=2020-01-01T00:00:00Z&end=2030-01-01T00:00:00.5Z").statusCode());
    }

    @Test
    void statusEndpoints() throws Exception {
        start();
        String build = get("/api/v1/status/buildinfo").body();
        assertTrue(build.startsWith("{\"status\":\"success\",\"data\":{\"version\":\"3.5.0\","), build);
        assertFalse(build.contains("features"), "no features key, or Grafana takes Vigil for Mimir");
        String flags = get("/api/v1/status/flags").body();
        assertTrue(flags.contains("\"web.listen-address\":\"127.0.0.1:0\""), flags);
        assertTrue(flags.contains("\"query.lookback-delta\":\"5m\""), flags);
        String rt = get("/api/v1/status/runtimeinfo").body();
        assertTrue(rt.contains("\"reloadConfigSuccess\":true") && rt.contains("\"storageRetention\":\"15d\""), rt);
        String cfg = get("/api/v1/status/config").body();
        assertTrue(cfg.contains("job_name: vigil"), cfg);
        String tsdb = get("/api/v1/status/tsdb").body();
        assertTrue(tsdb.contains("\"seriesCountByMetricName\":[{\"name\":\"up\",\"value\":2},"), tsdb);
        assertTrue(tsdb.contains("\"numSeries\":"), tsdb);
        assertEquals("{\"status\":\"success\",\"data\":{\"min\":0,\"max\":0,\"current\":0}}", get("/api/v1/status/walreplay").body());
        assertEquals("{\"status\":\"success\",\"data\":{\"groups\":[]}}", get("/api/v1/rules").body());
        assertEquals("{\"status\":\"success\",\"data\":[]}", get("/api/v1/query_exemplars?query=test&start=1700000000000&end=1700000000000").body());
    }

    @Test
    void tsdbStatus_countsTheHeadsSeriesValuesAndBytesPerLabel() throws Exception {
        start();
        // memory is Prometheus's: the bytes of each value times the series carrying it (__name__: 2x"up" + "http_requests_total" + "my.metric")
        assertEquals("{\"status\":\"success\",\"data\":{\"headStats\":{\"numSeries\":4,\"numLabelPairs\":9,\"chunkCount\":4,"
                        + "\"minTime\":" + T + ",\"maxTime\":" + T + "},"
                        + "\"seriesCountByMetricName\":[{\"name\":\"up\",\"value\":2},{\"name\":\"http_requests_total\",\"value\":1},{\"name\":\"my.metric\",\"value\":1}],"
                        + "\"labelValueCountByLabelName\":[{\"name\":\"__name__\",\"value\":3},{\"name\":\"instance\",\"value\":2},{\"name\":\"job\",\"value\":2}],"
                        + "\"memoryInBytesByLabelName\":[{\"name\":\"__name__\",\"value\":32},{\"name\":\"instance\",\"value\":12},{\"name\":\"job\",\"value\":11}],"
                        + "\"seriesCountByLabelValuePair\":[{\"name\":\"__name__=up\",\"value\":2},{\"name\":\"job=node\",\"value\":2},"
                        + "{\"name\":\"__name__=http_requests_total\",\"value\":1}]}}",
                get("/api/v1/status/tsdb?limit=3").body());
        String all = get("/api/v1/status/tsdb").body();
        assertTrue(all.contains("{\"name\":\"code\",\"value\":3},{\"name\":\"a.b\",\"value\":1}]"), all);
        for (String bad : List.of("0", "-1", "ten")) {
            HttpResponse<String> r = get("/api/v1/status/tsdb?limit=" + bad);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"limit must be a positive number\"}", r.body(), bad);
        }
    }

    @Test
    void formatAndParseQuery() throws Exception {
        start();
        assertEquals("{\"status\":\"success\",\"data\":\"sum by (job) (rate(x_total[5m]))\"}",
                get("/api/v1/format_query?query=" + enc("sum(rate(x_total[5m]))by(job)")).body());
        HttpResponse<String> bad = get("/api/v1/format_query?query=" + enc("sum("));
        assertEquals(400, bad.statusCode());
        assertTrue(bad.body().contains("\"errorType\":\"bad_data\""), bad.body());
        assertEquals("{\"status\":\"success\",\"data\":{\"matchers\":[{\"name\":\"job\",\"type\":\"=\",\"value\":\"a\"},"
                + "{\"name\":\"__name__\",\"type\":\"=\",\"value\":\"up\"}],\"name\":\"up\",\"offset\":0,\"startOrEnd\":null,"
                + "\"timestamp\":null,\"type\":\"vectorSelector\"}}", get("/api/v1/parse_query?query=" + enc("up{job=\"a\"}")).body());
    }

    @Test
    void remoteWriteNeedsTheFlagAndThenStores() throws Exception {
        start();
        byte[] body = Snappy.compress(Remote.WriteRequest.newBuilder().addTimeseries(Types.TimeSeries.newBuilder()
                .addLabels(Types.Label.newBuilder().setName("__name__").setValue("pushed"))
                .addSamples(Types.Sample.newBuilder().setTimestamp(T).setValue(7))).build().toByteArray());
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/v1/write")).header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> off = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(404, off.statusCode());
        assertTrue(off.body().contains("--web.enable-remote-write-receiver"));
        server.close();
        server = null;
        start("--web.enable-remote-write-receiver");
        req = HttpRequest.newBuilder(URI.create(base + "/api/v1/write")).header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        assertEquals(204, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"pushed\"}]}", get("/api/v1/series?match[]=pushed").body());
        HttpResponse<String> imp = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/import/prometheus?extra_label=job=imp"))
                .POST(HttpRequest.BodyPublishers.ofString("imported_total 3 " + T + "\n")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(204, imp.statusCode(), imp.body());
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"imported_total\",\"job\":\"imp\"}]}", get("/api/v1/series?match[]=imported_total").body());
    }

    @Test
    void adminAndLifecycleNeedTheirFlags() throws Exception {
        start();
        HttpResponse<String> admin = postForm("/api/v1/admin/tsdb/delete_series", "match[]=up");
        assertEquals(503, admin.statusCode());
        assertEquals("{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"admin APIs disabled\"}", admin.body());
        assertEquals(403, postForm("/-/reload", "").statusCode());
        server.close();
        server = null;
        start("--web.enable-admin-api", "--web.enable-lifecycle");
        assertEquals(204, postForm("/api/v1/admin/tsdb/delete_series", "match[]=" + enc("up{instance=\"a:9100\"}")).statusCode());
        assertEquals("{\"status\":\"success\",\"data\":[{\"__name__\":\"up\",\"instance\":\"b:9100\",\"job\":\"node\"}]}",
                get("/api/v1/series?match[]=up").body());
        assertEquals(204, postForm("/api/v1/admin/tsdb/clean_tombstones", "").statusCode());
        String snap = postForm("/api/v1/admin/tsdb/snapshot", "").body();
        assertTrue(snap.startsWith("{\"status\":\"success\",\"data\":{\"name\":\""), snap);
        assertEquals(200, postForm("/-/reload", "").statusCode());
    }

    @Test
    void federationServesTheLatestSamplesAsText() throws Exception {
        start();
        String body = get("/federate?match[]=up&match[]=" + enc("{\"my.metric\"}")).body();
        assertEquals("# TYPE \"my.metric\" untyped\n{\"my.metric\",\"a.b\"=\"x\"} 2.5 " + T + "\n"
                + "# TYPE up untyped\nup{instance=\"a:9100\",job=\"node\"} 1 " + T + "\nup{instance=\"b:9100\",job=\"node\"} 0 " + T + "\n", body);
    }

    @Test
    void remoteReadAnswersSamplesWhenNoStreamingIsAsked() throws Exception {
        start();
        Remote.ReadRequest req = Remote.ReadRequest.newBuilder().addQueries(Remote.Query.newBuilder()
                .setStartTimestampMs(T - 1000).setEndTimestampMs(T + 1000)
                .addMatchers(Types.LabelMatcher.newBuilder().setType(Types.LabelMatcher.Type.EQ).setName("__name__").setValue("up"))
                .addMatchers(Types.LabelMatcher.newBuilder().setType(Types.LabelMatcher.Type.RE).setName("instance").setValue("a:.*"))).build();
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/read"))
                .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(req.toByteArray()))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode());
        assertEquals("snappy", r.headers().firstValue("content-encoding").orElse(""));
        Remote.ReadResponse resp = Remote.ReadResponse.parseFrom(Snappy.uncompress(r.body()));
        assertEquals(1, resp.getResultsCount());
        assertEquals(1, resp.getResults(0).getTimeseriesCount());
        Types.TimeSeries ts = resp.getResults(0).getTimeseries(0);
        assertEquals("[__name__=up, instance=a:9100, job=node]",
                ts.getLabelsList().stream().map(l -> l.getName() + "=" + l.getValue()).toList().toString());
        assertEquals(T, ts.getSamples(0).getTimestamp());
        assertEquals(1.0, ts.getSamples(0).getValue());
        HttpResponse<String> garbage = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/read"))
                .POST(HttpRequest.BodyPublishers.ofString("not snappy")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, garbage.statusCode());
    }

    @Test
    void routePrefixMovesEveryEndpoint() throws Exception {
        start("--web.external-url=http://proxy.example/vigil/");
        assertEquals(200, get("/vigil/api/v1/labels").statusCode());
        assertEquals(200, get("/vigil/-/healthy").statusCode());
        assertEquals(404, get("/api/v1/labels").statusCode());
    }
}
