package dev.vigil.ingest.remotewrite;

import dev.vigil.ingest.parse.MetricType;
import dev.vigil.ingest.scrape.MetricMetadata;
import java.util.Map;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.xerial.snappy.Snappy;

/**
 * Encodes a batch of samples as a snappy-compressed remote-write request: 1.0
 * {@code prometheus.WriteRequest} (one {@code TimeSeries} per sample, as Prometheus sends them) or
 * 2.0 {@code io.prometheus.write.v2.Request} (labels as references into a per-request symbol table).
 * Owns its buffers and reuses them for every request; one per shard, not thread-safe.
 */
final class RequestEncoder {
    private final boolean v2;
    private final ProtoWriter out = new ProtoWriter(64 << 10);
    private final ProtoWriter series = new ProtoWriter(64 << 10); // 2.0: timeseries, before symbols are known
    private byte[] compressed = new byte[64 << 10];
    private int compressedLength;
    // 2.0 only: the request's symbol table; index 0 is the empty string, as the spec requires
    private final HashMap<String, Integer> symbolIndex = new HashMap<>();
    private final List<String> symbols = new ArrayList<>();
    private int[] refs = new int[64];

    RequestEncoder(boolean v2) {
        this.v2 = v2;
    }

    /** Encodes and compresses samples {@code [0, n)}; the result is {@link #body()}, {@link #bodyLength()}. */
    void encode(SeriesEntry[] s, long[] ts, double[] vs, int n) throws IOException {
        out.reset();
        if (v2) encodeV2(s, ts, vs, n);
        else encodeV1(s, ts, vs, n);
        int max = Snappy.maxCompressedLength(out.length());
        if (compressed.length < max) compressed = new byte[Math.max(max, compressed.length * 2)];
        compressedLength = Snappy.compress(out.array(), 0, out.length(), compressed, 0);
    }

    /**
     * A 1.0 request of metric metadata only ({@code WriteRequest.metadata}, field 3), as Prometheus
     * sends every {@code metadata_config.send_interval}.
     */
    void encodeMetadata(List<Map.Entry<String, MetricMetadata>> families) throws IOException {
        out.reset();
        ProtoWriter one = series;
        for (Map.Entry<String, MetricMetadata> f : families) {
            one.reset();
            MetricMetadata m = f.getValue();
            one.tag(1, ProtoWriter.VARINT); // MetricMetadata.type
            one.uvarint(v1Type(m.type()));
            one.bytesField(2, f.getKey().getBytes(StandardCharsets.UTF_8)); // metric_family_name
            if (m.help() != null && !m.help().isEmpty()) one.bytesField(4, m.help().getBytes(StandardCharsets.UTF_8));
            if (m.unit() != null && !m.unit().isEmpty()) one.bytesField(5, m.unit().getBytes(StandardCharsets.UTF_8));
            out.tag(3, ProtoWriter.LEN);
            out.uvarint(one.length());
            out.raw(one.array(), 0, one.length());
        }
        int max = Snappy.maxCompressedLength(out.length());
        if (compressed.length < max) compressed = new byte[Math.max(max, compressed.length * 2)];
        compressedLength = Snappy.compress(out.array(), 0, out.length(), compressed, 0);
    }

    /** prometheus.MetricMetadata.MetricType numbers. */
    static int v1Type(MetricType t) {
        return switch (t) {
            case COUNTER -> 1;
            case GAUGE -> 2;
            case HISTOGRAM -> 3;
            case GAUGEHISTOGRAM -> 4;
            case SUMMARY -> 5;
            case INFO -> 6;
            case STATESET -> 7;
            case UNKNOWN -> 0;
        };
    }

    byte[] body() {
        return compressed;
    }

    int bodyLength() {
        return compressedLength;
    }

    /** Uncompressed size of the last request, in bytes. */
    int rawLength() {
        return out.length();
    }

    private void encodeV1(SeriesEntry[] s, long[] ts, double[] vs, int n) {
        // The hot loop of forwarding: written straight into the array, one bounds check per sample.
        for (int i = 0; i < n; i++) {
            byte[] labels = s[i].v1Labels;
            int sampleLen = 1 + 8 + 1 + ProtoWriter.uvarintSize(ts[i]); // <= 20: its length is one byte
            int tsLen = labels.length + 2 + sampleLen;
            out.ensure(tsLen + 11);
            byte[] b = out.array();
            int p = out.length();
            b[p++] = 0x0A; // WriteRequest.timeseries (field 1, length-delimited)
            p = ProtoWriter.putUvarint(b, p, tsLen);
            System.arraycopy(labels, 0, b, p, labels.length); // TimeSeries.labels, pre-encoded
            p += labels.length;
            b[p++] = 0x12; // TimeSeries.samples (field 2, length-delimited)
            b[p++] = (byte) sampleLen;
            b[p++] = 0x09; // Sample.value (field 1, fixed64)
            ProtoWriter.putFixed64(b, p, Double.doubleToRawLongBits(vs[i]));
            p += 8;
            b[p++] = 0x10; // Sample.timestamp (field 2, varint)
            p = ProtoWriter.putUvarint(b, p, ts[i]);
            out.setLength(p);
        }
    }

    private void encodeV2(SeriesEntry[] s, long[] ts, double[] vs, int n) {
        symbolIndex.clear();
        symbols.clear();
        symbol("");
        series.reset();
        for (int i = 0; i < n; i++) {
            String[] str = s[i].strings;
            if (refs.length < str.length) refs = new int[str.length * 2];
            int refsLen = 0;
            for (int j = 0; j < str.length; j++) {
                refs[j] = symbol(str[j]);
                refsLen += ProtoWriter.uvarintSize(refs[j]);
            }
            int sampleLen = 1 + 8 + 1 + ProtoWriter.uvarintSize(ts[i]);
            int tsLen = 1 + ProtoWriter.uvarintSize(refsLen) + refsLen + 1 + ProtoWriter.uvarintSize(sampleLen) + sampleLen;
            series.tag(5, ProtoWriter.LEN); // Request.timeseries
            series.uvarint(tsLen);
            series.tag(1, ProtoWriter.LEN); // TimeSeries.labels_refs, packed
            series.uvarint(refsLen);
            for (int j = 0; j < str.length; j++) series.uvarint(refs[j]);
            series.tag(2, ProtoWriter.LEN); // TimeSeries.samples
            series.uvarint(sampleLen);
            series.tag(1, ProtoWriter.I64); // Sample.value
            series.fixed64(Double.doubleToRawLongBits(vs[i]));
            series.tag(2, ProtoWriter.VARINT); // Sample.timestamp
            series.uvarint(ts[i]);
        }
        for (String sym : symbols) out.bytesField(4, sym.getBytes(StandardCharsets.UTF_8)); // Request.symbols
        out.raw(series.array(), 0, series.length());
    }

    private int symbol(String s) {
        Integer i = symbolIndex.get(s);
        if (i != null) return i;
        int next = symbols.size();
        symbols.add(s);
        symbolIndex.put(s, next);
        return next;
    }
}
