package dev.vigil.ingest.remote;

import dev.vigil.ingest.parse.Utf8;
import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.xerial.snappy.Snappy;

/**
 * The remote-write receiver: decodes a request body (snappy-compressed protobuf, remote-write 1.0
 * {@code prometheus.WriteRequest} or 2.0 {@code io.prometheus.write.v2.Request}) straight into one
 * appender, independent of the HTTP framework.
 *
 * <p>Status codes follow Prometheus's {@code write_handler.go}: 204 when everything was stored;
 * 415 for an unsupported content type or encoding; 400 for a body that does not decode, and for
 * rejected samples (out of order, duplicate, out of bounds, invalid labels, native histograms) —
 * 400 because a retry cannot succeed; 500 when the storage cannot commit (e.g. a full disk), which
 * clients retry. Unlike Prometheus, which rolls back the whole request on the first out-of-order
 * sample, the valid samples of a request with rejections are committed, and the 400 body says how
 * many were rejected, why, and names the first series per reason: nothing is half-stored silently.
 *
 * <p>The decoder allocates nothing per sample: it walks the wire format ({@link ProtoReader}) and
 * resolves label sets through a {@link SeriesRefCache} keyed by their raw bytes, so a series seen
 * in an earlier request costs no String, hashing of Strings or index lookup. Thread-safe.
 */
public final class RemoteWriteHandler {
    /** The media type of both protocol versions. */
    public static final String PROTOBUF = "application/x-protobuf";
    /** The {@code proto} parameter value of remote-write 1.0. */
    public static final String PROTO_V1 = "prometheus.WriteRequest";
    /** The {@code proto} parameter value of remote-write 2.0. */
    public static final String PROTO_V2 = "io.prometheus.write.v2.Request";
    /** Largest decompressed body accepted; larger bodies are a 400, never an OutOfMemoryError. */
    public static final int MAX_DECODED_BYTES = 64 << 20;

    /** Receives metric metadata carried by requests (1.0 {@code metadata}, 2.0 per-series). */
    @FunctionalInterface
    public interface MetadataListener {
        /** {@code type} is Prometheus's lower-case name: counter, gauge, histogram, ... */
        void metadata(String metricFamily, String type, String help, String unit);
    }

    /** What to answer: status code, plain-text body (empty for 204) and extra headers. */
    public record Response(int status, String body, Map<String, String> headers) {
        static Response of(int status, String body) {
            return new Response(status, body, Map.of());
        }
    }

    private final Storage storage;
    private final MetadataListener metadataListener;
    private final SeriesRefCache cache;

    private final LongAdder samplesWritten = new LongAdder();
    private final LongAdder[] samplesRejected = new LongAdder[AppendStatus.REASONS];
    private final LongAdder histogramsRejected = new LongAdder();
    private final LongAdder exemplarsIgnored = new LongAdder();
    private final LongAdder requestsFailed = new LongAdder();

    public RemoteWriteHandler(Storage storage, MetadataListener metadataListener) {
        this(storage, metadataListener, 1 << 18);
    }

    public RemoteWriteHandler(Storage storage, MetadataListener metadataListener, int cacheSlots) {
        this.storage = storage;
        this.metadataListener = metadataListener == null ? (f, t, h, u) -> {} : metadataListener;
        this.cache = new SeriesRefCache(cacheSlots);
        for (int i = 0; i < samplesRejected.length; i++) samplesRejected[i] = new LongAdder();
    }

