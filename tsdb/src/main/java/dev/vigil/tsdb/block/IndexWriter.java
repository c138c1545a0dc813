package dev.vigil.tsdb.block;

import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32C;
import org.roaringbitmap.RoaringBitmap;

/**
 * Streams a block {@code index} file section by section, in the order of
 * {@code tsdb/docs/format/index.md}: header, symbols, series, label index, postings, postings
 * offset table, TOC. Each section is framed {@code u64 len | content | u32 CRC32C(content)}; the
 * length is patched in once the section is complete. Not thread-safe; single use.
 */
final class IndexWriter implements AutoCloseable {
    /** "VIDX". */
    static final int MAGIC = 0x56494458;
    static final byte VERSION = 1;
    static final int HEADER_BYTES = 8;
    static final int SECTIONS = 5;
    static final int TOC_BYTES = SECTIONS * 8 + 4;
    static final int LABEL_ENTRY_BYTES = 12;
    static final int PAIR_ENTRY_BYTES = 20;

    private final FileSystemFacade fs;
    private final FileChannel ch;
    private final ByteBuffer buf = ByteBuffer.allocate(1 << 20);
    private final CRC32C crc = new CRC32C();
    private final byte[] scratch8 = new byte[8];
    private byte[] entry = new byte[256];
    private boolean crcOn;
    private long pos;
    private long sectionStart = -1;
    private final long[] toc = new long[SECTIONS];
    private int section;

    // series entry offsets relative to the series content start, filled by addSeries
    private long[] seriesOffsets;
    private int seriesCount;

    // postings: offsets relative to the postings content start, filled by writePostings
    private long[] pairOffset;
    private int[] pairLength;

    IndexWriter(FileSystemFacade fs, FileChannel ch) throws IOException {
        this.fs = fs;
        this.ch = ch;
        byte[] h = new byte[HEADER_BYTES];
        Bytes.putU32(h, 0, MAGIC);
        h[4] = VERSION;
        put(h, 0, h.length);
    }

