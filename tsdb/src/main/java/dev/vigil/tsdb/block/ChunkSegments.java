package dev.vigil.tsdb.block;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.chunk.ChunkReader;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Block chunk segment files {@code chunks/000001...}: the writer and the mapped reader. Layout in
 * {@code tsdb/docs/format/chunks.md}, section "Block chunk segments":
 *
 * <pre>
 * segment: magic u32 "VBCS" | version u8 | 3 zero bytes | chunk*
 * chunk:   uvarint len(data) | u8 encoding | data | u32 CRC32C(encoding, data)
 * ref:     u64 (segment index &lt;&lt; 32) | offset of the chunk in the segment; file = index + 1
 * </pre>
 */
final class ChunkSegments {
    /** "VBCS": Vigil block chunk segment. */
    static final int MAGIC = 0x56424353;
    static final byte VERSION = 1;
    static final int HEADER_BYTES = 8;

    /**
     * Prometheus's cap too: big enough that a typical block has one or two files, small enough to
     * keep offsets far from the 32-bit ref limit and to copy or delete a file in one go.
     */
    static final long MAX_SEGMENT_BYTES = 512L << 20;

    private ChunkSegments() {}

    /** {@code 000001} for segment index 0: Prometheus's 6-digit, one-based file names. */
    static String fileName(int index) {
        return String.format("%06d", index + 1);
    }

    static long ref(int segment, long offset) {
        return ((long) segment << 32) | offset;
    }

    /** Appends chunks to numbered segment files, cutting a new file at the size cap. Not thread-safe. */
    static final class Writer implements AutoCloseable {
        private final Path dir;
        private final FileSystemFacade fs;
        private final long maxSegmentBytes;
        private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        private final byte[] scratch = new byte[16];
        private final CRC32C crc = new CRC32C();
        private FileChannel ch;
        private int segment = -1;
        private long offset; // logical size of the current segment, buffered bytes included

        Writer(Path dir, FileSystemFacade fs, long maxSegmentBytes) {
            this.dir = dir;
            this.fs = fs;
            this.maxSegmentBytes = maxSegmentBytes;
        }

        /** Writes one chunk ({@code data[0, len)}) and returns its ref. */
        long write(byte encoding, byte[] data, int len) throws IOException {
            int hdr = Bytes.putUvarint(scratch, 0, len);
            long total = hdr + 1L + len + 4;
            // a chunk bigger than the cap still goes into a fresh segment of its own, never an empty one
            if (ch == null || (offset + total > maxSegmentBytes && offset > HEADER_BYTES)) cut();
            long ref = ref(segment, offset);
            crc.reset();
            crc.update(encoding);
            crc.update(data, 0, len);
            scratch[hdr] = encoding;
            put(scratch, 0, hdr + 1);
            put(data, 0, len);
            Bytes.putU32(scratch, 0, (int) crc.getValue());
            put(scratch, 0, 4);
            offset += total;
            return ref;
        }

        private void put(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (!buf.hasRemaining()) flush();
                int n = Math.min(len, buf.remaining());
                buf.put(b, off, n);
                off += n;
                len -= n;
            }
        }

        private void flush() throws IOException {
            buf.flip();
            fs.write(ch, buf, -1);
            buf.clear();
        }

        private void cut() throws IOException {
            finishSegment();
            segment++;
            ch = fs.open(dir.resolve(fileName(segment)), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            byte[] h = new byte[HEADER_BYTES];
            Bytes.putU32(h, 0, MAGIC);
            h[4] = VERSION;
            put(h, 0, h.length);
            offset = HEADER_BYTES;
        }

        private void finishSegment() throws IOException {
            if (ch == null) return;
            flush();
            fs.force(ch);
            ch.close();
            ch = null;
        }

        /** Flushes, fsyncs and closes the last segment. */
        void finish() throws IOException {
            finishSegment();
        }

        /** Closes without flushing (the failure path; the directory is deleted anyway). */
        @Override
        public void close() throws IOException {
            if (ch != null) {
                ch.close();
                ch = null;
            }
        }
    }

