package dev.vigil.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.backfill.OpenMetricsBackfill;
import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.chunk.Chunks;
import dev.vigil.tsdb.chunk.Encoding;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * STREAMED_XOR_CHUNKS decoded as Prometheus's client does (uvarint length, big-endian CRC32C,
 * ChunkedReadResponse; XOR chunk data): block chunks (dense, re-encoded) and head chunks give back
 * every sample, series in label order, one series per frame.
 */
class StreamedRemoteReadTest {
    @TempDir
    Path dir;

    @Test
    void framesCarryEverySampleAsXorChunks() throws Exception {
        long now = System.currentTimeMillis() / 1000 * 1000;
        long blockStart = (now / 7_200_000 - 2) * 7_200_000;
        StringBuilder om = new StringBuilder();
        List<long[]> expectedOld = new ArrayList<>();
        for (int i = 0; i < 400; i++) { // more than one dense chunk, several XOR chunks after re-encoding
            long t = blockStart + i * 15_000L;
            om.append("g{s=\"old\"} ").append(i * 1.25).append(' ').append(t / 1000).append('\n');
            expectedOld.add(new long[] {t, Double.doubleToRawLongBits(i * 1.25)});
        }
        om.append("# EOF\n");
        Files.writeString(dir.resolve("in.om"), om);
        Path data = dir.resolve("data");
        OpenMetricsBackfill.run(dir.resolve("in.om"), data);
        try (Server s = Server.start(Flags.parse(new String[] {"--storage.tsdb.path", data.toString(), "--web.listen-address=127.0.0.1:0"}), () -> {}, false)) {
            Appender app = s.storage.appender();
            List<long[]> expectedNew = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                long t = now - 3_000_000 + i * 10_000L;
                app.append(0, Labels.of("__name__", "g", "s", "new"), t, i);
                expectedNew.add(new long[] {t, Double.doubleToRawLongBits(i)});
            }
            app.commit();
            Remote.ReadRequest req = Remote.ReadRequest.newBuilder()
                    .addQueries(Remote.Query.newBuilder().setStartTimestampMs(blockStart).setEndTimestampMs(now)
                            .addMatchers(Types.LabelMatcher.newBuilder().setType(Types.LabelMatcher.Type.EQ).setName("__name__").setValue("g")))
                    .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.STREAMED_XOR_CHUNKS)
                    .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.SAMPLES).build();
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/api/v1/read"))
                    .header("Content-Type", "application/x-protobuf").header("Content-Encoding", "snappy")
                    .header("X-Prometheus-Remote-Read-Version", "0.1.0")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Snappy.compress(req.toByteArray()))).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, r.statusCode());
            assertEquals("application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse", r.headers().firstValue("content-type").orElse(""));

            TreeMap<String, List<long[]>> got = new TreeMap<>();
            List<String> order = new ArrayList<>();
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(r.body()));
            while (in.available() > 0) {
                int len = 0;
                for (int shift = 0; ; shift += 7) {
                    int b = in.readUnsignedByte();
                    len |= (b & 0x7f) << shift;
                    if (b < 0x80) break;
                }
                int crc = in.readInt();
                byte[] msg = in.readNBytes(len);
                CRC32C c = new CRC32C();
                c.update(msg);
                assertEquals(crc, (int) c.getValue(), "frame checksum");
                Remote.ChunkedReadResponse frame = Remote.ChunkedReadResponse.parseFrom(msg);
                assertEquals(0, frame.getQueryIndex());
                assertEquals(1, frame.getChunkedSeriesCount(), "one series per frame");
                Types.ChunkedSeries cs = frame.getChunkedSeries(0);
                String key = cs.getLabelsList().stream().map(l -> l.getName() + "=" + l.getValue()).toList().toString();
                if (order.isEmpty() || !order.getLast().equals(key)) order.add(key);
                for (Types.Chunk chunk : cs.getChunksList()) {
                    assertEquals(Types.Chunk.Encoding.XOR, chunk.getType());
                    SampleIterator it = Chunks.iterator(Encoding.XOR, ByteBuffer.wrap(chunk.getData().toByteArray()), null);
                    long first = Long.MIN_VALUE, last = 0;
                    while (it.next() != SampleIterator.NONE) {
                        if (first == Long.MIN_VALUE) first = it.atT();
                        last = it.atT();
                        got.computeIfAbsent(key, k -> new ArrayList<>()).add(new long[] {it.atT(), Double.doubleToRawLongBits(it.atV())});
                    }
                    assertEquals(chunk.getMinTimeMs(), first);
                    assertEquals(chunk.getMaxTimeMs(), last);
                }
            }
            assertEquals(List.of("[__name__=g, s=new]", "[__name__=g, s=old]"), order, "series in label order, each contiguous");
            assertSamples(expectedOld, got.get("[__name__=g, s=old]"));
            assertSamples(expectedNew, got.get("[__name__=g, s=new]"));
        }
    }

    static void assertSamples(List<long[]> expected, List<long[]> actual) {
        assertTrue(actual != null, "series present");
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i)[0], actual.get(i)[0], "t at " + i);
            assertEquals(expected.get(i)[1], actual.get(i)[1], "value bits at " + i);
        }
    }
}