    private void put(byte[] b, int off, int len) throws IOException {
        if (crcOn) crc.update(b, off, len);
        pos += len;
        while (len > 0) {
            if (!buf.hasRemaining()) flush();
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    private void putU32(int v) throws IOException {
        put(scratch8, 0, Bytes.putU32(scratch8, 0, v));
    }

    private void putU64(long v) throws IOException {
        put(scratch8, 0, Bytes.putU64(scratch8, 0, v));
    }

    private void flush() throws IOException {
        buf.flip();
        fs.write(ch, buf, -1);
        buf.clear();
    }

    private void begin() throws IOException {
        sectionStart = pos;
        toc[section++] = pos;
        putU64(0); // patched by end()
        crc.reset();
        crcOn = true;
    }

    /** Returns the content start of the current section. */
    private long contentStart() {
        return sectionStart + 8;
    }

    private void end() throws IOException {
        crcOn = false;
        long len = pos - sectionStart - 8;
        putU32((int) crc.getValue());
        flush();
        fs.write(ch, ByteBuffer.wrap(scratch8, 0, Bytes.putU64(scratch8, 0, len)), sectionStart);
    }

    /**
     * Symbols: {@code count u32 | offsets[count+1] u32 | utf-8 bytes}; symbol i is bytes
     * {@code [offsets[i], offsets[i+1])} of the data area.
     */
    void writeSymbols(byte[][] symbols) throws IOException {
        begin();
        putU32(symbols.length);
        long off = 0;
        putU32(0);
        for (byte[] s : symbols) {
            off += s.length;
            if (off > 0xFFFF_FFFFL) throw new IllegalStateException("symbol table exceeds 4 GiB");
            putU32((int) off);
        }
        for (byte[] s : symbols) put(s, 0, s.length);
        end();
    }

    /** Starts the series section; follow with {@code count} {@link #addSeries} calls and {@link #endSeries}. */
    void beginSeries(int count) throws IOException {
        begin();
        putU32(count);
        seriesOffsets = new long[count];
        seriesCount = 0;
    }

    /**
     * One series entry: {@code uvarint nLabels | (uvarint nameRef, uvarint valueRef)* | uvarint
     * nChunks | chunk metas}, the first chunk as {@code varint minT, uvarint maxT-minT, uvarint ref},
     * the others as {@code uvarint minT-prevMaxT, uvarint maxT-minT, uvarint ref-prevRef}.
     */
    void addSeries(int[] labelRefs, int labelOff, int labelLen, long[] minT, long[] maxT, long[] ref, int chunkOff, int chunkLen) throws IOException {
        int need = 10 + labelLen * 5 + 10 + chunkLen * 30;
        if (entry.length < need) entry = new byte[Math.max(need, entry.length * 2)];
        int p = Bytes.putUvarint(entry, 0, labelLen / 2);
        for (int i = 0; i < labelLen; i++) p = Bytes.putUvarint(entry, p, labelRefs[labelOff + i]);
        p = Bytes.putUvarint(entry, p, chunkLen);
        for (int i = chunkOff; i < chunkOff + chunkLen; i++) {
            if (i == chunkOff) {
                p = Bytes.putVarint(entry, p, minT[i]);
                p = Bytes.putUvarint(entry, p, maxT[i] - minT[i]);
                p = Bytes.putUvarint(entry, p, ref[i]);
            } else {
                // chunks of a series are disjoint and written in order, so these deltas are >= 0
                p = Bytes.putUvarint(entry, p, minT[i] - maxT[i - 1]);
                p = Bytes.putUvarint(entry, p, maxT[i] - minT[i]);
                p = Bytes.putUvarint(entry, p, ref[i] - ref[i - 1]);
            }
        }
        seriesOffsets[seriesCount++] = pos - contentStart();
        put(entry, 0, p);
    }

    /** Ends the series section with the per-ordinal entry offsets: {@code offsets[count] u64}. */
    void endSeries() throws IOException {
        if (seriesCount != seriesOffsets.length) throw new IllegalStateException("series count mismatch");
        for (long o : seriesOffsets) putU64(o);
        end();
    }

    /**
     * Label index: {@code count u32 | (nameRef u32, firstPair u32, numValues u32)*}, sorted by name;
     * a name's values are the value refs of postings-offset-table entries
     * {@code [firstPair, firstPair+numValues)}.
     */
    void writeLabelIndex(long[] pairKeys) throws IOException {
        begin();
        int names = 0;
        for (int i = 0; i < pairKeys.length; i++) {
            if (i == 0 || (pairKeys[i] >>> 32) != (pairKeys[i - 1] >>> 32)) names++;
        }
        putU32(names);
        int first = 0;
        for (int i = 1; i <= pairKeys.length; i++) {
            if (i == pairKeys.length || (pairKeys[i] >>> 32) != (pairKeys[first] >>> 32)) {
                putU32((int) (pairKeys[first] >>> 32));
                putU32(first);
                putU32(i - first);
                first = i;
            }
        }
        end();
    }

    /** Postings: {@code allLen u32 | all-postings bitmap | one bitmap per pair, in pair order}. */
    void writePostings(RoaringBitmap all, RoaringBitmap[] pairs) throws IOException {
        begin();
        byte[] a = serialize(all);
        putU32(a.length);
        put(a, 0, a.length);
        pairOffset = new long[pairs.length];
        pairLength = new int[pairs.length];
        for (int i = 0; i < pairs.length; i++) {
            byte[] b = serialize(pairs[i]);
            pairOffset[i] = pos - contentStart();
            pairLength[i] = b.length;
            put(b, 0, b.length);
        }
        end();
    }

    private static byte[] serialize(RoaringBitmap bm) {
        bm.runOptimize();
        ByteBuffer b = ByteBuffer.allocate(bm.serializedSizeInBytes());
        bm.serialize(b);
        return b.array();
    }

    /**
     * Postings offset table: {@code count u32 | (nameRef u32, valueRef u32, offset u64, len u32)*}
     * sorted by (nameRef, valueRef), which is (name, value) order because refs index the sorted
     * symbol table.
     */
    void writePostingsOffsets(long[] pairKeys) throws IOException {
        begin();
        putU32(pairKeys.length);
        for (int i = 0; i < pairKeys.length; i++) {
            putU64(pairKeys[i]); // nameRef u32 then valueRef u32
            putU64(pairOffset[i]);
            putU32(pairLength[i]);
        }
        end();
    }

    /** TOC: the five section start offsets (u64 each) and their CRC32C; then flushes and fsyncs. */
    void finish() throws IOException {
        if (section != SECTIONS) throw new IllegalStateException("index sections missing [written=" + section + "]");
        crc.reset();
        crcOn = true;
        for (long t : toc) putU64(t);
        crcOn = false;
        putU32((int) crc.getValue());
        flush();
        fs.force(ch);
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
