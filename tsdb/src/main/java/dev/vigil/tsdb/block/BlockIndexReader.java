package dev.vigil.tsdb.block;

import static dev.vigil.tsdb.block.IndexWriter.HEADER_BYTES;
import static dev.vigil.tsdb.block.IndexWriter.LABEL_ENTRY_BYTES;
import static dev.vigil.tsdb.block.IndexWriter.PAIR_ENTRY_BYTES;
import static dev.vigil.tsdb.block.IndexWriter.SECTIONS;
import static dev.vigil.tsdb.block.IndexWriter.TOC_BYTES;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.index.ChunkMetas;
import dev.vigil.tsdb.index.IndexReader;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.roaringbitmap.RoaringBitmap;

/**
 * Reads a mapped block {@code index} ({@code tsdb/docs/format/index.md}) without decoding it up
 * front: opening checks the header, TOC and every section's CRC, then lookups go straight to the
 * mapped bytes: symbols by ref through the offsets array, series by ordinal through the series
 * offsets array, postings by binary search over the fixed-width postings offset table.
 *
 * <p>Thread-safe. Decoded symbol strings are cached in a plain array: a racing reader may decode a
 * symbol twice, which is harmless because {@link String} is immutable and safely published.
 * Valid only while the owning {@link Block} is open; afterwards the mapped reads throw
 * {@link IllegalStateException}.
 */
final class BlockIndexReader implements IndexReader {
    private final Path file;
    private final MemorySegment seg;

    private final int numSymbols;
    private final long symOffsets;   // offsets[numSymbols+1] u32
    private final long symData;
    private final long symEnd;
    private final int numSeries;
    private final long seriesContent; // entry offsets are relative to this
    private final long seriesOffsets; // offsets[numSeries] u64
    private final int numNames;
    private final long labelEntries;
    private final long postingsContent;
    private final long postingsEnd;
    private final int numPairs;
    private final long pairEntries;

    private final String[] symbolCache;
    private final RoaringBitmap all;

    BlockIndexReader(Path file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        long size = seg.byteSize();
        if (size < HEADER_BYTES + TOC_BYTES) throw corrupt(0, "index too short [bytes=" + size + "]");
        if (seg.get(Bytes.U32, 0) != IndexWriter.MAGIC) throw corrupt(0, "bad index magic");
        byte version = seg.get(ValueLayout.JAVA_BYTE, 4);
        if (version != IndexWriter.VERSION) throw corrupt(4, "unsupported index version [version=" + version + "]");
        if ((seg.get(Bytes.U32, 4) & 0xFFFFFF) != 0) throw corrupt(5, "index header padding is not zero");
        long tocPos = size - TOC_BYTES;
        if (Bytes.crc32c(seg, tocPos, SECTIONS * 8) != seg.get(Bytes.U32, tocPos + SECTIONS * 8)) {
            throw corrupt(tocPos, "index toc checksum mismatch (truncated or damaged index)");
        }
        long[] content = new long[SECTIONS];
        long[] end = new long[SECTIONS];
        long prevEnd = HEADER_BYTES;
        for (int i = 0; i < SECTIONS; i++) {
            long start = seg.get(Bytes.U64, tocPos + i * 8L);
            if (start != prevEnd) throw corrupt(tocPos + i * 8L, "index section out of place [section=" + i + ", start=" + start + "]");
            long len = seg.get(Bytes.U64, start);
            if (len < 4 || len > tocPos - start - 12) throw corrupt(start, "index section length out of range [section=" + i + ", len=" + len + "]");
            content[i] = start + 8;
            end[i] = content[i] + len;
            if (Bytes.crc32c(seg, content[i], len) != seg.get(Bytes.U32, end[i])) {
                throw corrupt(start, "index section checksum mismatch [section=" + i + "]");
            }
            prevEnd = end[i] + 4;
        }
        if (prevEnd != tocPos) throw corrupt(prevEnd, "unexpected bytes before index toc");

        numSymbols = count(content[0], end[0], 4, 4, "symbols");
        symOffsets = content[0] + 4;
        symData = symOffsets + 4L * (numSymbols + 1);
        symEnd = end[0];
        if (symData + Integer.toUnsignedLong(seg.get(Bytes.U32, symData - 4)) != symEnd) throw corrupt(content[0], "symbol table size mismatch");

        numSeries = count(content[1], end[1], 8, 0, "series");
        seriesContent = content[1];
        seriesOffsets = end[1] - 8L * numSeries;

        numNames = count(content[2], end[2], LABEL_ENTRY_BYTES, 0, "label index");
        if (end[2] != content[2] + 4 + (long) LABEL_ENTRY_BYTES * numNames) throw corrupt(content[2], "label index size mismatch");
        labelEntries = content[2] + 4;

        postingsContent = content[3];
        postingsEnd = end[3];
        numPairs = count(content[4], end[4], PAIR_ENTRY_BYTES, 0, "postings offset table");
        if (end[4] != content[4] + 4 + (long) PAIR_ENTRY_BYTES * numPairs) throw corrupt(content[4], "postings offset table size mismatch");
        pairEntries = content[4] + 4;

        symbolCache = new String[numSymbols];
        long allLen = Integer.toUnsignedLong(seg.get(Bytes.U32, postingsContent));
        if (allLen > end[3] - postingsContent - 4) throw corrupt(postingsContent, "all-postings length out of range");
        all = bitmap(postingsContent + 4, allLen);
        if (all.getCardinality() != numSeries) throw corrupt(postingsContent, "all-postings does not match the series count");
    }

