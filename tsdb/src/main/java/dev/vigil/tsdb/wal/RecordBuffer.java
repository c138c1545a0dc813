package dev.vigil.tsdb.wal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * A growable byte array that {@link WalRecords} frames records into, then handed to
 * {@link Wal#log(byte[], int, int)} as {@code log(buf.array(), 0, buf.length())}.
 *
 * <p>Owned by one thread (typically one per appender): it is not thread-safe. Call {@link #reset()}
 * before framing the next batch; the array is kept, so a warmed-up buffer allocates nothing. It also
 * carries the CRC32C instance the framing reuses.
 */
public final class RecordBuffer {
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int length;
    final CRC32C crc = new CRC32C();

    public RecordBuffer() {
        this(256);
    }

    /** @param initialCapacity initial array size in bytes; the buffer grows by doubling past it */
    public RecordBuffer(int initialCapacity) {
        if (initialCapacity < 0) throw new IllegalArgumentException("negative capacity [capacity=" + initialCapacity + "]");
        buf = new byte[Math.max(initialCapacity, 16)];
    }

    /** Forgets the content; keeps the array. */
    public void reset() {
        length = 0;
    }

    /** The backing array; bytes {@code [0, length())} are valid. Replaced when the buffer grows. */
    public byte[] array() {
        return buf;
    }

    /** Number of valid bytes. */
    public int length() {
        return length;
    }

    void ensure(int extra) {
        int need = length + extra;
        if (need < 0) throw new IllegalStateException("record buffer over 2 GiB [length=" + length + ", extra=" + extra + "]");
        if (need > buf.length) {
            long grown = Math.max((long) buf.length * 2, need);
            buf = Arrays.copyOf(buf, (int) Math.min(grown, Integer.MAX_VALUE - 8));
        }
    }

    /** Moves the end back to {@code length}, dropping what was written after it. */
    void truncate(int length) {
        this.length = length;
    }

    void putByte(int b) {
        ensure(1);
        buf[length++] = (byte) b;
    }

    void putBytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, length, len);
        length += len;
    }

    /** Unsigned LEB128, as Go's {@code binary.PutUvarint}: 1 to 10 bytes. */
    void putUvarint(long v) {
        ensure(10);
        length = uvarintAt(buf, length, v);
    }

    /** Writes {@code v} as unsigned LEB128 at {@code p}, which has 10 bytes of room; returns the end. */
    static int uvarintAt(byte[] b, int p, long v) {
        while ((v & ~0x7FL) != 0) {
            b[p++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        b[p++] = (byte) v;
        return p;
    }

    /** Writes {@code v} zigzag-encoded as LEB128 at {@code p}, which has 10 bytes of room; returns the end. */
    static int varintAt(byte[] b, int p, long v) {
        return uvarintAt(b, p, (v << 1) ^ (v >> 63));
    }

    /** Writes {@code v} big-endian at {@code p}, which has 8 bytes of room; returns the end. */
    static int longAt(byte[] b, int p, long v) {
        LONG_BE.set(b, p, v);
        return p + 8;
    }

    /** Sets the end after writing straight into {@link #array()} past {@link #ensure(int)}. */
    void setLength(int length) {
        this.length = length;
    }

    /** Zigzag then unsigned LEB128, as Go's {@code binary.PutVarint}. */
    void putVarint(long v) {
        putUvarint((v << 1) ^ (v >> 63));
    }

    void putLong(long v) {
        ensure(8);
        putLongAt(length, v);
        length += 8;
    }

    void putIntAt(int pos, int v) {
        byte[] b = buf;
        b[pos] = (byte) (v >>> 24);
        b[pos + 1] = (byte) (v >>> 16);
        b[pos + 2] = (byte) (v >>> 8);
        b[pos + 3] = (byte) v;
    }

    private void putLongAt(int pos, long v) {
        putIntAt(pos, (int) (v >>> 32));
        putIntAt(pos + 4, (int) v);
    }
}
