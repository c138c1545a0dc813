package dev.vigil.tsdb.block;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Deleted time ranges per series of one block: for each series ordinal, a sorted list of
 * disjoint, non-adjacent intervals {@code [minT, maxT]}, both ends inclusive (Prometheus's
 * {@code tombstones.Interval}). Overlapping or touching intervals are merged on build.
 *
 * <p>Stored in columnar primitive arrays so a querier can test samples without allocating: look
 * up {@link #intervalStart}/{@link #intervalEnd} once per series, then walk
 * {@link #intervalMinT}/{@link #intervalMaxT} alongside the samples, or call
 * {@link #isDeleted(int, long)} (two binary searches). The file layout is in
 * {@code tsdb/docs/format/block.md}. Immutable and thread-safe.
 */
public final class Tombstones {
    /** The file name inside a block directory. */
    public static final String FILE_NAME = "tombstones";

    /** "VTMB". */
    static final int MAGIC = 0x56544D42;
    static final byte VERSION = 1;
    private static final int HEADER_BYTES = 8;

    public static final Tombstones EMPTY = new Tombstones(new int[0], new int[] {0}, new long[0], new long[0]);

    private final int[] ordinals;    // sorted, distinct
    private final int[] start;       // ordinals.length + 1 boundaries into minT/maxT
    private final long[] minT;
    private final long[] maxT;

    private Tombstones(int[] ordinals, int[] start, long[] minT, long[] maxT) {
        this.ordinals = ordinals;
        this.start = start;
        this.minT = minT;
        this.maxT = maxT;
    }

    /** A builder for new tombstones. */
    public static Builder builder() {
        return new Builder();
    }

    /** True when nothing is deleted. */
    public boolean isEmpty() {
        return ordinals.length == 0;
    }

    /** The number of series with at least one deleted interval. */
    public int numSeries() {
        return ordinals.length;
    }

    /** The total number of (merged) intervals. */
    public int numIntervals() {
        return minT.length;
    }

    /** The {@code i}-th series with deletions, in ascending order, {@code 0 <= i < numSeries()}. */
    public int ordinalAt(int i) {
        return ordinals[i];
    }

    /** The index of the series' first interval; equals {@link #intervalEnd} when it has none. */
    public int intervalStart(int ordinal) {
        int i = Arrays.binarySearch(ordinals, ordinal);
        return i >= 0 ? start[i] : 0;
    }

    /** One past the index of the series' last interval. */
    public int intervalEnd(int ordinal) {
        int i = Arrays.binarySearch(ordinals, ordinal);
        return i >= 0 ? start[i + 1] : 0;
    }

    /** Interval {@code i}'s first deleted timestamp, epoch millis, inclusive. */
    public long intervalMinT(int i) {
        return minT[i];
    }

    /** Interval {@code i}'s last deleted timestamp, epoch millis, inclusive. */
    public long intervalMaxT(int i) {
        return maxT[i];
    }

    /** True when the series' sample at {@code t} is deleted. */
    public boolean isDeleted(int ordinal, long t) {
        int s = Arrays.binarySearch(ordinals, ordinal);
        if (s < 0) return false;
        int lo = start[s], hi = start[s + 1] - 1;
        // intervals are sorted and disjoint: find the last one with minT <= t
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (minT[mid] <= t) lo = mid + 1;
            else hi = mid - 1;
        }
        return hi >= start[s] && t <= maxT[hi];
    }

    /** The union of this and {@code other}. */
    public Tombstones merge(Tombstones other) {
        if (other.isEmpty()) return this;
        if (isEmpty()) return other;
        Builder b = new Builder();
        b.addAll(this);
        b.addAll(other);
        return b.build();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tombstones t && Arrays.equals(ordinals, t.ordinals) && Arrays.equals(start, t.start)
                && Arrays.equals(minT, t.minT) && Arrays.equals(maxT, t.maxT);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ordinals) * 31 + Arrays.hashCode(minT) * 17 + Arrays.hashCode(maxT);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tombstones{");
        for (int s = 0; s < ordinals.length; s++) {
            if (s > 0) sb.append(", ");
            sb.append(ordinals[s]).append('=');
            for (int i = start[s]; i < start[s + 1]; i++) sb.append('[').append(minT[i]).append(',').append(maxT[i]).append(']');
        }
        return sb.append('}').toString();
    }

    // ---- file format ----

    /**
     * Reads a tombstones file; a missing file reads as {@link #EMPTY} (a block written before any
     * deletion, or by a tool that skips it).
     *
     * @throws CorruptionException on a bad magic, version, length or CRC, or malformed entries
     * @throws StorageException on an I/O error
     */
    public static Tombstones read(Path file, FileSystemFacade fs) {
        byte[] b;
        try (FileChannel ch = fs.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE - 16) throw CorruptionException.at(file, 0, "tombstones file too large [bytes=" + size + "]");
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read fully
            }
            b = Arrays.copyOf(buf.array(), buf.position());
        } catch (NoSuchFileException e) {
            return EMPTY;
        } catch (IOException e) {
            throw StorageException.io("cannot read tombstones [file=" + file + "]", e);
        }
        return decode(b, file);
    }

    static Tombstones decode(byte[] b, Path file) {
        if (b.length < HEADER_BYTES + 8) throw CorruptionException.at(file, 0, "tombstones file too short [bytes=" + b.length + "]");
        if (Bytes.getU32(b, 0) != MAGIC) throw CorruptionException.at(file, 0, "bad tombstones magic");
        if (b[4] != VERSION) throw CorruptionException.at(file, 4, "unsupported tombstones version [version=" + b[4] + "]");
        if (b[5] != 0 || b[6] != 0 || b[7] != 0) throw CorruptionException.at(file, 5, "tombstones header padding is not zero");
        int len = Bytes.getU32(b, HEADER_BYTES);
        int body = HEADER_BYTES + 4;
        if (len < 0 || (long) body + len + 4 != b.length) {
            throw CorruptionException.at(file, HEADER_BYTES, "tombstones length does not match the file [length=" + len + ", bytes=" + b.length + "]");
        }
        CRC32C crc = new CRC32C();
        crc.update(b, body, len);
        if ((int) crc.getValue() != Bytes.getU32(b, body + len)) throw CorruptionException.at(file, body + len, "tombstones checksum mismatch");
        Builder builder = new Builder();
        int[] pos = {body};
        int end = body + len;
        try {
            long count = uvarint(b, pos, end);
            for (long i = 0; i < count; i++) {
                long ordinal = uvarint(b, pos, end);
                long lo = varint(b, pos, end);
                long hi = varint(b, pos, end);
                if (ordinal > Integer.MAX_VALUE || hi < lo) throw new IndexOutOfBoundsException("bad interval");
                builder.add((int) ordinal, lo, hi);
            }
        } catch (IndexOutOfBoundsException e) {
            throw CorruptionException.at(file, pos[0], "malformed tombstone entry");
        }
        if (pos[0] != end) throw CorruptionException.at(file, pos[0], "trailing bytes after tombstone entries");
        return builder.build();
    }

    private static long uvarint(byte[] b, int[] pos, int end) {
        long x = 0;
        int s = 0;
        for (int i = 0; i < 10; i++) {
            if (pos[0] >= end) throw new IndexOutOfBoundsException();
            byte v = b[pos[0]++];
            if (v >= 0) return x | ((long) v << s);
            x |= (long) (v & 0x7F) << s;
            s += 7;
        }
        throw new IndexOutOfBoundsException();
    }

    private static long varint(byte[] b, int[] pos, int end) {
        long ux = uvarint(b, pos, end);
        return (ux >>> 1) ^ -(ux & 1);
    }

    /** The file bytes: header, u32 length, entries, CRC32C of the entries. */
    byte[] encode() {
        int max = HEADER_BYTES + 4 + 10 + minT.length * 25 + 4;
        byte[] b = new byte[max];
        Bytes.putU32(b, 0, MAGIC);
        b[4] = VERSION;
        int body = HEADER_BYTES + 4;
        int p = Bytes.putUvarint(b, body, minT.length);
        for (int s = 0; s < ordinals.length; s++) {
            for (int i = start[s]; i < start[s + 1]; i++) {
                p = Bytes.putUvarint(b, p, ordinals[s]);
                p = Bytes.putVarint(b, p, minT[i]);
                p = Bytes.putVarint(b, p, maxT[i]);
            }
        }
        Bytes.putU32(b, HEADER_BYTES, p - body);
        CRC32C crc = new CRC32C();
        crc.update(b, body, p - body);
        p = Bytes.putU32(b, p, (int) crc.getValue());
        return Arrays.copyOf(b, p);
    }

    /**
     * Writes {@code tombstones} to {@code file} (created or truncated) and fsyncs it. Not atomic:
     * callers replacing a live file write a temporary one and {@link FileSystemFacade#move} it.
     *
     * @throws StorageException on an I/O error
     */
    public static void write(Path file, Tombstones tombstones, FileSystemFacade fs) {
        ByteBuffer buf = ByteBuffer.wrap(tombstones.encode());
        try (FileChannel ch = fs.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            fs.write(ch, buf, 0);
            fs.force(ch);
        } catch (IOException e) {
            throw StorageException.io("cannot write tombstones [file=" + file + "]", e);
        }
    }

    /** Collects intervals in any order; {@link #build} sorts and merges them. Not thread-safe. */
    public static final class Builder {
        private int[] ord = new int[16];
        private long[] lo = new long[16];
        private long[] hi = new long[16];
        private int n;

        /**
         * Marks {@code [minT, maxT]} (inclusive) of the series at {@code ordinal} deleted.
         *
         * @throws IllegalArgumentException when {@code ordinal < 0} or {@code maxT < minT}
         */
        public Builder add(int ordinal, long minT, long maxT) {
            if (ordinal < 0) throw new IllegalArgumentException("negative series ordinal [ordinal=" + ordinal + "]");
            if (maxT < minT) throw new IllegalArgumentException("tombstone interval ends before it starts [minT=" + minT + ", maxT=" + maxT + "]");
            if (n == ord.length) {
                ord = Arrays.copyOf(ord, n * 2);
                lo = Arrays.copyOf(lo, n * 2);
                hi = Arrays.copyOf(hi, n * 2);
            }
            ord[n] = ordinal;
            lo[n] = minT;
            hi[n] = maxT;
            n++;
            return this;
        }

        /** Adds every interval of {@code t}. */
        public Builder addAll(Tombstones t) {
            for (int s = 0; s < t.ordinals.length; s++) {
                for (int i = t.start[s]; i < t.start[s + 1]; i++) add(t.ordinals[s], t.minT[i], t.maxT[i]);
            }
            return this;
        }

        /** The sorted, merged tombstones; the builder stays usable. */
        public Tombstones build() {
            if (n == 0) return EMPTY;
            Integer[] idx = new Integer[n];
            for (int i = 0; i < n; i++) idx[i] = i;
            Arrays.sort(idx, (a, b) -> ord[a] != ord[b] ? Integer.compare(ord[a], ord[b]) : Long.compare(lo[a], lo[b]));
            int[] ords = new int[n];
            int[] starts = new int[n + 1];
            long[] mins = new long[n];
            long[] maxs = new long[n];
            int series = 0, out = 0;
            for (int k = 0; k < n; k++) {
                int i = idx[k];
                boolean sameSeries = series > 0 && ords[series - 1] == ord[i];
                // merge overlapping and touching intervals ([1,2] and [3,4] delete the same samples as [1,4])
                if (sameSeries && maxs[out - 1] != Long.MAX_VALUE && lo[i] <= maxs[out - 1] + 1) {
                    maxs[out - 1] = Math.max(maxs[out - 1], hi[i]);
                    continue;
                }
                if (sameSeries && maxs[out - 1] == Long.MAX_VALUE) continue;
                if (!sameSeries) {
                    ords[series] = ord[i];
                    starts[series] = out;
                    series++;
                }
                mins[out] = lo[i];
                maxs[out] = hi[i];
                out++;
            }
            starts[series] = out;
            return new Tombstones(Arrays.copyOf(ords, series), Arrays.copyOf(starts, series + 1), Arrays.copyOf(mins, out), Arrays.copyOf(maxs, out));
        }
    }
}