    /** Reads a u32 count at {@code pos} and checks {@code count * perItem + extra} fits the section. */
    private int count(long pos, long end, int perItem, int extra, String what) {
        long n = Integer.toUnsignedLong(seg.get(Bytes.U32, pos));
        if (n > Integer.MAX_VALUE - 1 || pos + 4 + n * perItem + extra > end) throw corrupt(pos, what + " count out of range [count=" + n + "]");
        return (int) n;
    }

    private CorruptionException corrupt(long offset, String what) {
        return CorruptionException.at(file, offset, what);
    }

    int numSeries() {
        return numSeries;
    }

    private RoaringBitmap bitmap(long off, long len) {
        RoaringBitmap bm = new RoaringBitmap();
        try {
            bm.deserialize(seg.asSlice(off, len).asByteBuffer());
        } catch (IOException | RuntimeException e) {
            throw corrupt(off, "malformed postings bitmap");
        }
        return bm;
    }

    /** The symbol at {@code ref}. */
    String symbol(int ref) {
        if (ref < 0 || ref >= numSymbols) throw corrupt(symOffsets, "symbol ref out of range [ref=" + ref + "]");
        String s = symbolCache[ref];
        if (s != null) return s;
        long from = Integer.toUnsignedLong(seg.get(Bytes.U32, symOffsets + 4L * ref));
        long to = Integer.toUnsignedLong(seg.get(Bytes.U32, symOffsets + 4L * ref + 4));
        if (to < from || symData + to > symEnd) throw corrupt(symOffsets + 4L * ref, "symbol offsets out of order [ref=" + ref + "]");
        byte[] b = seg.asSlice(symData + from, to - from).toArray(ValueLayout.JAVA_BYTE);
        s = new String(b, StandardCharsets.UTF_8);
        symbolCache[ref] = s;
        return s;
    }

    /** The ref of symbol {@code s}, or -1: a binary search comparing UTF-8 bytes in place. */
    int symbolRef(String s) {
        MemorySegment key = MemorySegment.ofArray(s.getBytes(StandardCharsets.UTF_8));
        long keyLen = key.byteSize();
        int lo = 0, hi = numSymbols - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long from = symData + Integer.toUnsignedLong(seg.get(Bytes.U32, symOffsets + 4L * mid));
            long to = symData + Integer.toUnsignedLong(seg.get(Bytes.U32, symOffsets + 4L * mid + 4));
            long m = MemorySegment.mismatch(seg, from, to, key, 0, keyLen);
            int c;
            if (m < 0) return mid;
            else if (m == to - from) c = -1;       // stored symbol is a prefix of the key
            else if (m == keyLen) c = 1;           // key is a prefix of the stored symbol
            else c = Integer.compare(seg.get(ValueLayout.JAVA_BYTE, from + m) & 0xFF, key.get(ValueLayout.JAVA_BYTE, m) & 0xFF);
            if (c < 0) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /** The label index entry of name {@code nameRef}, or -1. */
    private int labelEntry(int nameRef) {
        int lo = 0, hi = numNames - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int r = seg.get(Bytes.U32, labelEntries + (long) LABEL_ENTRY_BYTES * mid);
            if (r < nameRef) lo = mid + 1;
            else if (r > nameRef) hi = mid - 1;
            else return mid;
        }
        return -1;
    }