    /** Reads chunks from mapped segments, checking each chunk's CRC on read. Thread-safe. */
    static final class Reader implements ChunkReader {
        private final Path dir;
        private final Path[] files;
        private final MemorySegment[] segments;

        Reader(Path dir, Path[] files, MemorySegment[] segments) {
            this.dir = dir;
            this.files = files;
            this.segments = segments;
        }

        /** Checks a freshly mapped segment's header. */
        static void checkHeader(Path file, MemorySegment seg) {
            if (seg.byteSize() < HEADER_BYTES) throw CorruptionException.at(file, 0, "chunk segment too short [bytes=" + seg.byteSize() + "]");
            if (seg.get(Bytes.U32, 0) != MAGIC) throw CorruptionException.at(file, 0, "bad chunk segment magic");
            byte v = seg.get(ValueLayout.JAVA_BYTE, 4);
            if (v != VERSION) throw CorruptionException.at(file, 4, "unsupported chunk segment version [version=" + v + "]");
            if ((seg.get(Bytes.U32, 4) & 0xFFFFFF) != 0) throw CorruptionException.at(file, 5, "chunk segment header padding is not zero");
        }

        @Override
        public ByteBuffer chunk(long ref) {
            int index = (int) (ref >>> 32);
            long off = ref & 0xFFFF_FFFFL;
            if (index < 0 || index >= segments.length) {
                Path missing = index < 0 ? dir : dir.resolve(fileName(index));
                throw CorruptionException.at(missing, off, "chunk ref points to a missing segment [ref=0x" + Long.toHexString(ref) + ", segments=" + segments.length + "]");
            }
            MemorySegment seg = segments[index];
            Path file = files[index];
            if (off < HEADER_BYTES || off >= seg.byteSize()) throw CorruptionException.at(file, off, "chunk ref out of the segment [ref=0x" + Long.toHexString(ref) + "]");
            Bytes.Cursor c = new Bytes.Cursor(seg, off, seg.byteSize());
            long len;
            try {
                len = c.uvarint();
            } catch (IndexOutOfBoundsException e) {
                throw CorruptionException.at(file, off, "malformed chunk length");
            }
            long encPos = c.pos;
            if (len < 0 || len > seg.byteSize() - encPos - 5) throw CorruptionException.at(file, off, "chunk runs past the end of the segment [len=" + len + "]");
            int stored = seg.get(Bytes.U32, encPos + 1 + len);
            if (Bytes.crc32c(seg, encPos, 1 + len) != stored) throw CorruptionException.at(file, off, "chunk checksum mismatch");
            byte enc = seg.get(ValueLayout.JAVA_BYTE, encPos);
            if (enc != Encoding.XOR && enc != Encoding.DENSE) {
                throw CorruptionException.at(file, encPos, "unknown chunk encoding [encoding=" + enc + "]");
            }
            return seg.asSlice(encPos + 1, len).asByteBuffer().asReadOnlyBuffer();
        }

        /** The stored encoding byte; the CRC is checked by {@link #chunk}, which readers call next. */
        @Override
        public int encoding(long ref) {
            int index = (int) (ref >>> 32);
            long off = ref & 0xFFFF_FFFFL;
            if (index < 0 || index >= segments.length || off < HEADER_BYTES || off >= segments[index].byteSize()) {
                return Encoding.XOR; // chunk() reports the bad ref
            }
            Bytes.Cursor c = new Bytes.Cursor(segments[index], off, segments[index].byteSize());
            try {
                c.uvarint();
            } catch (IndexOutOfBoundsException e) {
                return Encoding.XOR;
            }
            return c.pos < segments[index].byteSize() ? segments[index].get(ValueLayout.JAVA_BYTE, c.pos) : Encoding.XOR;
        }
    }
}
