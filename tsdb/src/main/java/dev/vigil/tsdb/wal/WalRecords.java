package dev.vigil.tsdb.wal;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.block.Bytes;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * Framing and the payload codecs of the WAL's record types. The byte layout is specified in
 * {@code tsdb/docs/format/wal.md}.
 *
 * <p>A frame is {@code [u8 type][u32 BE payload length][u32 BE CRC32C(type byte, payload)][payload]}.
 * The {@code frame*} methods append one complete frame to a caller-owned {@link RecordBuffer}, so a
 * commit can frame a {@link #SERIES} record and then a {@link #SAMPLES} record and hand both to one
 * {@link Wal#log} call. They allocate nothing once the buffer has grown.
 *
 * <p>The decoders read a payload from its position to its limit (as handed to a
 * {@link RecordHandler}) and throw {@link IllegalArgumentException} on a payload that is malformed
 * although its CRC matched (a bug or a newer format, not disk damage). Stateless and thread-safe.
 */
public final class WalRecords {
    /** Bytes before the payload: type, length, CRC. */
    public static final int HEADER_BYTES = 9;
    /** New series: (series ref, {@link Labels#encode()} bytes) pairs. */
    public static final byte SERIES = 1;
    /** Samples with 8-byte values: written only when a timestamp delta does not fit {@link #PACKED_SAMPLES}. */
    public static final byte SAMPLES = 2;
    /** Deletions: (series ref, minT, maxT) triples, inclusive. */
    public static final byte TOMBSTONES = 3;
    /** Samples whose values drop their trailing zero bytes: what {@link #frameSamples} writes. */
    public static final byte PACKED_SAMPLES = 4;
    /**
     * Samples the head put among its series' out-of-order samples, logged after the samples record
     * that carried them (Prometheus's write-behind log): replay reads them from here, readers that
     * forward samples skip it. The payload is {@link #SAMPLES}'s.
     */
    public static final byte OUT_OF_ORDER_SAMPLES = 5;
    /** Highest valid type; the type byte's top bit is reserved, and 0 marks a zero-filled tail. */
    public static final int MAX_TYPE = 127;

    // Smallest encoded entry per record type, used to reject a count that cannot fit the payload
    // before sizing arrays by it.
    private static final int MIN_SERIES_ENTRY = 2;
    private static final int MIN_SAMPLE_ENTRY = 10;
    private static final int MIN_PACKED_SAMPLE_ENTRY = 3;
    /** Two 10-byte varints and the 8-byte value. */
    private static final int MAX_SAMPLE_ENTRY = 28;
    private static final int MIN_TOMBSTONE_ENTRY = 3;

    private WalRecords() {}

    /**
     * Appends a {@link #SERIES} frame for {@code ids[0..n)} with {@code labels[i]} the
     * {@link Labels#encode()} output of series {@code ids[i]}.
     */
    public static void frameSeries(RecordBuffer out, long[] ids, byte[][] labels, int n) {
        checkCount(n, ids.length, labels.length);
        int start = begin(out, SERIES, n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            out.putVarint(ids[i] - prev);
            prev = ids[i];
            byte[] l = labels[i];
            out.putUvarint(l.length);
            out.putBytes(l, 0, l.length);
        }
        finish(out, start);
    }

    /**
     * Appends a samples frame for samples {@code [0, n)}: series ref {@code ids[i]}, timestamp
     * {@code ts[i]} (epoch millis), value {@code vs[i]} stored by its raw bits. The frame is a
     * {@link #PACKED_SAMPLES} record, or a {@link #SAMPLES} record when a timestamp delta is too far
     * out of range (beyond ±2^59 ms) for the packed header.
     */
    public static void frameSamples(RecordBuffer out, long[] ids, long[] ts, double[] vs, int n) {
        checkCount(n, ids.length, Math.min(ts.length, vs.length));
        int start = begin(out, PACKED_SAMPLES, n);
        if (!packSamples(out, ids, ts, vs, n)) {
            out.truncate(start);
            start = begin(out, SAMPLES, n);
            putFullSamples(out, ids, ts, vs, n);
        }
        finish(out, start);
    }

    /** Appends an {@link #OUT_OF_ORDER_SAMPLES} frame for samples {@code [0, n)}. */
    public static void frameOutOfOrderSamples(RecordBuffer out, long[] ids, long[] ts, double[] vs, int n) {
        checkCount(n, ids.length, Math.min(ts.length, vs.length));
        int start = begin(out, OUT_OF_ORDER_SAMPLES, n);
        putFullSamples(out, ids, ts, vs, n);
        finish(out, start);
    }

    /** The entries of a {@link #SAMPLES} payload. */
    private static void putFullSamples(RecordBuffer out, long[] ids, long[] ts, double[] vs, int n) {
        long prevId = 0;
        long prevT = 0;
        out.ensure(n * MAX_SAMPLE_ENTRY);
        byte[] b = out.array();
        int p = out.length();
        for (int i = 0; i < n; i++) {
            p = Bytes.putVarint(b, p, ids[i] - prevId);
            p = Bytes.putVarint(b, p, ts[i] - prevT);
            p = Bytes.putU64(b, p, Double.doubleToRawLongBits(vs[i]));
            prevId = ids[i];
            prevT = ts[i];
        }
        out.setLength(p);
    }

    /**
     * Writes the entries of a {@link #PACKED_SAMPLES} payload; false when a timestamp delta does not
     * fit the header. Values are mostly integers and short decimals, whose raw bits end in zero
     * bytes: dropping those takes a scrape's WAL from about 10 to under 6 bytes per sample.
     */
    private static boolean packSamples(RecordBuffer out, long[] ids, long[] ts, double[] vs, int n) {
        long prevId = 0;
        long prevT = 0;
        // In runs of up to 1024 entries, each with room reserved once: a scrape's batch is the WAL's
        // hottest write, and a bounds check plus a length update per byte showed in profiles.
        for (int from = 0; from < n; from += 1024) {
            int to = Math.min(n, from + 1024);
            out.ensure((to - from) * MAX_SAMPLE_ENTRY);
            byte[] b = out.array();
            int p = out.length();
            for (int i = from; i < to; i++) {
                long dt = ts[i] - prevT;
                long zigzag = (dt << 1) ^ (dt >> 63);
                if ((zigzag >>> 61) != 0) return false;
                long bits = Double.doubleToRawLongBits(vs[i]);
                int valueBytes = Math.max(1, 8 - (Long.numberOfTrailingZeros(bits) >>> 3));
                p = Bytes.putVarint(b, p, ids[i] - prevId);
                p = Bytes.putUvarint(b, p, zigzag << 3 | (valueBytes - 1));
                // All eight bytes go out in one store; the next entry overwrites the dropped ones.
                Bytes.putU64(b, p, bits);
                p += valueBytes;
                prevId = ids[i];
                prevT = ts[i];
            }
            out.setLength(p);
        }
        return true;
    }

    /** Appends a {@link #TOMBSTONES} frame: series {@code ids[i]} loses its samples in {@code [minTs[i], maxTs[i]]}. */
    public static void frameTombstones(RecordBuffer out, long[] ids, long[] minTs, long[] maxTs, int n) {
        checkCount(n, ids.length, Math.min(minTs.length, maxTs.length));
        int start = begin(out, TOMBSTONES, n);
        long prev = 0;
        for (int i = 0; i < n; i++) {
            out.putVarint(ids[i] - prev);
            out.putVarint(minTs[i]);
            out.putVarint(maxTs[i] - minTs[i]);
            prev = ids[i];
        }
        finish(out, start);
    }

    /** Whether records of {@code type} hold samples, for {@link #decodeSamples}. */
    public static boolean isSamples(byte type) {
        return type == SAMPLES || type == PACKED_SAMPLES || type == OUT_OF_ORDER_SAMPLES;
    }

    /**
     * Decodes a {@link #SAMPLES}, {@link #PACKED_SAMPLES} or {@link #OUT_OF_ORDER_SAMPLES} payload into {@code out}, replacing its
     * content.
     *
     * @return the number of samples, also {@code out.size()}
     * @throws IllegalArgumentException when the payload is malformed or {@code type} holds no samples
     */
    public static int decodeSamples(byte type, ByteBuffer payload, SampleBatch out) {
        if (!isSamples(type)) throw new IllegalArgumentException("record type " + type + " holds no samples");
        boolean packed = type == PACKED_SAMPLES;
        out.reset();
        try {
            int n = readCount(payload, packed ? MIN_PACKED_SAMPLE_ENTRY : MIN_SAMPLE_ENTRY, "samples");
            out.ensureCapacity(n);
            long[] ids = out.ids();
            long[] ts = out.ts();
            double[] vs = out.vs();
            long id = 0;
            long t = 0;
            for (int i = 0; i < n; i++) {
                id += readVarint(payload);
                long bits;
                if (packed) {
                    long header = readUvarint(payload);
                    long zigzag = header >>> 3;
                    t += (zigzag >>> 1) ^ -(zigzag & 1);
                    int valueBytes = (int) (header & 7) + 1;
                    bits = 0;
                    for (int k = 0; k < valueBytes; k++) bits = bits << 8 | (payload.get() & 0xFF);
                    bits <<= 8 * (8 - valueBytes);
                } else {
                    t += readVarint(payload);
                    bits = payload.getLong();
                }
                ids[i] = id;
                ts[i] = t;
                vs[i] = Double.longBitsToDouble(bits);
            }
            checkConsumed(payload, "samples");
            out.setSize(n);
            return n;
        } catch (BufferUnderflowException e) {
            throw truncated("samples");
        }
    }

    /**
     * Decodes a {@link #SERIES} payload, calling {@code consumer} with each series ref and its
     * labels in record order.
     *
     * @return the number of series
     * @throws IllegalArgumentException when the payload (or a label encoding in it) is malformed
     */
    public static int decodeSeries(ByteBuffer payload, LongObjConsumer<Labels> consumer) {
        try {
            int n = readCount(payload, MIN_SERIES_ENTRY, "series");
            long id = 0;
            for (int i = 0; i < n; i++) {
                id += readVarint(payload);
                long len = readUvarint(payload);
                if (len < 0 || len > payload.remaining()) throw truncated("series"); // < 0: above 2^63 unsigned
                int l = (int) len;
                Labels labels;
                if (payload.hasArray()) {
                    labels = Labels.decode(payload.array(), payload.arrayOffset() + payload.position(), l);
                    payload.position(payload.position() + l);
                } else {
                    // Mapped segments are direct buffers. Series records are rare (new series
                    // only) and Labels.decode allocates anyway, so an exact-size copy is fine; an
                    // exact size also keeps a malformed varint from reading stale scratch bytes.
                    byte[] copy = new byte[l];
                    payload.get(copy);
                    labels = Labels.decode(copy, 0, l);
                }
                consumer.accept(id, labels);
            }
            checkConsumed(payload, "series");
            return n;
        } catch (BufferUnderflowException | ArrayIndexOutOfBoundsException e) {
            // Labels.decode reads a trailing truncated uvarint past its slice as an array index error.
            throw truncated("series");
        }
    }

    /**
     * Decodes a {@link #TOMBSTONES} payload, calling {@code consumer} per tombstone in record order.
     *
     * @return the number of tombstones
     * @throws IllegalArgumentException when the payload is malformed
     */
    public static int decodeTombstones(ByteBuffer payload, TombstoneConsumer consumer) {
        try {
            int n = readCount(payload, MIN_TOMBSTONE_ENTRY, "tombstones");
            long id = 0;
            for (int i = 0; i < n; i++) {
                id += readVarint(payload);
                long minT = readVarint(payload);
                long maxT = minT + readVarint(payload);
                consumer.accept(id, minT, maxT);
            }
            checkConsumed(payload, "tombstones");
            return n;
        } catch (BufferUnderflowException e) {
            throw truncated("tombstones");
        }
    }

    /** Writes the header placeholder and the entry count; returns the frame's start offset. */
    private static int begin(RecordBuffer out, byte type, int n) {
        int start = out.length();
        out.ensure(HEADER_BYTES + 5);
        out.putByte(type);
        out.truncate(start + HEADER_BYTES); // length and CRC are filled in by finish
        out.putUvarint(n);
        return start;
    }

    private static void finish(RecordBuffer out, int start) {
        byte[] b = out.array();
        int payloadLen = out.length() - start - HEADER_BYTES;
        out.crc.reset();
        out.crc.update(b[start]);
        out.crc.update(b, start + HEADER_BYTES, payloadLen);
        out.putIntAt(start + 1, payloadLen);
        out.putIntAt(start + 5, (int) out.crc.getValue());
    }

    private static void checkCount(int n, int len1, int len2) {
        if (n < 0 || n > len1 || n > len2) {
            throw new IllegalArgumentException("record entry count out of range [n=" + n + ", arrays=" + Math.min(len1, len2) + "]");
        }
    }

    private static int readCount(ByteBuffer p, int minEntryBytes, String what) {
        long n = readUvarint(p);
        if (n > p.remaining() / minEntryBytes) {
            throw new IllegalArgumentException("malformed " + what + " record: count exceeds payload [count=" + n
                    + ", bytes=" + p.remaining() + "]");
        }
        return (int) n;
    }

    private static void checkConsumed(ByteBuffer p, String what) {
        if (p.hasRemaining()) {
            throw new IllegalArgumentException("malformed " + what + " record: trailing bytes [bytes=" + p.remaining() + "]");
        }
    }

    private static IllegalArgumentException truncated(String what) {
        return new IllegalArgumentException("malformed " + what + " record: payload ends inside an entry");
    }

    static long readUvarint(ByteBuffer p) {
        long x = 0;
        for (int s = 0; s < 64; s += 7) {
            byte b = p.get();
            if (b >= 0) {
                if (s == 63 && b > 1) break;
                return x | ((long) b << s);
            }
            x |= (long) (b & 0x7F) << s;
        }
        throw new IllegalArgumentException("malformed uvarint: more than 64 bits");
    }

    static long readVarint(ByteBuffer p) {
        long u = readUvarint(p);
        return (u >>> 1) ^ -(u & 1);
    }
}
