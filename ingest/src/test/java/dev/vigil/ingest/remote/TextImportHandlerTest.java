package dev.vigil.ingest.remote;

import static dev.vigil.ingest.remote.RemoteWriteTesting.dump;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.remote.RemoteWriteTesting.Point;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextImportHandlerTest {
    static final long NOW = System.currentTimeMillis();

    @TempDir
    Path dir;

    Storage storage;
    TextImportHandler handler;

    @BeforeEach
    void open() {
        storage = Tsdb.open(dir, TsdbOptions.defaults());
        handler = new TextImportHandler(storage, () -> NOW);
    }

    @AfterEach
    void close() {
        storage.close();
    }

    RemoteWriteHandler.Response post(String text, Labels extra) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        return handler.handle("text/plain", null, b, b.length, extra);
    }

    @Test
    void samplesWithAndWithoutTimestampsAreStoredWithExtraLabels() throws Exception {
        String text = """
                # TYPE http_requests_total counter
                http_requests_total{code="200",job="old"} 10 %d
                http_requests_total{code="200",job="old"} 12 %d
                temperature 21.5
                """.formatted(NOW - 2000, NOW - 1000);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        byte[] body = gz.toByteArray();
        RemoteWriteHandler.Response r = handler.handle("text/plain; version=0.0.4", "gzip", body, body.length, Labels.of("job", "import"));
        assertEquals(204, r.status(), r.body());
        assertEquals(Map.of(
                Labels.of("__name__", "http_requests_total", "code", "200", "job", "import"), List.of(Point.of(NOW - 2000, 10), Point.of(NOW - 1000, 12)),
                Labels.of("__name__", "temperature", "job", "import"), List.of(Point.of(NOW, 21.5))), dump(storage));
    }

    @Test
    void aSyntaxErrorStoresNothingAndNamesTheLine() {
        RemoteWriteHandler.Response r = post("good 1\nalso_good 2\nbad{x=\"1\" 3\n", Labels.EMPTY);
        assertEquals(400, r.status());
        assertTrue(r.body().startsWith("cannot parse the body, nothing was imported: line 3"), r.body());
        assertEquals(Map.of(), dump(storage));
    }

    @Test
    void rejectedSamplesAreNamedWithTheirLineAndTheRestIsStored() {
        assertEquals(204, post("m 5 " + NOW + "\n", Labels.EMPTY).status());
        RemoteWriteHandler.Response r = post("other 1 " + NOW + "\nm 4 " + (NOW - 1000) + "\n", Labels.EMPTY);
        assertEquals(400, r.status());
        assertEquals("imported 1 samples; rejected 1 out_of_order (line 2: m{} at " + (NOW - 1000) + ")", r.body());
        assertEquals(Map.of(
                Labels.of("__name__", "m"), List.of(Point.of(NOW, 5)),
                Labels.of("__name__", "other"), List.of(Point.of(NOW, 1))), dump(storage));
    }

    @Test
    void unknownEncodingIs415() {
        byte[] b = "m 1\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(415, handler.handle("text/plain", "br", b, b.length, Labels.EMPTY).status());
        byte[] notGzip = "m 1\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(400, handler.handle("text/plain", "gzip", notGzip, notGzip.length, Labels.EMPTY).status());
    }
}
