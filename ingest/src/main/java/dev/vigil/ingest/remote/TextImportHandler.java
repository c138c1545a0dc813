package dev.vigil.ingest.remote;

import dev.vigil.ingest.parse.ExpositionFormat;
import dev.vigil.ingest.parse.ExpositionParser;
import dev.vigil.ingest.parse.ParseException;
import dev.vigil.ingest.parse.SampleSink;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.zip.GZIPInputStream;

/**
 * {@code POST /api/v1/import/prometheus}, as VictoriaMetrics offers it: a body in the Prometheus
 * text format (or OpenMetrics, by Content-Type), timestamps optional (a sample without one gets
 * the time of the request), optional extra labels that override the body's.
 *
 * <p>All or nothing for syntax: a body that does not parse stores nothing and gets a 400 naming the
 * line. Samples the storage rejects (out of order, duplicate, out of bounds, invalid labels) are
 * counted and named in a 400 while the valid ones are stored.
 */
public final class TextImportHandler {
    /** Largest (decompressed) body accepted. */
    public static final int MAX_BODY_BYTES = 64 << 20;

    private final Storage storage;
    private final LongSupplier clock;

    public TextImportHandler(Storage storage, LongSupplier clock) {
        this.storage = storage;
        this.clock = clock;
    }

    /**
     * @param extraLabels labels set on every imported series (VictoriaMetrics's {@code extra_label}),
     *     overriding labels of the same name in the body; may be empty
     */
    public RemoteWriteHandler.Response handle(String contentType, String contentEncoding, byte[] body, int length, Labels extraLabels) {
        byte[] buf = body;
        int len = length;
        if (contentEncoding != null && contentEncoding.equalsIgnoreCase("gzip")) {
            try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body, 0, length))) {
                buf = in.readNBytes(MAX_BODY_BYTES + 1);
                len = buf.length;
            } catch (IOException e) {
                return RemoteWriteHandler.Response.of(400, "gzip: " + e.getMessage());
            }
        } else if (contentEncoding != null && !contentEncoding.isBlank() && !contentEncoding.equalsIgnoreCase("identity")) {
            return RemoteWriteHandler.Response.of(415, "unsupported Content-Encoding " + contentEncoding + "; gzip or none");
        }
        if (len > MAX_BODY_BYTES) {
            return RemoteWriteHandler.Response.of(400, "body exceeds " + MAX_BODY_BYTES + " bytes; split the import");
        }
        ExpositionParser parser = ExpositionFormat.forContentType(contentType).newParser();
        long now = clock.getAsLong();
        Appender app = storage.appender();
        Sink sink = new Sink(parser, app, extraLabels, now);
        try {
            parser.parse(buf, len, sink);
        } catch (ParseException e) {
            app.rollback();
            return RemoteWriteHandler.Response.of(400, "cannot parse the body, nothing was imported: " + e.getMessage());
        } catch (RuntimeException e) {
            app.rollback();
            throw e;
        }
        try {
            app.commit();
        } catch (StorageException e) {
            return RemoteWriteHandler.Response.of(500, "storage: " + e.getMessage());
        }
        if (sink.rejections.total() == 0) return RemoteWriteHandler.Response.of(204, "");
        return RemoteWriteHandler.Response.of(400, "imported " + sink.written + " samples; rejected "
                + String.join(", ", sink.rejections.describe()));
    }

    private static final class Sink implements SampleSink {
        final ExpositionParser parser;
        final Appender app;
        final Labels extra;
        final long now;
        long written;
        final Rejections rejections = new Rejections();

        Sink(ExpositionParser parser, Appender app, Labels extra, long now) {
            this.parser = parser;
            this.app = app;
            this.extra = extra;
            this.now = now;
        }

        @Override
        public void sample(byte[] buf, int seriesStart, int seriesEnd, long seriesHash, double value, long timestampMs) {
            Labels labels = parser.labels(buf, seriesStart, seriesEnd);
            if (!extra.isEmpty()) {
                Labels.Builder b = labels.toBuilder();
                for (int i = 0; i < extra.size(); i++) b.set(extra.name(i), extra.value(i));
                labels = b.build();
            }
            long t = timestampMs == NO_TIMESTAMP ? now : timestampMs;
            long res = app.append(0, labels, t, value);
            if (res >= 0) {
                written++;
                return;
            }
            int line = parser.line();
            Labels rejected = labels;
            rejections.add(res, () -> "line " + line + ": " + rejected + " at " + t);
        }
    }
}
