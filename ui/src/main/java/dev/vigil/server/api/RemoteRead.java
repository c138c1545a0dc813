package dev.vigil.server.api;

import com.google.protobuf.CodedOutputStream;
import dev.vigil.ingest.remote.pb.Remote.ChunkedReadResponse;
import dev.vigil.ingest.remote.pb.Remote.Query;
import dev.vigil.ingest.remote.pb.Remote.QueryResult;
import dev.vigil.ingest.remote.pb.Remote.ReadRequest;
import dev.vigil.ingest.remote.pb.Remote.ReadResponse;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.ChunkIterator;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.chunk.Chunks;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.chunk.XorChunk;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import java.util.zip.CRC32C;
import org.xerial.snappy.Snappy;

/**
 * {@code POST /api/v1/read}, Prometheus's remote-read protocol (as {@code storage/remote/codec.go}
 * and {@code read_handler.go} serve it): a snappy-compressed {@code ReadRequest}; the answer as
 * SAMPLES (one snappy {@code ReadResponse}) or STREAMED_XOR_CHUNKS (CRC-framed {@code
 * ChunkedReadResponse}s, one series per frame, head chunks shipped as stored, block chunks
 * re-encoded to XOR), whichever the client lists first. External labels are added to every
 * series; an equality matcher on an external label is dropped when it matches, as Prometheus does.
 */
public final class RemoteRead {
    static final int MAX_DECODED_BYTES = 32 << 20;
    static final int MAX_BYTES_IN_FRAME = 1 << 20;
    static final long SAMPLE_LIMIT = 50_000_000;
    static final String STREAMED_CONTENT_TYPE = "application/x-streamed-protobuf; proto=prometheus.ChunkedReadResponse";

    private final Storage storage;
    private final Supplier<Labels> externalLabels;
    private final Semaphore concurrency = new Semaphore(10);

    public RemoteRead(Storage storage, Supplier<Labels> externalLabels) {
        this.storage = storage;
        this.externalLabels = externalLabels;
    }

    public void handle(Context ctx) throws IOException {
        ReadRequest req;
        try {
            byte[] body = ctx.bodyAsBytes();
            if (!Snappy.isValidCompressedBuffer(body)) throw new IOException("snappy: corrupt input");
            int n = Snappy.uncompressedLength(body);
            if (n < 0 || n > MAX_DECODED_BYTES) throw new IOException("snappy: decoded length " + n + " exceeds the limit of " + MAX_DECODED_BYTES);
            req = ReadRequest.parseFrom(Snappy.uncompress(body));
        } catch (IOException e) {
            ctx.status(400).contentType("text/plain; charset=utf-8").result(e.getMessage() + "\n");
            return;
        }
        boolean streamed;
        if (req.getAcceptedResponseTypesCount() == 0) {
            streamed = false;
        } else {
            ReadRequest.ResponseType first = null;
            for (ReadRequest.ResponseType t : req.getAcceptedResponseTypesList()) {
                if (t == ReadRequest.ResponseType.SAMPLES || t == ReadRequest.ResponseType.STREAMED_XOR_CHUNKS) {
                    first = t;
                    break;
                }
            }
            if (first == null) {
                ctx.status(400).result("server does not support any of the requested response types: " + req.getAcceptedResponseTypesList() + "\n");
                return;
            }
            streamed = first == ReadRequest.ResponseType.STREAMED_XOR_CHUNKS;
        }
        List<Matcher[]> matcherSets = new ArrayList<>();
        Labels ext = externalLabels.get();
        try {
            for (Query q : req.getQueriesList()) matcherSets.add(matchers(q, ext));
        } catch (IllegalArgumentException e) {
            ctx.status(400).result(e.getMessage() + "\n");
            return;
        }
        concurrency.acquireUninterruptibly();
        try {
            if (streamed) streamed(ctx, req, matcherSets, ext);
            else samples(ctx, req, matcherSets, ext);
        } finally {
            concurrency.release();
        }
    }

    static Matcher[] matchers(Query q, Labels ext) {
        List<Matcher> out = new ArrayList<>();
        for (Types.LabelMatcher m : q.getMatchersList()) {
            Matcher.Type type = switch (m.getType()) {
                case EQ -> Matcher.Type.EQUAL;
                case NEQ -> Matcher.Type.NOT_EQUAL;
                case RE -> Matcher.Type.REGEX;
                case NRE -> Matcher.Type.NOT_REGEX;
                default -> throw new IllegalArgumentException("invalid matcher type " + m.getTypeValue());
            };
            // The client asks with its view of our external labels; the stored series lack them.
            if (type == Matcher.Type.EQUAL && ext.has(m.getName())) {
                if (ext.get(m.getName()).equals(m.getValue())) continue;
            }
            out.add(Matcher.of(type, m.getName(), m.getValue()));
        }
        return out.toArray(Matcher[]::new);
    }

    static Labels withExternal(Labels l, Labels ext) {
        if (ext.isEmpty()) return l;
        Labels.Builder b = l.toBuilder();
        for (int i = 0; i < ext.size(); i++) if (!l.has(ext.name(i))) b.set(ext.name(i), ext.value(i));
        return b.build();
    }

    private static void addLabels(Types.TimeSeries.Builder ts, Labels l) {
        for (int i = 0; i < l.size(); i++) ts.addLabels(Types.Label.newBuilder().setName(l.name(i)).setValue(l.value(i)));
    }

