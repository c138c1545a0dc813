package dev.vigil.ingest.remote;

import static dev.vigil.ingest.remote.RemoteWriteTesting.dump;
import static dev.vigil.ingest.remote.RemoteWriteTesting.snappy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.ingest.remote.RemoteWriteTesting.Point;
import dev.vigil.ingest.remote.pb.Remote.WriteRequest;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.ingest.remote.pb.v2.WriteV2;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random requests, encoded by protobuf-java (the reference encoder) in both protocol versions, are
 * stored exactly; random bytes only ever yield a 4xx answer.
 */
class RemoteWriteProperties {
    static final long T0 = System.currentTimeMillis() - 3_600_000;
    static final String[] NAMES = {"job", "instance", "le", "code", "a.b", "ü", "path"};
    static final String[] VALUES = {"", "x", "node", "0.5", "+Inf", "ünï", "a\"b", "with space", "line\nbreak"};

    @TempDir
    Path dir;

    @Test
    void randomRequestsRoundTripInBothVersions() {
        qt().withExamples(60).forAll(longs().all()).checkAssert(seed -> {
            Path d = dir.resolve("s" + Long.toHexString(seed));
            try (Storage storage = Tsdb.open(d, TsdbOptions.defaults())) {
                RemoteWriteHandler handler = new RemoteWriteHandler(storage, null, 64);
                Random rnd = new Random(seed);
                Map<Labels, List<Point>> expected = new TreeMap<>();
                Map<Labels, Long> lastT = new HashMap<>();
                int requests = 1 + rnd.nextInt(4);
                for (int r = 0; r < requests; r++) {
                    boolean v2 = rnd.nextBoolean();
                    Map<List<String>, List<Point>> batch = new LinkedHashMap<>();
                    int series = 1 + rnd.nextInt(20);
                    for (int s = 0; s < series; s++) {
                        List<String> pairs = randomPairs(rnd);
                        Labels labels = Labels.of(pairs.toArray(String[]::new));
                        long t = lastT.getOrDefault(labels, T0 + rnd.nextInt(1000));
                        List<Point> points = batch.computeIfAbsent(pairs, k -> new ArrayList<>());
                        int n = 1 + rnd.nextInt(5);
                        for (int i = 0; i < n; i++) {
                            t += 1 + rnd.nextInt(30_000);
                            double v = randomValue(rnd);
                            points.add(Point.of(t, v));
                            expected.computeIfAbsent(labels, k -> new ArrayList<>()).add(Point.of(t, v));
                        }
                        lastT.put(labels, t);
                    }
                    byte[] raw = v2 ? encodeV2(batch, rnd) : encodeV1(batch);
                    byte[] body = snappy(raw);
                    RemoteWriteHandler.Response resp = handler.handle(
                            v2 ? RemoteWriteHandlerTest.V2_TYPE : "application/x-protobuf", "snappy", body, body.length);
                    assertEquals(204, resp.status(), resp.body());
                }
                assertEquals(expected, dump(storage));
            }
        });
    }

    /** Distinct names in random order; {@code __name__} always there. */
    static List<String> randomPairs(Random rnd) {
        List<String> names = new ArrayList<>(List.of(NAMES));
        java.util.Collections.shuffle(names, rnd);
        List<String> pairs = new ArrayList<>(List.of("__name__", "m" + rnd.nextInt(3)));
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            pairs.add(names.get(i));
            pairs.add(VALUES[1 + rnd.nextInt(VALUES.length - 1)]);
        }
        // rotate so __name__ is not always first on the wire
        java.util.Collections.rotate(pairs, 2 * rnd.nextInt(pairs.size() / 2));
        return pairs;
    }

    static double randomValue(Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> StaleMarker.STALE_NAN;
            case 1 -> Double.longBitsToDouble(0x7ff8000000000001L);
            case 2 -> Double.NEGATIVE_INFINITY;
            case 3 -> -0.0;
            case 4 -> rnd.nextInt(1000);
            default -> rnd.nextGaussian() * 1e6;
        };
    }

    static byte[] encodeV1(Map<List<String>, List<Point>> batch) {
        WriteRequest.Builder req = WriteRequest.newBuilder();
        batch.forEach((pairs, points) -> {
            Types.TimeSeries.Builder ts = Types.TimeSeries.newBuilder();
            for (int i = 0; i < pairs.size(); i += 2) ts.addLabels(Types.Label.newBuilder().setName(pairs.get(i)).setValue(pairs.get(i + 1)));
            for (Point p : points) ts.addSamples(Types.Sample.newBuilder().setTimestamp(p.t()).setValue(Double.longBitsToDouble(p.bits())));
            req.addTimeseries(ts);
        });
        return req.build().toByteArray();
    }

    static byte[] encodeV2(Map<List<String>, List<Point>> batch, Random rnd) {
        WriteV2.Request.Builder req = WriteV2.Request.newBuilder();
        Map<String, Integer> symbols = new LinkedHashMap<>();
        symbols.put("", 0);
        List<WriteV2.TimeSeries.Builder> series = new ArrayList<>();
        batch.forEach((pairs, points) -> {
            WriteV2.TimeSeries.Builder ts = WriteV2.TimeSeries.newBuilder();
            for (String s : pairs) ts.addLabelsRefs(symbols.computeIfAbsent(s, k -> symbols.size()));
            for (Point p : points) ts.addSamples(WriteV2.Sample.newBuilder().setTimestamp(p.t()).setValue(Double.longBitsToDouble(p.bits())));
            series.add(ts);
        });
        req.addAllSymbols(symbols.keySet());
        series.forEach(req::addTimeseries);
        return req.build().toByteArray();
    }

    @Test
    void randomBytesOnlyEverGet4xx() {
        Path d = dir.resolve("garbage");
        try (Storage storage = Tsdb.open(d, TsdbOptions.defaults())) {
            RemoteWriteHandler handler = new RemoteWriteHandler(storage, null, 64);
            Set<Integer> allowed = Set.of(204, 400);
            qt().withExamples(2000).forAll(longs().all()).checkAssert(seed -> {
                Random rnd = new Random(seed);
                byte[] raw = new byte[rnd.nextInt(300)];
                rnd.nextBytes(raw);
                if (rnd.nextBoolean() && raw.length > 4) {
                    // a valid message with damage: most random bytes fail at the first tag
                    byte[] good = encodeV1(Map.of(List.of("__name__", "g", "k", "v"), List.of(Point.of(T0, 1))));
                    System.arraycopy(good, 0, raw, 0, Math.min(good.length, raw.length / 2));
                }
                boolean compress = rnd.nextInt(4) != 0;
                byte[] body = compress ? snappy(raw) : raw;
                String type = rnd.nextBoolean() ? RemoteWriteHandlerTest.V2_TYPE : null;
                RemoteWriteHandler.Response r = handler.handle(type, "snappy", body, body.length);
                assertTrue(allowed.contains(r.status()), r.status() + " " + r.body());
                if (r.status() == 400) assertTrue(!r.body().isBlank());
            });
        }
        assertTrue(Files.isDirectory(d));
    }
}
