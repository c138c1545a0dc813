package dev.vigil.ingest.remote;

import static dev.vigil.ingest.remote.RemoteWriteTesting.dump;
import static dev.vigil.ingest.remote.RemoteWriteTesting.snappy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.remote.RemoteWriteTesting.Point;
import dev.vigil.ingest.remote.pb.Remote.WriteRequest;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.ingest.remote.pb.v2.WriteV2;
import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteWriteHandlerTest {
    static final long T0 = System.currentTimeMillis() - 60_000;
    static final String V2_TYPE = "application/x-protobuf;proto=io.prometheus.write.v2.Request";

    @TempDir
    Path dir;

    Storage storage;
    RemoteWriteHandler handler;
    final List<String> metadata = new ArrayList<>();

    @BeforeEach
    void open() {
        storage = Tsdb.open(dir, TsdbOptions.defaults());
        handler = new RemoteWriteHandler(storage, (f, t, h, u) -> metadata.add(f + "|" + t + "|" + h + "|" + u));
    }

    @AfterEach
    void close() {
        storage.close();
    }

    static Types.TimeSeries.Builder series(String... namesAndValues) {
        Types.TimeSeries.Builder ts = Types.TimeSeries.newBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            ts.addLabels(Types.Label.newBuilder().setName(namesAndValues[i]).setValue(namesAndValues[i + 1]));
        }
        return ts;
    }

    static Types.Sample sample(long t, double v) {
        return Types.Sample.newBuilder().setTimestamp(t).setValue(v).build();
    }

    RemoteWriteHandler.Response send(String contentType, WriteRequest req) {
        byte[] body = snappy(req.toByteArray());
        return handler.handle(contentType, "snappy", body, body.length);
    }

    @Test
    void v1RequestIsStoredExactlyWithUnsortedLabelsAndStaleMarkers() {
        WriteRequest req = WriteRequest.newBuilder()
                .addTimeseries(series("job", "node", "__name__", "up", "instance", "a:9100")
                        .addSamples(sample(T0, 1)).addSamples(sample(T0 + 15_000, 0)).addSamples(sample(T0 + 30_000, StaleMarker.STALE_NAN)))
                .addTimeseries(series("__name__", "temp_celsius", "room", "ünïcode").addSamples(sample(T0, -0.0)).addSamples(sample(T0 + 1, Double.POSITIVE_INFINITY)))
                .build();
        RemoteWriteHandler.Response r = send("application/x-protobuf", req);
        assertEquals(204, r.status(), r.body());
        assertEquals(Map.of(), r.headers());
        Map<Labels, List<Point>> got = dump(storage);
        assertEquals(Map.of(
                Labels.of("__name__", "up", "instance", "a:9100", "job", "node"),
                List.of(Point.of(T0, 1), Point.of(T0 + 15_000, 0), Point.of(T0 + 30_000, StaleMarker.STALE_NAN)),
                Labels.of("__name__", "temp_celsius", "room", "ünïcode"),
                List.of(Point.of(T0, -0.0), Point.of(T0 + 1, Double.POSITIVE_INFINITY))), got);
        assertEquals(5, handler.samplesWritten());
    }

    @Test
    void aRepeatedSeriesResolvesThroughTheCacheAcrossRequests() {
        for (int i = 0; i < 5; i++) {
            WriteRequest req = WriteRequest.newBuilder()
                    .addTimeseries(series("__name__", "c_total", "k", "v").addSamples(sample(T0 + i * 1000L, i)))
                    .addTimeseries(series("__name__", "c_total", "k", "w").addSamples(sample(T0 + i * 1000L, 10 + i)))
                    .build();
            assertEquals(204, send(null, req).status());
        }
        Map<Labels, List<Point>> got = dump(storage);
        assertEquals(2, got.size());
        assertEquals(5, got.get(Labels.of("__name__", "c_total", "k", "w")).size());
        assertEquals(Point.of(T0 + 4000, 14), got.get(Labels.of("__name__", "c_total", "k", "w")).get(4));
    }

    @Test
    void contentTypesAndEncodingsThatAreNotRemoteWriteGet415() {
        WriteRequest req = WriteRequest.newBuilder().addTimeseries(series("__name__", "x").addSamples(sample(T0, 1))).build();
        byte[] body = snappy(req.toByteArray());
        assertEquals(415, handler.handle("text/plain", "snappy", body, body.length).status());
        RemoteWriteHandler.Response unknownProto = handler.handle("application/x-protobuf;proto=foo.Bar", "snappy", body, body.length);
        assertEquals(415, unknownProto.status());
        assertTrue(unknownProto.body().contains("foo.Bar protobuf message is not accepted"), unknownProto.body());
        assertEquals(415, handler.handle("application/x-protobuf;proto", "snappy", body, body.length).status());
        RemoteWriteHandler.Response gzip = handler.handle("application/x-protobuf", "gzip", body, body.length);
        assertEquals(415, gzip.status());
        assertTrue(gzip.body().contains("gzip encoding"), gzip.body());
        assertEquals(Map.of(), dump(storage));
        // no Content-Type and no Content-Encoding: a 1.0 client of old, accepted
        assertEquals(204, handler.handle(null, null, body, body.length).status());
        assertEquals(204, handler.handle("application/x-protobuf;proto=prometheus.WriteRequest", "snappy", body, body.length).status());
    }

    @Test
    void bodiesThatDoNotDecodeGet400AndStoreNothing() {
        byte[] notSnappy = "hello, this is not snappy".getBytes();
        RemoteWriteHandler.Response r = handler.handle(null, "snappy", notSnappy, notSnappy.length);
        assertEquals(400, r.status());
        assertTrue(r.body().startsWith("snappy:"), r.body());

        // valid snappy, truncated protobuf: the series before the damage must not be stored either
        byte[] raw = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "a").addSamples(sample(T0, 1)))
                .addTimeseries(series("__name__", "b").addSamples(sample(T0, 2))).build().toByteArray();
        byte[] truncated = snappy(java.util.Arrays.copyOf(raw, raw.length - 3));
        r = handler.handle(null, "snappy", truncated, truncated.length);
        assertEquals(400, r.status());
        assertTrue(r.body().startsWith("malformed protobuf:"), r.body());
        assertEquals(Map.of(), dump(storage));
    }

    @Test
    void rejectedSamplesAreReportedWith400WhileTheValidOnesAreStored() {
        assertEquals(204, send(null, WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "m", "s", "1").addSamples(sample(T0 + 10_000, 5))).build()).status());

        WriteRequest req = WriteRequest.newBuilder()
                .addTimeseries(series("__name__", "m", "s", "1").addSamples(sample(T0, 1)).addSamples(sample(T0 + 20_000, 6)))
                .addTimeseries(series("__name__", "m", "s", "2").addSamples(sample(T0, 7)))
                .addTimeseries(series("s", "no-name").addSamples(sample(T0, 8)))
                .addTimeseries(series("__name__", "d", "x", "1", "x", "2").addSamples(sample(T0, 9)))
                .addTimeseries(series("__name__", "b~INVALID~").addSamples(sample(T0, 10)))
                .addTimeseries(series("__name__", "h").addHistograms(Types.Histogram.newBuilder().setCountInt(3).setTimestamp(T0)))
                .build();
        // protobuf-java refuses to write invalid UTF-8, so patch it into the encoded request
        byte[] raw = req.toByteArray();
        String marker = "~INVALID~";
        int at = indexOf(raw, marker.getBytes());
        raw[at] = (byte) 0xff;
        byte[] compressed = snappy(raw);
        RemoteWriteHandler.Response r = handler.handle(null, null, compressed, compressed.length);
        assertEquals(400, r.status());
        String body = r.body();
        assertTrue(body.contains("label value is not valid UTF-8"), body);
        assertTrue(body.startsWith("stored 2 samples; rejected 1 out_of_order (out_of_order sample for series m{s=\"1\"} at timestamp " + T0 + ")"), body);
        assertTrue(body.contains("3 invalid_labels"), body);
        assertTrue(body.contains("invalid metric name or labels, got {s=\"no-name\"}"), body);
        assertTrue(body.contains("1 native histogram samples"), body);
        assertEquals(Map.of(
                Labels.of("__name__", "m", "s", "1"), List.of(Point.of(T0 + 10_000, 5), Point.of(T0 + 20_000, 6)),
                Labels.of("__name__", "m", "s", "2"), List.of(Point.of(T0, 7))), dump(storage));
        assertEquals(1, handler.samplesRejected(AppendStatus.OUT_OF_ORDER));
        assertEquals(3, handler.samplesRejected(AppendStatus.INVALID_LABELS));
        assertEquals(1, handler.histogramsRejected());
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("marker not found");
    }

    @Test
    void metadataOfVersion1ReachesTheListener() {
        WriteRequest req = WriteRequest.newBuilder()
                .addMetadata(Types.MetricMetadata.newBuilder().setMetricFamilyName("http_requests_total")
                        .setType(Types.MetricMetadata.MetricType.COUNTER).setHelp("Requests.").setUnit(""))
                .build();
        assertEquals(204, send(null, req).status());
        assertEquals(List.of("http_requests_total|counter|Requests.|"), metadata);
    }

    static WriteV2.TimeSeries.Builder v2Series(int... refs) {
        WriteV2.TimeSeries.Builder ts = WriteV2.TimeSeries.newBuilder();
        for (int r : refs) ts.addLabelsRefs(r);
        return ts;
    }

    static WriteV2.Sample v2Sample(long t, double v) {
        return WriteV2.Sample.newBuilder().setTimestamp(t).setValue(v).build();
    }

    @Test
    void v2RequestIsStoredWithWrittenHeadersAndMetadata() {
        WriteV2.Request req = WriteV2.Request.newBuilder()
                .addAllSymbols(List.of("", "__name__", "rpc_seconds_total", "job", "api", "Time spent.", "seconds"))
                .addTimeseries(v2Series(1, 2, 3, 4).addSamples(v2Sample(T0, 1.5)).addSamples(v2Sample(T0 + 1000, 2.5))
                        .setMetadata(WriteV2.Metadata.newBuilder().setType(WriteV2.Metadata.MetricType.METRIC_TYPE_COUNTER).setHelpRef(5).setUnitRef(6)))
                .build();
        byte[] body = snappy(req.toByteArray());
        RemoteWriteHandler.Response r = handler.handle(V2_TYPE, "snappy", body, body.length);
        assertEquals(204, r.status(), r.body());
        assertEquals("2", r.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
        assertEquals("0", r.headers().get("X-Prometheus-Remote-Write-Histograms-Written"));
        assertEquals("0", r.headers().get("X-Prometheus-Remote-Write-Exemplars-Written"));
        assertEquals(Map.of(Labels.of("__name__", "rpc_seconds_total", "job", "api"), List.of(Point.of(T0, 1.5), Point.of(T0 + 1000, 2.5))), dump(storage));
        assertEquals(List.of("rpc_seconds_total|counter|Time spent.|seconds"), metadata);
    }

    @Test
    void v2SymbolReferencesOutOfRangeAre400AndStoreNothing() {
        WriteV2.Request req = WriteV2.Request.newBuilder()
                .addAllSymbols(List.of("", "__name__", "ok"))
                .addTimeseries(v2Series(1, 2).addSamples(v2Sample(T0, 1)))
                .addTimeseries(v2Series(1, 9).addSamples(v2Sample(T0, 1)))
                .build();
        byte[] body = snappy(req.toByteArray());
        RemoteWriteHandler.Response r = handler.handle(V2_TYPE, "snappy", body, body.length);
        assertEquals(400, r.status());
        assertTrue(r.body().contains("parsing labels for series 1: symbol reference 9 out of range"), r.body());
        assertEquals("0", r.headers().get("X-Prometheus-Remote-Write-Samples-Written"));
        assertEquals(Map.of(), dump(storage));
    }
}
