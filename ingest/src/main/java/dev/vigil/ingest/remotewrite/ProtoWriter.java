package dev.vigil.ingest.remotewrite;

import java.util.Arrays;

/**
 * A growable byte buffer with the few protobuf wire-format writes the remote-write messages need.
 * Hand-written rather than the generated builders because those allocate a message object per
 * sample; this buffer is reused for every request of a shard.
 */
final class ProtoWriter {
    static final int VARINT = 0;
    static final int I64 = 1;
    static final int LEN = 2;

    private byte[] buf;
    private int len;

    ProtoWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    void reset() {
        len = 0;
    }

    int length() {
        return len;
    }

    byte[] array() {
        return buf;
    }

    /** Makes room for {@code extra} more bytes, so that a caller may write into {@link #array()} directly. */
    void ensure(int extra) {
        if (len + extra > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
    }

    void tag(int field, int wireType) {
        uvarint(((long) field << 3) | wireType);
    }

    void uvarint(long v) {
        ensure(10);
        while ((v & ~0x7FL) != 0) {
            buf[len++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[len++] = (byte) v;
    }

    /** A double as fixed64, little-endian (protobuf's {@code double}). */
    void fixed64(long bits) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[len++] = (byte) bits;
            bits >>>= 8;
        }
    }

    void raw(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    void bytesField(int field, byte[] b) {
        tag(field, LEN);
        uvarint(b.length);
        raw(b, 0, b.length);
    }

    /** Sets the length after a caller wrote into {@link #array()} directly. */
    void setLength(int length) {
        len = length;
    }

    /** Writes {@code v} as a uvarint at {@code p}; returns the position after it. */
    static int putUvarint(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /** Writes a fixed64 little-endian at {@code p}. */
    static void putFixed64(byte[] b, int p, long bits) {
        LONG_LE.set(b, p, bits);
    }

    static int uvarintSize(long v) {
        return (64 - Long.numberOfLeadingZeros(v | 1) + 6) / 7; // 7 bits per byte, no loop
    }
}
