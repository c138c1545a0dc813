package dev.vigil.tsdb.chunk;

import java.util.Arrays;

/** A growable most-significant-bit-first bit stream over a byte array. Not thread-safe. */
final class BitWriter {
    private byte[] buf = new byte[256];
    private long bitPos;

    void reset() {
        Arrays.fill(buf, 0, Math.min(buf.length, byteLength()), (byte) 0);
        bitPos = 0;
    }

    long bitLength() {
        return bitPos;
    }

    int byteLength() {
        return (int) ((bitPos + 7) >>> 3);
    }

    byte[] buffer() {
        return buf;
    }

    /** Writes the low {@code n} (0..64) bits of {@code value}, most significant first. */
    void writeBits(long value, int n) {
        long needBytes = (bitPos + n + 7) >>> 3;
        if (needBytes > buf.length) buf = Arrays.copyOf(buf, (int) Math.max(needBytes, buf.length * 2L));
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

    void writeBit(boolean bit) {
        writeBits(bit ? 1 : 0, 1);
    }

    /** {@code <varbits>}: a 7-bit length L (0..64), then the L significant bits of {@code u}. */
    void writeVarbits(long u) {
        int len = 64 - Long.numberOfLeadingZeros(u);
        writeBits(len, 7);
        writeBits(u, len);
    }

    /** The bits {@link #writeVarbits} takes for {@code u}. */
    static int varbitsSize(long u) {
        return 7 + 64 - Long.numberOfLeadingZeros(u);
    }

    /** Appends all bits written to {@code other}. */
    void append(BitWriter other) {
        long n = other.bitPos;
        byte[] src = other.buf;
        int i = 0;
        for (; n >= 8; n -= 8) writeBits(src[i++] & 0xFF, 8);
        if (n > 0) writeBits((src[i] & 0xFF) >>> (8 - n), (int) n);
    }

    static long zigzag(long x) {
        return (x << 1) ^ (x >> 63);
    }
}
