package dev.vigil.tsdb.chunk;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;

/**
 * Decodes a Prometheus XOR chunk from a heap array or a {@link ByteBuffer} (a mapped file), with
 * no allocation per sample. Reusable: {@code reset} re-targets it. Not thread-safe.
 */
public final class XorIterator implements SampleIterator {
    private byte[] array;        // heap source, or null
    private ByteBuffer buffer;   // direct/mapped source when array is null
    private int base;            // offset of the chunk's first byte (the header)
    private long endBit;         // bits available, relative to base
    private long bitPos;
    private int total;           // samples to decode
    private int read;
    private long t;
    private long delta;
    private long vBits;
    private int leading;
    private int trailing;
    private boolean corrupt;

    /** Decodes {@code len} bytes at {@code off}, stopping after {@code numSamples} samples. */
    public XorIterator reset(byte[] src, int off, int len, int numSamples) {
        this.array = src;
        this.buffer = null;
        this.base = off;
        return init(len, numSamples);
    }

    /** Decodes {@code buf} from its position to its limit; the sample count comes from the header. */
    public XorIterator reset(ByteBuffer buf) {
        if (buf.hasArray()) {
            return reset(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining(), -1);
        }
        this.array = null;
        this.buffer = buf;
        this.base = buf.position();
        return init(buf.remaining(), -1);
    }

    private XorIterator init(int len, int numSamples) {
        this.endBit = (long) len * 8;
        if (len < 2) {
            total = 0;
        } else {
            int header = (byte0(0) << 8) | byte0(1);
            // a live chunk's header may already count appends made after the caller's capture
            total = numSamples < 0 ? header : numSamples;
        }
        bitPos = 16;
        read = 0;
        leading = 0;
        trailing = 0;
        corrupt = false;
        return this;
    }

    private int byte0(int i) {
        return array != null ? array[base + i] & 0xFF : buffer.get(base + i) & 0xFF;
    }

    /** True when decoding ran past the end of the bytes (a damaged chunk); iteration then stops. */
    public boolean corrupt() {
        return corrupt;
    }

    @Override
    public int next() {
        if (read >= total || corrupt) return NONE;
        try {
            if (read == 0) {
                long ux = readUvarint();
                t = (ux >>> 1) ^ -(ux & 1);
                vBits = readBits(64);
            } else if (read == 1) {
                delta = readUvarint();
                t += delta;
                readValue();
            } else {
                int d = 0;
                while (d < 4 && readBit() == 1) d++;
                int sz = switch (d) {
                    case 0 -> 0;
                    case 1 -> 14;
                    case 2 -> 17;
                    case 3 -> 20;
                    default -> 64;
                };
                long dod = 0;
                if (sz != 0) {
                    long bits = readBits(sz);
                    if (sz != 64 && bits > (1L << (sz - 1))) bits -= 1L << sz;
                    dod = bits;
                }
                delta += dod;
                t += delta;
                readValue();
            }
        } catch (IndexOutOfBoundsException e) {
            corrupt = true;
            return NONE;
        }
        read++;
        return FLOAT;
    }

    private void readValue() {
        if (readBit() == 0) return;
        if (readBit() == 1) {
            leading = (int) readBits(5);
            int sigBits = (int) readBits(6);
            if (sigBits == 0) sigBits = 64;
            trailing = 64 - leading - sigBits;
        }
        int sigBits = 64 - leading - trailing;
        long bits = readBits(sigBits);
        vBits ^= bits << trailing;
    }

    private long readUvarint() {
        long x = 0;
        int s = 0;
        for (int i = 0; i < 10; i++) {
            long b = readBits(8);
            if (b < 0x80) return x | (b << s);
            x |= (b & 0x7F) << s;
            s += 7;
        }
        throw new IndexOutOfBoundsException("uvarint overflow");
    }

    private int readBit() {
        if (bitPos >= endBit) throw new IndexOutOfBoundsException();
        int b = byte0((int) (bitPos >>> 3));
        int bit = (b >>> (7 - (bitPos & 7))) & 1;
        bitPos++;
        return bit;
    }

    private long readBits(int n) {
        if (bitPos + n > endBit) throw new IndexOutOfBoundsException();
        long v = 0;
        while (n > 0) {
            int b = byte0((int) (bitPos >>> 3));
            int used = (int) (bitPos & 7);
            int avail = 8 - used;
            int take = Math.min(avail, n);
            int bits = (b >>> (avail - take)) & ((1 << take) - 1);
            v = (v << take) | bits;
            bitPos += take;
            n -= take;
        }
        return v;
    }

    @Override
    public int seek(long target) {
        if (read > 0 && t >= target) return FLOAT;
        while (next() == FLOAT) {
            if (t >= target) return FLOAT;
        }
        return NONE;
    }

    @Override
    public long atT() {
        return t;
    }

    @Override
    public double atV() {
        return Double.longBitsToDouble(vBits);
    }

    /** The current value's raw bits (NaN payloads and the stale marker preserved). */
    public long atVBits() {
        return vBits;
    }
}
