package dev.vigil.ingest.log;

import dev.vigil.tsdb.JsonStrings;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A file of JSON lines as Prometheus writes its query and scrape failure logs ({@code
 * logging.JSONFileLogger}): {@code {"time":...,"level":...,"msg":...,<fields>}}, opened for
 * appending (created when missing) and reopened by every configuration load, so that a rotated
 * file is picked up.
 *
 * <p>Each line is one unbuffered write, so lines from concurrent writers never interleave and a
 * line is in the file once {@link #log} returns. Thread-safe.
 */
public final class JsonLogFile implements Closeable {
    private final String path;
    private final OutputStream out;
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean closed;

    private JsonLogFile(String path, OutputStream out) {
        this.path = path;
        this.out = out;
    }

    /**
     * Opens {@code path} for appending.
     *
     * @throws IOException with Prometheus's message ("can't create json log file: ...")
     */
    public static JsonLogFile open(String path) throws IOException {
        try {
            return new JsonLogFile(path, Files.newOutputStream(Path.of(path), StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, StandardOpenOption.WRITE));
        } catch (IOException | RuntimeException e) {
            throw new IOException("can't create json log file: open " + path + ": " + e.getMessage(), e);
        }
    }

    public String path() {
        return path;
    }

    /**
     * Writes one line; {@code fields} follow the message in their iteration order. Values may be
     * strings, numbers, booleans, nested maps or null. A failed write is counted, not thrown: the
     * query or scrape being logged must not fail because of its log.
     */
    public void log(String level, String msg, Map<String, ?> fields) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"time\":");
        JsonStrings.quote(b, Instant.now().toString());
        b.append(",\"level\":");
        JsonStrings.quote(b, level);
        b.append(",\"msg\":");
        JsonStrings.quote(b, msg);
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            b.append(',');
            JsonStrings.quote(b, e.getKey()).append(':');
            value(b, e.getValue());
        }
        byte[] line = b.append("}\n").toString().getBytes(StandardCharsets.UTF_8);
        synchronized (this) {
            if (closed) return;
            try {
                out.write(line);
            } catch (IOException e) {
                failures.incrementAndGet();
            }
        }
    }

    /** Lines that could not be written. */
    public long failures() {
        return failures.get();
    }

    @Override
    public synchronized void close() {
        closed = true;
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing buffered: every line was written when logged
        }
    }

    private static void value(StringBuilder b, Object v) {
        switch (v) {
            case null -> b.append("null");
            case String s -> JsonStrings.quote(b, s);
            case Boolean x -> b.append(x);
            case Double d -> number(b, d);
            case Float f -> number(b, f);
            case Number n -> b.append(n.longValue());
            case Map<?, ?> m -> {
                b.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) b.append(',');
                    first = false;
                    JsonStrings.quote(b, String.valueOf(e.getKey())).append(':');
                    value(b, e.getValue());
                }
                b.append('}');
            }
            default -> JsonStrings.quote(b, v.toString());
        }
    }

    /**
     * A float as Go's encoding/json writes it: the shortest decimal that reads back, plain between
     * 1e-6 and 1e21, else with an exponent without leading zeros ({@code 6.48e-7}, {@code 1e+21}).
     */
    static void number(StringBuilder b, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) { // Go refuses these; slog writes the error text
            JsonStrings.quote(b, Double.toString(v));
            return;
        }
        if (v == 0) {
            b.append('0');
            return;
        }
        double abs = Math.abs(v);
        BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
        if (abs >= 1e-6 && abs < 1e21) {
            b.append(d.toPlainString());
            return;
        }
        String digits = d.unscaledValue().abs().toString();
        int exponent = digits.length() - 1 - d.scale();
        if (v < 0) b.append('-');
        b.append(digits.charAt(0));
        if (digits.length() > 1) b.append('.').append(digits, 1, digits.length());
        b.append('e').append(exponent < 0 ? '-' : '+');
        b.append(Math.abs(exponent));
    }
}