    /**
     * Handles one request.
     *
     * @param contentType the Content-Type header, or null
     * @param contentEncoding the Content-Encoding header, or null
     * @param body the raw body bytes {@code [0, length)}
     */
    public Response handle(String contentType, String contentEncoding, byte[] body, int length) {
        String proto;
        try {
            proto = protoMessage(contentType);
        } catch (IllegalArgumentException e) {
            requestsFailed.increment();
            return Response.of(415, e.getMessage());
        }
        if (!proto.equals(PROTO_V1) && !proto.equals(PROTO_V2)) {
            requestsFailed.increment();
            return Response.of(415, proto + " protobuf message is not accepted by this server; accepted ["
                    + PROTO_V1 + ", " + PROTO_V2 + "]");
        }
        if (contentEncoding != null && !contentEncoding.isEmpty() && !contentEncoding.equalsIgnoreCase("snappy")) {
            requestsFailed.increment();
            return Response.of(415, contentEncoding + " encoding (compression) is not accepted by this server; only snappy is acceptable");
        }
        byte[] decoded;
        try {
            if (!Snappy.isValidCompressedBuffer(body, 0, length)) throw new IOException("corrupt input");
            int n = Snappy.uncompressedLength(body, 0, length);
            if (n < 0 || n > MAX_DECODED_BYTES) {
                requestsFailed.increment();
                return Response.of(400, "snappy: decoded body of " + Integer.toUnsignedString(n)
                        + " bytes exceeds the limit of " + MAX_DECODED_BYTES);
            }
            decoded = new byte[n];
            Snappy.uncompress(body, 0, length, decoded, 0);
        } catch (IOException e) {
            requestsFailed.increment();
            return Response.of(400, "snappy: " + (e.getMessage() == null ? "corrupt input" : e.getMessage()));
        }
        boolean v2 = proto.equals(PROTO_V2);
        Batch batch = new Batch(storage.appender());
        try {
            if (v2) decodeV2(decoded, batch);
            else decodeV1(decoded, batch);
        } catch (ProtoReader.MalformedRequestException | V2Exception e) {
            batch.app.rollback();
            requestsFailed.increment();
            return withWrittenHeaders(v2, Response.of(400, e.getMessage()), 0);
        }
        try {
            batch.app.commit();
        } catch (StorageException e) {
            requestsFailed.increment();
            return withWrittenHeaders(v2, Response.of(500, "storage: " + e.getMessage()), 0);
        }
        samplesWritten.add(batch.written);
        if (batch.rejected() == 0) return withWrittenHeaders(v2, Response.of(204, ""), batch.written);
        requestsFailed.increment();
        return withWrittenHeaders(v2, Response.of(400, batch.describeRejections()), batch.written);
    }

    /** Samples stored since start. */
    public long samplesWritten() {
        return samplesWritten.sum();
    }

    /** Samples rejected since start for {@code reason}, an {@link AppendStatus} code. */
    public long samplesRejected(long reason) {
        return samplesRejected[(int) -reason - 1].sum();
    }

    /** Native-histogram samples rejected since start (not supported by the storage). */
    public long histogramsRejected() {
        return histogramsRejected.sum();
    }

    /** Exemplars received and not stored (Vigil keeps no exemplars). */
    public long exemplarsIgnored() {
        return exemplarsIgnored.sum();
    }

    /** Requests answered with a 4xx or 5xx. */
    public long requestsFailed() {
        return requestsFailed.sum();
    }

    private static Response withWrittenHeaders(boolean v2, Response r, long samples) {
        if (!v2) return r;
        Map<String, String> h = new LinkedHashMap<>();
        h.put("X-Prometheus-Remote-Write-Samples-Written", Long.toString(samples));
        h.put("X-Prometheus-Remote-Write-Histograms-Written", "0");
        h.put("X-Prometheus-Remote-Write-Exemplars-Written", "0");
        return new Response(r.status(), r.body(), h);
    }

