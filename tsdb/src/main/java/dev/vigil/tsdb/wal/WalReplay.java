package dev.vigil.tsdb.wal;

import static dev.vigil.tsdb.wal.WalRecords.HEADER_BYTES;

import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * One run of {@link Wal#replay}: reads the segments through read-only mappings (the CRC32C intrinsic
 * then runs straight over the page cache, with no copy), and repairs the directory at the first
 * damaged record. The rules are in {@code tsdb/docs/format/wal.md}, "Replay and repair".
 *
 * <p>Single use, single thread.
 */
final class WalReplay {
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());
    private static final ValueLayout.OfInt INT_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Largest span a ByteBuffer view can cover. */
    private static final long MAX_VIEW = Integer.MAX_VALUE - 8;

    private final Path dir;
    private final RecordHandler handler;
    private final Path quarantineDir;
    private final FileSystemFacade fs;
    private final CRC32C crc = new CRC32C();

    private long records;
    private int segmentsRead;
    private int corruptions;
    private long bytesDropped;
    private final StringBuilder notes = new StringBuilder();

    // Set by scan() when it stops at damage.
    private long damageOffset;
    private String damageReason;
    private boolean damageIsTornTail; // the damaged segment holds nothing valid after the damage

    WalReplay(Path dir, RecordHandler handler, Path quarantineDir, FileSystemFacade fs) {
        this.dir = dir;
        this.handler = handler;
        this.quarantineDir = quarantineDir;
        this.fs = fs;
    }

    ReplayResult run(int fromSegment) {
        List<Integer> all = Wal.listSegments(dir, fs);
        int lastSegment = all.isEmpty() ? 0 : all.getLast();
        int prev = -1;
        for (int i = 0; i < all.size(); i++) {
            int seg = all.get(i);
            if (seg < fromSegment) continue;
            if (prev >= 0 && seg != prev + 1) {
                // A missing segment lost its records; what follows is still valid, so keep going.
                corruptions++;
                note("wal segments missing [after=" + Wal.segmentName(prev) + ", next=" + Wal.segmentName(seg) + "]");
            }
            prev = seg;
            Path path = Wal.segmentPath(dir, seg);
            damageOffset = -1;
            List<Integer> later = all.subList(i + 1, all.size());
            try {
                scan(seg, path, later);
            } catch (IOException e) {
                throw StorageException.io("wal replay read failed [file=" + path + "]", e);
            }
            segmentsRead++;
            if (damageOffset < 0) continue;
            corruptions++;
            try {
                lastSegment = repair(seg, path, later);
            } catch (IOException e) {
                throw StorageException.io("wal repair failed [file=" + path + ", offset=" + damageOffset + "]", e);
            }
            break;
        }
        String summary = "wal replayed [records=" + records + ", segments=" + segmentsRead + ", dir=" + dir + "]";
        return new ReplayResult(records, segmentsRead, corruptions, bytesDropped, lastSegment,
                notes.isEmpty() ? summary : summary + "; " + notes);
    }

    /**
     * Passes the segment's records to the handler up to the first damaged one. On damage, sets
     * {@link #damageOffset} and classifies it, and for damage that is not a torn tail copies the
     * damaged bytes to the quarantine directory while the segment is still mapped.
     */
    private void scan(int seg, Path path, List<Integer> later) throws IOException {
        try (FileChannel ch = fs.open(path, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
            long size = ch.size();
            if (size == 0) return;
            MemorySegment ms = fs.mapReadOnly(ch, 0, size, arena);
            // One ByteBuffer view, re-pointed per record, so replay allocates nothing per record.
            // It covers the whole segment unless the file is over 2 GiB (never written by Wal).
            long viewBase = 0;
            ByteBuffer view = ms.asSlice(0, Math.min(size, MAX_VIEW)).asByteBuffer();
            long pos = 0;
            while (pos < size) {
                String reason = null;
                long payloadLen = 0;
                int type = ms.get(ValueLayout.JAVA_BYTE, pos) & 0xFF;
                if (size - pos < HEADER_BYTES) {
                    reason = "partial record header";
                } else if (type == 0 || type > WalRecords.MAX_TYPE) {
                    reason = "unknown record type " + type;
                } else {
                    payloadLen = Integer.toUnsignedLong(ms.get(INT_BE, pos + 1));
                    if (payloadLen > size - pos - HEADER_BYTES) {
                        reason = "record runs past end of file [length=" + payloadLen + "]";
                    } else if (payloadLen > MAX_VIEW) {
                        reason = "record over 2 GiB [length=" + payloadLen + "]"; // Wal.log cannot write one
                    }
                }
                if (reason == null) {
                    long start = pos + HEADER_BYTES;
                    if (start + payloadLen - viewBase > view.capacity()) {
                        viewBase = start;
                        view = ms.asSlice(start, Math.min(size - start, MAX_VIEW)).asByteBuffer();
                    }
                    int from = (int) (start - viewBase);
                    int to = (int) (from + payloadLen);
                    view.limit(to).position(from);
                    crc.reset();
                    crc.update(type);
                    crc.update(view);
                    if ((int) crc.getValue() != ms.get(INT_BE, pos + 5)) {
                        reason = "crc mismatch";
                    } else {
                        view.limit(to).position(from);
                        view.order(ByteOrder.BIG_ENDIAN); // the previous handler may have changed it
                        handler.record(seg, (byte) type, view);
                        records++;
                        pos = start + payloadLen;
                        continue;
                    }
                }
                damageOffset = pos;
                damageReason = reason;
                damageIsTornTail = nothingValidAfter(ms, size, pos) && allEmpty(later);
                if (!damageIsTornTail) quarantineCopy(ms, size, seg, pos);
                return;
            }
        }
    }

    /**
     * Whether the bytes from a damaged record at {@code off} to the end of the segment are what an
     * interrupted write leaves: zeros, a partial header, a frame that runs past the end, or a frame
     * followed only by zeros.
     */
    private static boolean nothingValidAfter(MemorySegment ms, long size, long off) {
        if (allZero(ms, off, size) || size - off < HEADER_BYTES) return true;
        long end = off + HEADER_BYTES + Integer.toUnsignedLong(ms.get(INT_BE, off + 1));
        return end > size || allZero(ms, end, size);
    }

    private static boolean allZero(MemorySegment ms, long from, long to) {
        long p = from;
        for (; p + 8 <= to; p += 8) {
            if (ms.get(ValueLayout.JAVA_LONG_UNALIGNED, p) != 0) return false;
        }
        for (; p < to; p++) {
            if (ms.get(ValueLayout.JAVA_BYTE, p) != 0) return false;
        }
        return true;
    }

    private boolean allEmpty(List<Integer> later) throws IOException {
        for (int s : later) {
            if (fs.sizeOf(Wal.segmentPath(dir, s)) > 0) return false;
        }
        return true;
    }

    /** Copies {@code [off, size)} of the segment to {@code quarantineDir/wal-<segment>-<offset>} and fsyncs it. */
    private void quarantineCopy(MemorySegment ms, long size, int seg, long off) throws IOException {
        fs.createDirectories(quarantineDir);
        Path target = uniqueTarget("wal-" + Wal.segmentName(seg) + "-" + off);
        try (FileChannel out = fs.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long p = off;
            while (p < size) {
                long n = Math.min(size - p, 1L << 30);
                fs.write(out, ms.asSlice(p, n).asByteBuffer(), p - off);
                p += n;
            }
            fs.force(out);
        }
    }

    /** Cuts the damaged segment (quarantining later segments when it is not a torn tail); returns the last segment left. */
    private int repair(int seg, Path path, List<Integer> later) throws IOException {
        long size = fs.sizeOf(path);
        long cut = size - damageOffset;
        bytesDropped += cut;
        try (FileChannel ch = fs.open(path, StandardOpenOption.WRITE)) {
            ch.truncate(damageOffset);
            fs.force(ch);
        }
        if (damageIsTornTail) {
            note("wal torn tail truncated [file=" + path + ", offset=" + damageOffset + ", reason=" + damageReason
                    + ", bytesDropped=" + cut + "]");
            return later.isEmpty() ? seg : later.getLast();
        }
        long moved = 0;
        for (int s : later) {
            Path p = Wal.segmentPath(dir, s);
            moved += fs.sizeOf(p);
            fs.move(p, uniqueTarget(Wal.segmentName(s)));
        }
        bytesDropped += moved;
        fs.syncDirectory(quarantineDir);
        fs.syncDirectory(dir);
        note("wal corruption quarantined [file=" + path + ", offset=" + damageOffset + ", reason=" + damageReason
                + ", bytesDropped=" + cut + ", laterSegmentsMoved=" + later.size() + ", laterBytesMoved=" + moved
                + ", quarantine=" + quarantineDir + "]");
        return seg;
    }

    /** {@code quarantineDir/name}, suffixed {@code .1}, {@code .2}, ... when an earlier incident used the name. */
    private Path uniqueTarget(String name) throws IOException {
        Set<String> taken = new HashSet<>();
        try (DirectoryStream<Path> ds = fs.list(quarantineDir)) {
            for (Path p : ds) taken.add(p.getFileName().toString());
        }
        String candidate = name;
        for (int i = 1; taken.contains(candidate); i++) candidate = name + "." + i;
        return quarantineDir.resolve(candidate);
    }

    private void note(String s) {
        LOG.log(System.Logger.Level.WARNING, s);
        if (!notes.isEmpty()) notes.append("; ");
        notes.append(s);
    }
}
