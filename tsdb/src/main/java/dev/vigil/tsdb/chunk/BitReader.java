package dev.vigil.tsdb.chunk;

import java.nio.ByteBuffer;

/**
 * Reads a most-significant-bit-first bit stream from a heap array or a {@link ByteBuffer}.
 * Reading past the end throws {@link IndexOutOfBoundsException}, which decoders turn into
 * {@code corrupt()}. Not thread-safe.
 */
final class BitReader {
    private byte[] array;
    private ByteBuffer buffer;
    private int base;
    private long endBit;
    private long bitPos;

    void reset(byte[] src, int off, int len) {
        array = src;
        buffer = null;
        base = off;
        endBit = (long) len * 8;
        bitPos = 0;
    }

    void reset(ByteBuffer src) {
        if (src.hasArray()) {
            reset(src.array(), src.arrayOffset() + src.position(), src.remaining());
            return;
        }
        array = null;
        buffer = src;
        base = src.position();
        endBit = (long) src.remaining() * 8;
        bitPos = 0;
    }

    /** Drops the reference to the source bytes. */
    void clear() {
        array = null;
        buffer = null;
    }

    void skipBits(int n) {
        if (bitPos + n > endBit) throw new IndexOutOfBoundsException();
        bitPos += n;
    }

    private int byteAt(long i) {
        return array != null ? array[base + (int) i] & 0xFF : buffer.get(base + (int) i) & 0xFF;
    }

    boolean readBit() {
        return readBits(1) != 0;
    }

    /** Reads {@code n} (0..64) bits as the low bits of the result. */
    long readBits(int n) {
        if (bitPos + n > endBit) throw new IndexOutOfBoundsException();
        long v = 0;
        while (n > 0) {
            int b = byteAt(bitPos >>> 3);
            int avail = 8 - (int) (bitPos & 7);
            int take = Math.min(avail, n);
            v = (v << take) | ((b >>> (avail - take)) & ((1 << take) - 1));
            bitPos += take;
            n -= take;
        }
        return v;
    }

    long readVarbits() {
        int len = (int) readBits(7);
        if (len > 64) throw new IndexOutOfBoundsException("varbits length " + len);
        return readBits(len);
    }

    static long unzigzag(long u) {
        return (u >>> 1) ^ -(u & 1);
    }
}
