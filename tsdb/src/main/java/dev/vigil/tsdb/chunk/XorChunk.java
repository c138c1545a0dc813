package dev.vigil.tsdb.chunk;

import java.util.Arrays;

/**
 * An appendable float chunk in Prometheus's XOR format (Gorilla: delta-of-delta timestamps, XOR
 * values), byte-compatible with Prometheus's {@code chunkenc.XORChunk}: a 2-byte big-endian sample
 * count, then the bit stream. The layout is in {@code tsdb/docs/format/chunks.md}.
 *
 * <p>Appends do not check order; the caller (the head) does. The encoder state lives in primitive
 * fields and the bytes in one growable array, so a chunk costs one object plus its buffer.
 *
 * <p>Not thread-safe. Bits already written never change, so a reader that captured
 * {@link #buffer()} and {@link #numSamples()} under the owner's lock may decode that prefix while
 * appends continue (the header count is then stale: pass the captured count to the iterator).
 */
public final class XorChunk {
    /** Prometheus: chunks are cut at 120 samples; at most 2^16-1 fit the header. */
    public static final int MAX_SAMPLES = 0xFFFF;

    private byte[] buf;
    private long bitPos = 16; // after the 2-byte header
    private int numSamples;
    private long firstT;
    private long lastT;
    private long lastDelta;
    private long lastVBits;
    private int leading = 0xFF; // 0xFF: no leading/trailing window yet
    private int trailing;

    public XorChunk() {
        this(32);
    }

    public XorChunk(int initialCapacity) {
        buf = new byte[Math.max(initialCapacity, 8)];
    }

    /** Appends a sample; the caller guarantees {@code t} is after the last one. */
    public void append(long t, double v) {
        long vBits = Double.doubleToRawLongBits(v);
        ensureBits(64 + 64 + 16);
        if (numSamples == 0) {
            writeVarint(t);
            writeBits(vBits, 64);
            firstT = t;
        } else if (numSamples == 1) {
            long delta = t - lastT;
            writeUvarint(delta);
            writeValue(vBits);
            lastDelta = delta;
        } else {
            long delta = t - lastT;
            long dod = delta - lastDelta;
            if (dod == 0) {
                writeBit(0);
            } else if (bitRange(dod, 14)) {
                writeBits(0b10, 2);
                writeBits(dod, 14);
            } else if (bitRange(dod, 17)) {
                writeBits(0b110, 3);
                writeBits(dod, 17);
            } else if (bitRange(dod, 20)) {
                writeBits(0b1110, 4);
                writeBits(dod, 20);
            } else {
                writeBits(0b1111, 4);
                writeBits(dod, 64);
            }
            writeValue(vBits);
            lastDelta = delta;
        }
        lastT = t;
        lastVBits = vBits;
        numSamples++;
        buf[0] = (byte) (numSamples >>> 8);
        buf[1] = (byte) numSamples;
    }

    /** Prometheus's range check, asymmetric on purpose: [-(2^(n-1)-1), 2^(n-1)]. */
    private static boolean bitRange(long x, int nbits) {
        return -((1L << (nbits - 1)) - 1) <= x && x <= (1L << (nbits - 1));
    }

    private void writeValue(long vBits) {
        long delta = vBits ^ lastVBits;
        if (delta == 0) {
            writeBit(0);
            return;
        }
        writeBit(1);
        int newLeading = Long.numberOfLeadingZeros(delta);
        int newTrailing = Long.numberOfTrailingZeros(delta);
        if (newLeading >= 32) newLeading = 31; // 5 bits
        if (leading != 0xFF && newLeading >= leading && newTrailing >= trailing) {
            writeBit(0);
            writeBits(delta >>> trailing, 64 - leading - trailing);
            return;
        }
        leading = newLeading;
        trailing = newTrailing;
        writeBit(1);
        writeBits(newLeading, 5);
        int sigBits = 64 - newLeading - newTrailing;
        writeBits(sigBits, 6); // 64 wraps to 0, as in Prometheus
        writeBits(delta >>> newTrailing, sigBits);
    }

    private void writeVarint(long x) {
        long ux = x << 1;
        if (x < 0) ux = ~ux;
        writeUvarint(ux);
    }

    private void writeUvarint(long x) {
        while (Long.compareUnsigned(x, 0x80) >= 0) {
            writeBits((x & 0x7F) | 0x80, 8);
            x >>>= 7;
        }
        writeBits(x, 8);
    }

    private void ensureBits(int moreBits) {
        long needBytes = (bitPos + moreBits + 7) >>> 3;
        if (needBytes > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.max(needBytes, buf.length + (buf.length >>> 1)));
        }
    }

    private void writeBit(int bit) {
        if (bit != 0) buf[(int) (bitPos >>> 3)] |= (byte) (0x80 >>> (bitPos & 7));
        bitPos++;
    }

    /** Writes the low {@code n} bits of {@code value}, most significant first. */
    private void writeBits(long value, int n) {
        while (n > 0) {
            int idx = (int) (bitPos >>> 3);
            int free = 8 - (int) (bitPos & 7);
            int take = Math.min(free, n);
            int bits = (int) ((value >>> (n - take)) & ((1 << take) - 1));
            buf[idx] |= (byte) (bits << (free - take));
            bitPos += take;
            n -= take;
        }
    }

    public int numSamples() {
        return numSamples;
    }

    /** The encoded length in bytes, header included. */
    public int sizeBytes() {
        return (int) ((bitPos + 7) >>> 3);
    }

    /** The live buffer; bytes {@code [0, sizeBytes())} are the chunk. Do not modify. */
    public byte[] buffer() {
        return buf;
    }

    /** A copy of the encoded bytes, exactly {@link #sizeBytes()} long. */
    public byte[] toBytes() {
        return Arrays.copyOf(buf, sizeBytes());
    }

    /** The first sample's timestamp; undefined when empty. */
    public long minT() {
        return firstT;
    }

    /** The last sample's timestamp; undefined when empty. */
    public long maxT() {
        return lastT;
    }

    /** The last sample's value bits; undefined when empty. */
    public long lastValueBits() {
        return lastVBits;
    }

    /** The heap bytes this chunk holds (buffer capacity plus the object), for memory accounting. */
    public long retainedBytes() {
        return 16L + buf.length + 56;
    }

    /** Empties the chunk, keeping its buffer. */
    public void reset() {
        Arrays.fill(buf, 0, Math.min(buf.length, sizeBytes()), (byte) 0);
        bitPos = 16;
        numSamples = 0;
        leading = 0xFF;
        trailing = 0;
        lastDelta = 0;
        lastVBits = 0;
    }

    /**
     * Rebuilds an appendable chunk from encoded bytes (a snapshot or a sealed chunk reopened), so
     * appends continue exactly as if it had never been serialized.
     */
    public static XorChunk fromBytes(byte[] src, int off, int len) {
        XorChunk c = new XorChunk(Math.max(len + 16, 32));
        int n = ((src[off] & 0xFF) << 8) | (src[off + 1] & 0xFF);
        XorIterator it = new XorIterator().reset(src, off, len, n);
        while (it.next() != dev.vigil.tsdb.SampleIterator.NONE) {
            c.append(it.atT(), Double.longBitsToDouble(it.atVBits()));
        }
        return c;
    }
}