    private void samples(Context ctx, ReadRequest req, List<Matcher[]> sets, Labels ext) throws IOException {
        ReadResponse.Builder resp = ReadResponse.newBuilder();
        long total = 0;
        try (Querier querier = storage.querier()) {
            for (int qi = 0; qi < req.getQueriesCount(); qi++) {
                Query q = req.getQueries(qi);
                QueryResult.Builder result = QueryResult.newBuilder();
                SeriesSet set = querier.select(q.getStartTimestampMs(), q.getEndTimestampMs(), SelectHints.DEFAULT, sets.get(qi));
                SampleIterator it = null;
                while (set.next()) {
                    Types.TimeSeries.Builder ts = Types.TimeSeries.newBuilder();
                    addLabels(ts, withExternal(set.labels(), ext));
                    it = set.iterator(it);
                    int kind = it.seek(q.getStartTimestampMs());
                    while (kind != SampleIterator.NONE && it.atT() <= q.getEndTimestampMs()) {
                        if (++total > SAMPLE_LIMIT) {
                            ctx.status(400).result("exceeded sample limit (" + SAMPLE_LIMIT + ")\n");
                            return;
                        }
                        ts.addSamples(Types.Sample.newBuilder().setTimestamp(it.atT()).setValue(it.atV()));
                        kind = it.next();
                    }
                    if (ts.getSamplesCount() > 0) result.addTimeseries(ts);
                }
                resp.addResults(result);
            }
        }
        byte[] out = Snappy.compress(resp.build().toByteArray());
        ctx.status(200).header("Content-Encoding", "snappy").contentType("application/x-protobuf").result(out);
    }

    private void streamed(Context ctx, ReadRequest req, List<Matcher[]> sets, Labels ext) throws IOException {
        ctx.status(200).contentType(STREAMED_CONTENT_TYPE);
        OutputStream out = ctx.outputStream();
        CRC32C crc = new CRC32C();
        try (Querier querier = storage.querier()) {
            for (int qi = 0; qi < req.getQueriesCount(); qi++) {
                Query q = req.getQueries(qi);
                long start = q.getStartTimestampMs(), end = q.getEndTimestampMs();
                SeriesSet set = querier.select(start, end, SelectHints.DEFAULT, sets.get(qi));
                while (set.next()) {
                    Labels labels = withExternal(set.labels(), ext);
                    List<Types.Chunk> pending = new ArrayList<>();
                    int pendingBytes = 0;
                    ChunkIterator chunks = set.chunks();
                    while (chunks.next()) {
                        if (chunks.maxT() < start || chunks.minT() > end) continue;
                        for (Types.Chunk c : toXorChunks(chunks)) {
                            pending.add(c);
                            pendingBytes += c.getData().size();
                            if (pendingBytes >= MAX_BYTES_IN_FRAME) {
                                frame(out, crc, labels, pending, qi);
                                pending.clear();
                                pendingBytes = 0;
                            }
                        }
                    }
                    if (!pending.isEmpty()) frame(out, crc, labels, pending, qi);
                }
            }
        }
        out.flush();
    }

    /** A stored chunk as Prometheus XOR chunks: head chunks as they are, others re-encoded. */
    private static List<Types.Chunk> toXorChunks(ChunkIterator c) {
        ByteBuffer b = c.bytes();
        List<Types.Chunk> out = new ArrayList<>(1);
        if (c.encoding() == Encoding.XOR) {
            byte[] data = new byte[b.remaining()];
            b.duplicate().get(data);
            out.add(Types.Chunk.newBuilder().setMinTimeMs(c.minT()).setMaxTimeMs(c.maxT()).setType(Types.Chunk.Encoding.XOR)
                    .setData(com.google.protobuf.ByteString.copyFrom(data)).build());
            return out;
        }
        for (XorChunk x : Chunks.toXor(c.encoding(), b.duplicate(), 120)) {
            out.add(Types.Chunk.newBuilder().setMinTimeMs(x.minT()).setMaxTimeMs(x.maxT()).setType(Types.Chunk.Encoding.XOR)
                    .setData(com.google.protobuf.ByteString.copyFrom(x.toBytes())).build());
        }
        return out;
    }

    private static void frame(OutputStream out, CRC32C crc, Labels labels, List<Types.Chunk> chunks, int queryIndex) throws IOException {
        Types.ChunkedSeries.Builder cs = Types.ChunkedSeries.newBuilder();
        for (int i = 0; i < labels.size(); i++) cs.addLabels(Types.Label.newBuilder().setName(labels.name(i)).setValue(labels.value(i)));
        cs.addAllChunks(chunks);
        byte[] msg = ChunkedReadResponse.newBuilder().addChunkedSeries(cs).setQueryIndex(queryIndex).build().toByteArray();
        crc.reset();
        crc.update(msg);
        int c = (int) crc.getValue();
        byte[] head = new byte[10 + 4];
        CodedOutputStream cos = CodedOutputStream.newInstance(head);
        cos.writeUInt32NoTag(msg.length);
        int n = cos.getTotalBytesWritten();
        head[n] = (byte) (c >>> 24);
        head[n + 1] = (byte) (c >>> 16);
        head[n + 2] = (byte) (c >>> 8);
        head[n + 3] = (byte) c;
        out.write(head, 0, n + 4);
        out.write(msg);
        out.flush();
    }
}
