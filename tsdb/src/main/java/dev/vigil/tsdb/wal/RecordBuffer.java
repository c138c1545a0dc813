package dev.vigil.tsdb.wal;

import dev.vigil.tsdb.block.Bytes;
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
        length = Bytes.putUvarint(buf, length, v);
    }

    /** Sets the end after writing straight into {@link #array()} past {@link #ensure(int)}. */
    void setLength(int length) {
        this.length = length;
    }

    /** Zigzag then unsigned LEB128, as Go's {@code binary.PutVarint}. */
    void putVarint(long v) {
        putUvarint((v << 1) ^ (v >> 63));
    }

    void putIntAt(int pos, int v) {
        Bytes.putU32(buf, pos, v);
    }
}
