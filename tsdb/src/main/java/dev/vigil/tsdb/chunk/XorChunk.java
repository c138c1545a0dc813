package dev.vigil.tsdb.chunk;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * An appendable float chunk in Prometheus's XOR format (Gorilla: delta-of-delta timestamps, XOR
 * values), byte-compatible with Prometheus's {@code chunkenc.XORChunk}: a 2-byte big-endian sample
 * count, then the bit stream. The layout, with the bit-level derivation of test vectors, is in
 * {@code tsdb/docs/format/chunks.md} ("XOR chunk encoding"); {@code XorChunkVectorsTest} pins the
 * exact bytes.
 *
 * <p>Appends do not check order; the caller (the head) does. The encoder state lives in primitive
 * fields and the bytes in one growable array, so a chunk costs one object plus its buffer.
 *
 * <p>Not thread-safe. Bits already written never change (later appends only set bits after the
 * current end, rewriting the bytes around it with the same values, and a grown buffer is a fresh
 * copy), so a reader that captured {@link #buffer()},
 * {@link #sizeBytes()} and {@link #numSamples()} under the owner's lock may decode that prefix
 * while appends continue: pass the captured count to
 * {@link XorIterator#reset(byte[], int, int, int)}, since the header counts later appends.
 */
public final class XorChunk {
    /** The 2-byte header holds at most 2^16-1 (Prometheus cuts head chunks at 120 samples). */
    public static final int MAX_SAMPLES = 0xFFFF;

    /**
     * Worst-case bits one append writes: a 10-byte varint (80 bits) plus a value with a new
     * window (1+1+5+6+64 = 77 bits) for the first two samples; later ones take at most
     * 4+64 + 77 = 145 bits.
     */
    private static final int MAX_BITS_PER_APPEND = 80 + 77;

    /** Room kept past the end: {@link #writeBits} reads and writes 8 bytes, plus one for a split. */
    private static final int SLACK_BYTES = 9;

    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private long bitPos = 16; // after the 2-byte header
    private int numSamples;
    private long firstT;
    private long lastT;
    private long lastDelta;
    private long lastVBits;
    private int leading = 0xFF; // 0xFF: no leading/trailing window yet
    private int trailing;

    /** An empty chunk with a small initial buffer. */
    public XorChunk() {
        this(32);
    }

    /** An empty chunk whose buffer starts at {@code initialCapacity} bytes (grows as needed). */
    public XorChunk(int initialCapacity) {
        buf = new byte[Math.max(initialCapacity, 8)];
    }

    /**
     * Appends a sample; the caller guarantees {@code t} is after the last one (epoch millis). The
     * value's raw bits are stored, so NaN payloads and the stale marker survive.
     *
     * @throws IllegalStateException when the chunk already holds {@link #MAX_SAMPLES}
     */
    public void append(long t, double v) {
        if (numSamples == MAX_SAMPLES) {
            throw new IllegalStateException("xor chunk full [samples=" + numSamples + "]");
        }
        long vBits = Double.doubleToRawLongBits(v);
        ensureBits(MAX_BITS_PER_APPEND);
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
        long needBytes = ((bitPos + moreBits + 7) >>> 3) + SLACK_BYTES;
        if (needBytes > buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.max(needBytes, buf.length + (buf.length >>> 1)));
        }
    }

    private void writeBit(int bit) {
        if (bit != 0) buf[(int) (bitPos >>> 3)] |= (byte) (0x80 >>> (bitPos & 7));
        bitPos++;
    }

    /**
     * Writes the low {@code n} (1 to 64) bits of {@code value}, most significant first, with one
     * 8-byte read-modify-write (two when the bits straddle it) instead of a loop per byte; the bytes
     * past the end are zero and {@link #SLACK_BYTES} of them are always there.
     */
    private void writeBits(long value, int n) {
        long pos = bitPos;
        int idx = (int) (pos >>> 3);
        int room = 64 - (int) (pos & 7);
        long v = n == 64 ? value : value & ((1L << n) - 1);
        long word = (long) LONG_BE.get(buf, idx);
        if (n <= room) {
            LONG_BE.set(buf, idx, word | (v << (room - n)));
        } else {
            int rest = n - room; // 1 to 7 bits for the next byte
            LONG_BE.set(buf, idx, word | (v >>> rest));
            buf[idx + 8] |= (byte) (v << (8 - rest));
        }
        bitPos = pos + n;
    }

    /** The samples appended so far. */
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

    /** The buffer's length: encoded bytes plus room to grow. */
    public int capacityBytes() {
        return buf.length;
    }

    /** The heap bytes this chunk holds (buffer capacity plus the object), for memory accounting. */
    public long retainedBytes() {
        return 16L + capacityBytes() + 56;
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
     * Reopens encoded bytes (a snapshot, or a sealed chunk) as an appendable chunk. The bytes are
     * copied as they are and the encoder state is restored from decoding them, so later appends
     * produce exactly the bytes that appending everything to one chunk would have.
     *
     * <p>Unlike Prometheus's {@code XORChunk.Appender()}, a chunk whose values never changed keeps
     * "no XOR window yet" instead of adopting a 0/0 window: Prometheus's encoding after a reopen
     * is valid but differs from an uninterrupted one; ours does not.
     *
     * @throws IllegalArgumentException when the bytes are truncated or damaged
     */
    public static XorChunk fromBytes(byte[] src, int off, int len) {
        XorIterator it = new XorIterator().reset(src, off, len);
        while (it.next() != XorIterator.NONE) {
            // decode to the end: the iterator then holds the encoder's state
        }
        if (it.corrupt() || len < 2) {
            throw new IllegalArgumentException("corrupt xor chunk [length=" + len + "]");
        }
        XorChunk c = new XorChunk(Math.max(len + 16, 32));
        System.arraycopy(src, off, c.buf, 0, len);
        c.bitPos = it.bitPosition();
        int usedBytes = (int) ((c.bitPos + 7) >>> 3);
        // bits past the last sample must be zero: writes OR into the buffer
        Arrays.fill(c.buf, usedBytes, len, (byte) 0);
        int tail = (int) (c.bitPos & 7);
        if (tail != 0) c.buf[usedBytes - 1] &= (byte) (0xFF00 >>> tail);
        c.numSamples = it.samplesRead();
        if (c.numSamples > 0) {
            c.lastT = it.atT();
            c.lastVBits = it.atVBits();
            c.firstT = it.firstT();
        }
        c.lastDelta = it.lastDelta();
        if (it.hasWindow()) {
            c.leading = it.leading();
            c.trailing = it.trailing();
        }
        return c;
    }
}
