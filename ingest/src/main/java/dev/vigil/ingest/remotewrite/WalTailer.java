package dev.vigil.ingest.remotewrite;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.wal.SampleBatch;
import dev.vigil.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Follows Vigil's WAL (format: {@code tsdb/docs/format/wal.md}) while {@code Wal} writes it, from
 * a position (segment, byte offset) onwards, handing series and sample records to a {@link Sink}.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Read-only, no coordination with the writer.</b> Segments are opened read-only. A frame
 *   that is incomplete or fails its CRC at the end of the newest segment is a write in progress
 *   ({@code Wal.log} is one positional write, which a reader may see half-done): {@link #poll}
 *   stops before it and the next call retries.</li>
 *   <li><b>Leaving a segment.</b> The writer creates segment {@code n+1} only after its last write to
 *   {@code n}, so once {@code n+1} is seen, a re-read of {@code n} sees all of it; what is still
 *   incomplete then is a crash's torn tail, skipped and counted.</li>
 *   <li><b>Truncation under the reader.</b> An open segment survives its deletion (POSIX keeps the
 *   inode), so only segments not yet opened can vanish: the reader then jumps to the oldest segment
 *   above its position and counts the missing ones in {@link #segmentsSkipped()}.</li>
 *   <li><b>Allocation.</b> One growable heap buffer and one {@link SampleBatch} are reused for every
 *   record; sample records are decoded without allocating.</li>
 * </ul>
 *
 * <p>Not thread-safe: one reader thread owns it. {@link #position()} may be read from any thread.
 */
final class WalTailer implements AutoCloseable {
    /** Receives the records read, in log order. */
    interface Sink {
        void series(long ref, Labels labels);

        /**
         * One sample record; {@code batch} is reused after the call. {@code recordStart} and
         * {@code recordEnd} are {@link #pos packed positions} of the frame.
         */
        void samples(SampleBatch batch, long recordStart, long recordEnd);
    }

    private final Path dir;
    private final CRC32C crc = new CRC32C();
    private final SampleBatch batch = new SampleBatch(1024);
    private ByteBuffer buf = ByteBuffer.allocate(64 << 10);
    private FileChannel channel;
    private int segment;
    private long offset;
    private volatile long position;
    private long segmentsSkipped;
    private long tornBytesSkipped;

    WalTailer(Path dir, int segment, long offset) {
        this.dir = dir;
        this.segment = segment;
        this.offset = offset;
        this.position = pos(segment, offset);
    }

    /** A position as one long: segment index in the high 32 bits, byte offset in the low 32 (segments are &lt; 2 GiB). */
    static long pos(int segment, long offset) {
        return ((long) segment << 32) | offset;
    }

    static int segmentOf(long pos) {
        return (int) (pos >>> 32);
    }

    static long offsetOf(long pos) {
        return pos & 0xFFFF_FFFFL;
    }

    /** Packed position of the next record to read. */
    long position() {
        return position;
    }

    /** Segments that were deleted (or never existed) before this reader got to them. */
    long segmentsSkipped() {
        return segmentsSkipped;
    }

    /** Bytes of torn or damaged tails skipped in finished segments. */
    long tornBytesSkipped() {
        return tornBytesSkipped;
    }

    /**
     * Reads up to {@code maxRecords} complete records and hands them to {@code sink}.
     *
     * @return the number of records read; 0 when at the end of what is written so far
     * @throws IOException on an I/O error other than a missing segment
     */
    int poll(Sink sink, int maxRecords) throws IOException {
        int read = 0;
        while (read < maxRecords) {
            if (channel == null && !openSegment()) return read;
            long size = channel.size();
            int complete = frameAt(size);
            if (complete < 0) {
                // Nothing complete here. Finished segment (a later one exists)? Then re-check
                // this one, now that its writer has moved on, and leave it.
                if (!laterSegmentExists()) return read;
                size = channel.size();
                complete = frameAt(size);
                if (complete < 0) {
                    tornBytesSkipped += Math.max(0, size - offset);
                    nextSegment(segment + 1);
                    continue;
                }
            }
            long start = offset;
            byte type = buf.get(0);
            offset += complete;
            buf.position(WalRecords.HEADER_BYTES).limit(complete);
            ByteBuffer payload = buf;
            try {
                switch (type) {
                    case WalRecords.SERIES -> WalRecords.decodeSeries(payload, sink::series);
                    case WalRecords.SAMPLES, WalRecords.PACKED_SAMPLES -> {
                        WalRecords.decodeSamples(type, payload, batch);
                        sink.samples(batch, pos(segment, start), pos(segment, offset));
                    }
                    default -> { } // tombstones and future types: nothing to forward
                }
            } catch (IllegalArgumentException e) {
                // CRC matched but the content does not decode: a newer format or a bug, not damage.
                // Skipping one record beats stalling the remote forever.
                tornBytesSkipped += complete;
            }
            position = pos(segment, offset);
            read++;
        }
        return read;
    }

    /**
     * Reads the frame at {@link #offset} into {@link #buf} (header included) when it is complete
     * and its CRC matches; returns its total length, or -1.
     */
    private int frameAt(long size) throws IOException {
        if (size - offset < WalRecords.HEADER_BYTES) return -1;
        buf.clear().limit(WalRecords.HEADER_BYTES);
        readFully(offset);
        int type = buf.get(0) & 0xFF;
        long len = buf.getInt(1) & 0xFFFF_FFFFL;
        if (type == 0 || type > WalRecords.MAX_TYPE) return -1;
        long total = WalRecords.HEADER_BYTES + len;
        if (offset + total > size || total > Integer.MAX_VALUE - 8) return -1;
        if (buf.capacity() < total) {
            ByteBuffer bigger = ByteBuffer.allocate((int) Math.max(total, buf.capacity() * 2L));
            bigger.put(0, buf, 0, WalRecords.HEADER_BYTES);
            buf = bigger;
        }
        buf.clear().position(WalRecords.HEADER_BYTES).limit((int) total);
        readFully(offset + WalRecords.HEADER_BYTES);
        crc.reset();
        crc.update(buf.array(), 0, 1);
        crc.update(buf.array(), WalRecords.HEADER_BYTES, (int) len);
        if ((int) crc.getValue() != buf.getInt(5)) return -1;
        return (int) total;
    }

    private void readFully(long at) throws IOException {
        long p = at;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, p);
            if (n < 0) throw new IOException("segment shrank under the reader [segment=" + segment + "]");
            p += n;
        }
    }

    /** Opens {@link #segment}, or the oldest later one when it is gone; false when none exists yet. */
    private boolean openSegment() throws IOException {
        try {
            channel = FileChannel.open(segmentPath(segment), StandardOpenOption.READ);
            if (offset > channel.size()) {
                // Start-up replay cut a torn tail below a persisted position: continue at the end.
                offset = channel.size();
            }
            return true;
        } catch (NoSuchFileException e) {
            int later = oldestSegmentFrom(segment + 1);
            if (later < 0) return false; // not created yet
            if (segment > 0) segmentsSkipped += later - segment; // 0: started before the WAL had any segment
            segment = later;
            offset = 0;
            position = pos(segment, offset);
            return openSegment();
        }
    }

    private void nextSegment(int next) throws IOException {
        channel.close();
        channel = null;
        segment = next;
        offset = 0;
        position = pos(segment, offset);
    }

    private boolean laterSegmentExists() {
        return oldestSegmentFrom(segment + 1) >= 0;
    }

    /** The lowest segment index &gt;= {@code from} in the directory, or -1. */
    int oldestSegmentFrom(int from) {
        int best = -1;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                int s = parseSegment(p.getFileName().toString());
                if (s >= from && (best < 0 || s < best)) best = s;
            }
        } catch (IOException e) {
            return -1;
        }
        return best;
    }

    /** WAL bytes after the read position (for the backlog gauge); lists the directory, so not for the hot path. */
    long bytesBehind() {
        long p = position;
        int seg = segmentOf(p);
        long total = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path f : ds) {
                int s = parseSegment(f.getFileName().toString());
                if (s < seg) continue;
                long size = Files.size(f);
                total += s == seg ? Math.max(0, size - offsetOf(p)) : size;
            }
        } catch (IOException e) {
            return total;
        }
        return total;
    }

    /** The newest segment index and its size, packed, or -1 when the directory holds none. */
    static long endOf(Path dir) {
        int best = -1;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) best = Math.max(best, parseSegment(p.getFileName().toString()));
            if (best < 0) return -1;
            return pos(best, Files.size(dir.resolve(segmentName(best))));
        } catch (IOException e) {
            return -1;
        }
    }

    /** The oldest segment index in {@code dir}, or -1. */
    static int firstSegment(Path dir) {
        int best = -1;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                int s = parseSegment(p.getFileName().toString());
                if (s >= 0 && (best < 0 || s < best)) best = s;
            }
        } catch (IOException e) {
            return -1;
        }
        return best;
    }

    private Path segmentPath(int s) {
        return dir.resolve(segmentName(s));
    }

    static String segmentName(int s) {
        return String.format("%08d", s);
    }

    static int parseSegment(String name) {
        if (name.length() != 8) return -1;
        int v = 0;
        for (int i = 0; i < 8; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) channel.close();
        channel = null;
    }
}
