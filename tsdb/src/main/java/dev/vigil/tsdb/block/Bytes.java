package dev.vigil.tsdb.block;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/** Varint and fixed-width helpers shared by the block and WAL writers and readers. All big-endian. */
public final class Bytes {
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** asByteBuffer() views are int-indexed, so CRCs over huge sections go in slices of this size. */
    private static final long CRC_SLICE = 1L << 30;

    private Bytes() {}

    /** Writes {@code v} as an unsigned LEB128 varint at {@code pos}; returns the new position. */
    public static int putUvarint(byte[] buf, int pos, long v) {
        while ((v & ~0x7FL) != 0) {
            buf[pos++] = (byte) ((v & 0x7F) | 0x80);
            v >>>= 7;
        }
        buf[pos++] = (byte) v;
        return pos;
    }

    /** Zig-zag signed varint, as Go's {@code binary.PutVarint}. */
    public static int putVarint(byte[] buf, int pos, long v) {
        return putUvarint(buf, pos, (v << 1) ^ (v >> 63));
    }

    static int uvarintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            n++;
            v >>>= 7;
        }
        return n;
    }

    public static int putU32(byte[] buf, int pos, int v) {
        buf[pos] = (byte) (v >>> 24);
        buf[pos + 1] = (byte) (v >>> 16);
        buf[pos + 2] = (byte) (v >>> 8);
        buf[pos + 3] = (byte) v;
        return pos + 4;
    }

    /** Writes {@code v} big-endian at {@code pos} with one 8-byte store; returns the new position. */
    public static int putU64(byte[] buf, int pos, long v) {
        U64_BE.set(buf, pos, v);
        return pos + 8;
    }

    private static final java.lang.invoke.VarHandle U64_BE = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static int getU32(byte[] buf, int pos) {
        return ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16) | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
    }

    /** CRC32C of {@code [off, off+len)} of a (mapped) segment. */
    static int crc32c(MemorySegment seg, long off, long len) {
        CRC32C crc = new CRC32C();
        while (len > 0) {
            long n = Math.min(len, CRC_SLICE);
            crc.update(seg.asSlice(off, n).asByteBuffer());
            off += n;
            len -= n;
        }
        return (int) crc.getValue();
    }

    /**
     * A forward cursor over a mapped segment for decoding varints. Bounds violations surface as
     * {@link IndexOutOfBoundsException}, which readers translate into a corruption error.
     */
    static final class Cursor {
        private final MemorySegment seg;
        long pos;
        private final long end;

        Cursor(MemorySegment seg, long pos, long end) {
            this.seg = seg;
            this.pos = pos;
            this.end = end;
        }

        long uvarint() {
            long x = 0;
            int s = 0;
            for (int i = 0; i < 10; i++) {
                if (pos >= end) throw new IndexOutOfBoundsException("varint runs past the end [pos=" + pos + "]");
                byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
                if (b >= 0) return x | ((long) b << s);
                x |= (long) (b & 0x7F) << s;
                s += 7;
            }
            throw new IndexOutOfBoundsException("varint overflow [pos=" + pos + "]");
        }

        long varint() {
            long ux = uvarint();
            return (ux >>> 1) ^ -(ux & 1);
        }

        /** A uvarint that must fit a non-negative int (a count or a symbol ref). */
        int uvarintInt() {
            long v = uvarint();
            if (v < 0 || v > Integer.MAX_VALUE) throw new IndexOutOfBoundsException("value out of range [value=" + v + "]");
            return (int) v;
        }
    }
}
