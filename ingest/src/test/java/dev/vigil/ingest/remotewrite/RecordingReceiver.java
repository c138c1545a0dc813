package dev.vigil.ingest.remotewrite;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.ingest.remote.pb.v2.WriteV2;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.xerial.snappy.Snappy;

/**
 * A remote-write receiver for tests, on 127.0.0.1: records every request's headers and decodes
 * its body (1.0 or 2.0, by Content-Type) into series text to samples. The status it answers is
 * chosen per request by {@link #status}, so outages and refusals can be staged.
 */
final class RecordingReceiver implements AutoCloseable {
    /** A received sample. */
    record Sample(long t, double v) {}

    final HttpServer server;
    final List<Headers> headers = new CopyOnWriteArrayList<>();
    /** Series (labels rendered as {@code {a="b", ...}}) to the samples of acknowledged requests, in arrival order. */
    final Map<String, List<Sample>> accepted = new ConcurrentHashMap<>();
    final AtomicInteger requests = new AtomicInteger();
    /** Metric metadata of acknowledged 1.0 requests, by family name; and how many requests carried some. */
    final Map<String, Types.MetricMetadata> metadata = new ConcurrentHashMap<>();
    final AtomicInteger metadataRequests = new AtomicInteger();
    volatile IntSupplier status = () -> 204;
    /** Time each request takes to answer: a slow receiver. */
    volatile long delayMs;
    private final java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);

    RecordingReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/write", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (delayMs > 0) {
                try {
                    Thread.sleep(delayMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            headers.add(ex.getRequestHeaders());
            requests.incrementAndGet();
            int st = status.getAsInt();
            if (st / 100 == 2) {
                byte[] raw = Snappy.uncompress(body);
                String ct = ex.getRequestHeaders().getFirst("Content-Type");
                if (ct != null && ct.contains("io.prometheus.write.v2.Request")) decodeV2(raw);
                else decodeV1(raw);
            }
            ex.sendResponseHeaders(st, -1);
            ex.close();
        });
        server.setExecutor(pool); // concurrent requests, as from several shards
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/write";
    }

    int samples() {
        int n = 0;
        for (List<Sample> l : accepted.values()) n += l.size();
        return n;
    }

    private void decodeV1(byte[] raw) throws IOException {
        Remote.WriteRequest req = Remote.WriteRequest.parseFrom(raw);
        if (req.getMetadataCount() > 0) metadataRequests.incrementAndGet();
        for (Types.MetricMetadata m : req.getMetadataList()) metadata.put(m.getMetricFamilyName(), m);
        for (Types.TimeSeries ts : req.getTimeseriesList()) {
            Map<String, String> l = new TreeMap<>();
            for (Types.Label x : ts.getLabelsList()) l.put(x.getName(), x.getValue());
            List<Sample> out = accepted.computeIfAbsent(l.toString(), k -> new CopyOnWriteArrayList<>());
            for (Types.Sample s : ts.getSamplesList()) out.add(new Sample(s.getTimestamp(), s.getValue()));
        }
    }

    private void decodeV2(byte[] raw) throws IOException {
        WriteV2.Request r = WriteV2.Request.parseFrom(raw);
        if (!r.getSymbols(0).isEmpty()) throw new IOException("symbols[0] must be the empty string");
        for (WriteV2.TimeSeries ts : r.getTimeseriesList()) {
            Map<String, String> l = new TreeMap<>();
            for (int i = 0; i < ts.getLabelsRefsCount(); i += 2) {
                l.put(r.getSymbols(ts.getLabelsRefs(i)), r.getSymbols(ts.getLabelsRefs(i + 1)));
            }
            List<Sample> out = accepted.computeIfAbsent(l.toString(), k -> new CopyOnWriteArrayList<>());
            for (WriteV2.Sample s : ts.getSamplesList()) out.add(new Sample(s.getTimestamp(), s.getValue()));
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