    /**
     * The protobuf message named by a Content-Type, as Prometheus's {@code ParseProtoMsg} reads it:
     * no header means 1.0; the media type must be {@code application/x-protobuf}; a missing
     * {@code proto} parameter means 1.0.
     */
    static String protoMessage(String contentType) {
        if (contentType == null || contentType.isBlank()) return PROTO_V1;
        String[] parts = contentType.trim().split(";");
        if (!parts[0].trim().equalsIgnoreCase(PROTOBUF)) {
            throw new IllegalArgumentException("expected " + PROTOBUF + " as the first (media) part, got " + contentType + " content-type");
        }
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", -1);
            if (kv.length != 2) {
                throw new IllegalArgumentException("expected parameters to be key-values, got " + parts[i] + " in " + contentType + " content-type");
            }
            if (kv[0].trim().equals("proto")) return kv[1].trim();
        }
        return PROTO_V1;
    }

    // ---------------------------------------------------------------- 1.0

    private void decodeV1(byte[] b, Batch batch) {
        ProtoReader r = new ProtoReader(b, 0, b.length);
        ProtoReader ts = new ProtoReader(b, 0, 0);
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag == (1 << 3 | ProtoReader.LEN)) {
                int end = r.readLengthEnd();
                ts.pos = r.pos;
                ts.limit = end;
                timeSeriesV1(ts, batch);
                r.pos = end;
            } else if (tag == (3 << 3 | ProtoReader.LEN)) {
                int end = r.readLengthEnd();
                metadataV1(new ProtoReader(b, r.pos, end));
                r.pos = end;
            } else {
                r.skip(tag & 7);
            }
        }
    }

    /** One TimeSeries: labels first (they may follow the samples on the wire), then samples. */
    private void timeSeriesV1(ProtoReader r, Batch batch) {
        int start = r.pos;
        SeriesKey key = batch.key;
        key.reset();
        int samples = 0;
        int histograms = 0;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (tag) {
                case 1 << 3 | ProtoReader.LEN -> {
                    int end = r.readLengthEnd();
                    labelV1(r.buf, r.pos, end, key);
                    r.pos = end;
                }
                case 2 << 3 | ProtoReader.LEN -> {
                    samples++;
                    r.pos = r.readLengthEnd();
                }
                case 3 << 3 | ProtoReader.LEN -> {
                    exemplarsIgnored.increment();
                    r.pos = r.readLengthEnd();
                }
                case 4 << 3 | ProtoReader.LEN -> {
                    histograms++;
                    r.pos = r.readLengthEnd();
                }
                default -> r.skip(tag & 7);
            }
        }
        if (histograms > 0) batch.rejectHistograms(histograms, key);
        if (samples > 0) appendSamples(r, start, batch, key);
    }

    /**
     * The second pass over one TimeSeries from {@code start}: its samples, which 1.0 and 2.0 both
     * carry as field 2 ({@code double value = 1; int64 timestamp = 2}), appended for {@code key}.
     */
    private void appendSamples(ProtoReader r, int start, Batch batch, SeriesKey key) {
        SeriesRefCache.Entry entry = batch.resolve(cache, key);
        r.pos = start;
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag == (2 << 3 | ProtoReader.LEN)) {
                int end = r.readLengthEnd();
                double v = 0;
                long t = 0;
                while (r.pos < end) {
                    int st = r.readTag();
                    if (st == (1 << 3 | ProtoReader.FIXED64)) v = r.readDouble();
                    else if (st == (2 << 3 | ProtoReader.VARINT)) t = r.readVarint();
                    else r.skip(st & 7);
                }
                if (r.pos != end) throw ProtoReader.malformed("sample overruns its length");
                batch.append(entry, key, t, v);
            } else {
                r.skip(tag & 7);
            }
        }
    }

    private static void labelV1(byte[] b, int pos, int end, SeriesKey key) {
        int nameStart = pos, nameEnd = pos, valueStart = pos, valueEnd = pos;
        ProtoReader r = key.labelReader;
        r.buf = b;
        r.pos = pos;
        r.limit = end;
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag == (1 << 3 | ProtoReader.LEN)) {
                nameEnd = r.readLengthEnd();
                nameStart = r.pos;
                r.pos = nameEnd;
            } else if (tag == (2 << 3 | ProtoReader.LEN)) {
                valueEnd = r.readLengthEnd();
                valueStart = r.pos;
                r.pos = valueEnd;
            } else {
                r.skip(tag & 7);
            }
        }
        key.add(b, nameStart, nameEnd, valueStart, valueEnd);
    }

    private void metadataV1(ProtoReader r) {
        int type = 0;
        String family = "", help = "", unit = "";
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (tag) {
                case 1 << 3 | ProtoReader.VARINT -> type = (int) r.readVarint();
                case 2 << 3 | ProtoReader.LEN -> family = string(r);
                case 4 << 3 | ProtoReader.LEN -> help = string(r);
                case 5 << 3 | ProtoReader.LEN -> unit = string(r);
                default -> r.skip(tag & 7);
            }
        }
        if (!family.isEmpty()) metadataListener.metadata(family, typeName(type), help, unit);
    }

    private static String string(ProtoReader r) {
        int end = r.readLengthEnd();
        String s = new String(r.buf, r.pos, end - r.pos, StandardCharsets.UTF_8);
        r.pos = end;
        return s;
    }

    private static final String[] TYPE_NAMES = {"unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"};

    static String typeName(int type) {
        return type >= 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "unknown";
    }

    // ---------------------------------------------------------------- 2.0

    /** A 2.0 request that is well-formed protobuf but violates the spec (bad symbol refs). */
    static final class V2Exception extends RuntimeException {
        V2Exception(String message) {
            super(message, null, false, false);
        }
    }

    private void decodeV2(byte[] b, Batch batch) {
        // Symbols first: the spec lets them come in any order relative to the series.
        IntList symbolStarts = new IntList();
        IntList symbolEnds = new IntList();
        ProtoReader r = new ProtoReader(b, 0, b.length);
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag == (4 << 3 | ProtoReader.LEN)) {
                int end = r.readLengthEnd();
                symbolStarts.add(r.pos);
                symbolEnds.add(end);
                r.pos = end;
            } else {
                r.skip(tag & 7);
            }
        }
        r.pos = 0;
        ProtoReader ts = new ProtoReader(b, 0, 0);
        int index = 0;
        while (r.hasMore()) {
            int tag = r.readTag();
            if (tag == (5 << 3 | ProtoReader.LEN)) {
                int end = r.readLengthEnd();
                ts.pos = r.pos;
                ts.limit = end;
                timeSeriesV2(ts, batch, symbolStarts, symbolEnds, index++);
                r.pos = end;
            } else {
                r.skip(tag & 7);
            }
        }
    }

    private void timeSeriesV2(ProtoReader r, Batch batch, IntList symStart, IntList symEnd, int index) {
        int start = r.pos;
        SeriesKey key = batch.key;
        key.reset();
        IntList refs = batch.refs;
        refs.clear();
        int samples = 0, histograms = 0, metaType = 0, helpRef = 0, unitRef = 0;
        boolean hasMeta = false;
        while (r.hasMore()) {
            int tag = r.readTag();
            switch (tag) {
                case 1 << 3 | ProtoReader.LEN -> { // packed labels_refs
                    int end = r.readLengthEnd();
                    while (r.pos < end) refs.add(checkedRef(r.readVarint(), symStart.size(), index));
                    if (r.pos != end) throw ProtoReader.malformed("labels_refs overrun their length");
                }
                case 1 << 3 | ProtoReader.VARINT -> refs.add(checkedRef(r.readVarint(), symStart.size(), index));
                case 2 << 3 | ProtoReader.LEN -> {
                    samples++;
                    r.pos = r.readLengthEnd();
                }
                case 3 << 3 | ProtoReader.LEN -> {
                    histograms++;
                    r.pos = r.readLengthEnd();
                }
                case 4 << 3 | ProtoReader.LEN -> {
                    exemplarsIgnored.increment();
                    r.pos = r.readLengthEnd();
                }
                case 5 << 3 | ProtoReader.LEN -> {
                    int end = r.readLengthEnd();
                    hasMeta = true;
                    while (r.pos < end) {
                        int mt = r.readTag();
                        switch (mt) {
                            case 1 << 3 | ProtoReader.VARINT -> metaType = (int) r.readVarint();
                            case 3 << 3 | ProtoReader.VARINT -> helpRef = checkedRef(r.readVarint(), symStart.size(), index);
                            case 4 << 3 | ProtoReader.VARINT -> unitRef = checkedRef(r.readVarint(), symStart.size(), index);
                            default -> r.skip(mt & 7);
                        }
                    }
                }
                default -> r.skip(tag & 7);
            }
        }
        if (refs.size() % 2 != 0) {
            throw new V2Exception("parsing labels for series " + index + ": odd number of labels_refs (" + refs.size() + ")");
        }
        byte[] b = r.buf;
        for (int i = 0; i < refs.size(); i += 2) {
            int n = refs.get(i), v = refs.get(i + 1);
            key.add(b, symStart.get(n), symEnd.get(n), symStart.get(v), symEnd.get(v));
        }
        if (hasMeta && (metaType != 0 || helpRef != 0 || unitRef != 0)) {
            String family = key.metricName();
            if (family != null) {
                metadataListener.metadata(family, typeName(metaType),
                        new String(b, symStart.get(helpRef), symEnd.get(helpRef) - symStart.get(helpRef), StandardCharsets.UTF_8),
                        new String(b, symStart.get(unitRef), symEnd.get(unitRef) - symStart.get(unitRef), StandardCharsets.UTF_8));
            }
        }
        if (histograms > 0) batch.rejectHistograms(histograms, key);
        if (samples > 0) appendSamples(r, start, batch, key);
    }

    private static int checkedRef(long ref, int symbols, int series) {
        if (ref < 0 || ref >= symbols) {
            throw new V2Exception("parsing labels for series " + series + ": symbol reference " + ref
                    + " out of range; the request has " + symbols + " symbols");
        }
        return (int) ref;
    }

    // ---------------------------------------------------------------- the batch

    /** One request's appender, its scratch state and what it rejected. */
    private final class Batch {
        final Appender app;
        final SeriesKey key = new SeriesKey();
        final IntList refs = new IntList();
        long written;
        final Rejections rejections = new Rejections();
        long histograms;
        String firstHistogram;

        Batch(Appender app) {
            this.app = app;
        }

        /** The cache entry for the current key, created (labels validated) on a miss. */
        SeriesRefCache.Entry resolve(SeriesRefCache cache, SeriesKey key) {
            long hash = key.hash();
            SeriesRefCache.Entry e = cache.get(hash, key);
            if (e != null) return e;
            Labels labels = null;
            String invalid = key.validate();
            if (invalid == null) {
                try {
                    labels = Labels.of(key.strings());
                    if (labels.metricName().isEmpty()) {
                        invalid = "invalid metric name or labels, got " + labels;
                        labels = null;
                    }
                } catch (IllegalArgumentException ex) {
                    invalid = "invalid labels for series " + key.describe() + ": " + ex.getMessage();
                }
            }
            e = new SeriesRefCache.Entry(hash, key.copyBytes(), labels, invalid);
            if (labels != null) cache.put(e);
            return e;
        }

        void append(SeriesRefCache.Entry e, SeriesKey key, long t, double v) {
            if (e.labels == null) {
                reject(AppendStatus.INVALID_LABELS, () -> e.invalid);
                return;
            }
            long res = app.append(e.ref, e.labels, t, v);
            if (res < 0) {
                reject(res, () -> AppendStatus.reason(res) + " sample for series " + e.labels + " at timestamp " + t);
            } else {
                e.ref = res;
                written++;
            }
        }

        void reject(long code, java.util.function.Supplier<String> what) {
            rejections.add(code, what);
            samplesRejected[(int) -code - 1].increment();
        }

        void rejectHistograms(int n, SeriesKey key) {
            if (histograms == 0) firstHistogram = key.describe();
            histograms += n;
            histogramsRejected.add(n);
        }

        long rejected() {
            return histograms + rejections.total();
        }

        String describeRejections() {
            List<String> parts = rejections.describe();
            if (histograms > 0) {
                parts.add(histograms + " native histogram samples, which Vigil does not store (first series: " + firstHistogram + ")");
            }
            return "stored " + written + " samples; rejected " + String.join(", ", parts);
        }
    }

    /** A growable int list, reused across series. */
    static final class IntList {
        private int[] a = new int[64];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int get(int i) {
            return a[i];
        }

        int size() {
            return n;
        }

        void clear() {
            n = 0;
        }
    }

    /** Validation that needs the raw bytes: UTF-8 validity, which Strings would hide. */
    static boolean validUtf8(byte[] b, int s, int e) {
        return Utf8.isValid(b, s, e);
    }
}