    @Override
    public List<String> labelNames() {
        List<String> out = new ArrayList<>(numNames);
        for (int i = 0; i < numNames; i++) out.add(symbol(seg.get(Bytes.U32, labelEntries + (long) LABEL_ENTRY_BYTES * i)));
        return Collections.unmodifiableList(out);
    }

    @Override
    public List<String> labelValues(String name) {
        int nameRef = symbolRef(name);
        int e = nameRef < 0 ? -1 : labelEntry(nameRef);
        if (e < 0) return List.of();
        long at = labelEntries + (long) LABEL_ENTRY_BYTES * e;
        int first = seg.get(Bytes.U32, at + 4);
        int n = seg.get(Bytes.U32, at + 8);
        if (first < 0 || n < 0 || (long) first + n > numPairs) throw corrupt(at, "label index entry out of range");
        List<String> out = new ArrayList<>(n);
        for (int i = first; i < first + n; i++) out.add(symbol(seg.get(Bytes.U32, pairEntries + (long) PAIR_ENTRY_BYTES * i + 4)));
        return Collections.unmodifiableList(out);
    }

    @Override
    public RoaringBitmap postings(String name, String value) {
        int nameRef = symbolRef(name);
        int valueRef = nameRef < 0 ? -1 : symbolRef(value);
        if (valueRef < 0) return new RoaringBitmap();
        long key = ((long) nameRef << 32) | valueRef;
        int lo = 0, hi = numPairs - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long at = pairEntries + (long) PAIR_ENTRY_BYTES * mid;
            long k = seg.get(Bytes.U64, at);
            if (k < key) lo = mid + 1;
            else if (k > key) hi = mid - 1;
            else {
                long off = seg.get(Bytes.U64, at + 8);
                long len = Integer.toUnsignedLong(seg.get(Bytes.U32, at + 16));
                return bitmap(checkPostingsRange(at, off, len), len);
            }
        }
        return new RoaringBitmap();
    }

    private long checkPostingsRange(long at, long off, long len) {
        long start = postingsContent + off;
        if (off < 4 || off > postingsEnd || len > postingsEnd - start) throw corrupt(at, "postings offset out of range [offset=" + off + "]");
        return start;
    }

    /** {@inheritDoc} Shared: callers must not mutate it. */
    @Override
    public RoaringBitmap allPostings() {
        return all;
    }

    @Override
    public Labels labels(int ordinal) {
        Bytes.Cursor c = series(ordinal);
        try {
            int n = c.uvarintInt();
            if (n > numSymbols) throw new IndexOutOfBoundsException("label count");
            String[] pairs = new String[2 * n];
            for (int i = 0; i < 2 * n; i++) pairs[i] = symbol(c.uvarintInt());
            return Labels.of(pairs);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw corrupt(c.pos, "malformed series entry [ordinal=" + ordinal + "]");
        }
    }

    @Override
    public void chunkMetas(int ordinal, ChunkMetas out) {
        out.clear();
        Bytes.Cursor c = series(ordinal);
        try {
            int n = c.uvarintInt();
            for (int i = 0; i < 2 * n; i++) c.uvarint();
            int chunks = c.uvarintInt();
            long minT = 0, maxT = 0, ref = 0;
            for (int i = 0; i < chunks; i++) {
                if (i == 0) {
                    minT = c.varint();
                    maxT = minT + c.uvarint();
                    ref = c.uvarint();
                } else {
                    minT = maxT + c.uvarint();
                    maxT = minT + c.uvarint();
                    ref += c.uvarint();
                }
                out.add(minT, maxT, ref);
            }
        } catch (IndexOutOfBoundsException e) {
            throw corrupt(c.pos, "malformed series entry [ordinal=" + ordinal + "]");
        }
    }

    private Bytes.Cursor series(int ordinal) {
        Objects.checkIndex(ordinal, numSeries);
        long off = seg.get(Bytes.U64, seriesOffsets + 8L * ordinal);
        if (off < 4 || seriesContent + off >= seriesOffsets) throw corrupt(seriesOffsets + 8L * ordinal, "series offset out of range [ordinal=" + ordinal + "]");
        return new Bytes.Cursor(seg, seriesContent + off, seriesOffsets);
    }
}
