package dev.vigil.tsdb.head;

import dev.vigil.tsdb.CorruptionException;
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
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Sealed head chunks, written to append-only files under {@code chunks_head/} and read back through
 * memory maps, so that the head keeps only each series' open chunk on the heap. Layout:
 * {@code tsdb/docs/format/chunks.md}, "Head chunk files".
 *
 * <p>Writes are buffered (one write syscall per {@value #WRITE_BUFFER_BYTES} bytes, not per chunk);
 * a chunk still in the buffer is served from it. A file is mapped once it is complete; the active
 * file is read with positional reads. Losing the buffer in a crash loses nothing: the WAL still
 * holds every sample newer than the last block.
 *
 * <p>Thread-safe: one lock guards the writer and the file table.
 */
public final class HeadChunkFiles implements AutoCloseable {
    static final int MAGIC = 0x0130BC91;
    static final int HEADER_BYTES = 8;
    /** 1 MiB: large enough that a flush is rare, small enough to be nothing next to the heads' chunks. */
    static final int WRITE_BUFFER_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(HeadChunkFiles.class.getName());

    /** Called for every valid chunk found when scanning files at start-up. */
    public interface ChunkVisitor {
        void chunk(long ref, long seriesId, long minT, long maxT, int encoding, ByteBuffer data);
    }

    private static final class ChunkFile {
        final int index;
        final Path path;
        FileChannel channel;
        long size;              // bytes written to the file (flushed)
        long maxT = Long.MIN_VALUE;
        Arena arena;            // non-null once complete and mapped
        MemorySegment mapped;

        ChunkFile(int index, Path path) {
            this.index = index;
            this.path = path;
        }
    }

    private final Path dir;
    private final long maxFileBytes;
    private final FileSystemFacade fs;
    private final TreeMap<Integer, ChunkFile> files = new TreeMap<>(); // guarded by this
    private ChunkFile active;                                            // guarded by this
    private final byte[] pending = new byte[WRITE_BUFFER_BYTES];         // guarded by this
    private int pendingLen;                                              // guarded by this
    private long pendingStart;                                           // file offset of pending[0]
    private final CRC32C crc = new CRC32C();                             // guarded by this
    private final byte[] entryHeader = new byte[8 * 3 + 1 + 10];         // guarded by this
    private long dropped;

    public HeadChunkFiles(Path dir, long maxFileBytes, FileSystemFacade fs) {
        this.dir = dir;
        this.maxFileBytes = maxFileBytes;
        this.fs = fs;
        try {
            fs.createDirectories(dir);
        } catch (IOException e) {
            throw StorageException.io("cannot create head chunk directory [dir=" + dir + "]", e);
        }
    }

    /**
     * Reads every existing file, passing each valid chunk to {@code visitor}; a torn or damaged tail
     * is cut off (logged and counted). Then starts a new file for writing.
     */
    public synchronized void open(ChunkVisitor visitor) {
        List<Integer> indexes = new ArrayList<>();
        try (DirectoryStream<Path> ds = fs.list(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.matches("\\d{6}")) indexes.add(Integer.parseInt(n));
            }
        } catch (IOException e) {
            throw StorageException.io("cannot list head chunk files [dir=" + dir + "]", e);
        }
        indexes.sort(null);
        for (int idx : indexes) {
            ChunkFile f = new ChunkFile(idx, dir.resolve(String.format("%06d", idx)));
            try {
                f.channel = fs.open(f.path, StandardOpenOption.READ, StandardOpenOption.WRITE);
                f.size = f.channel.size();
                if (f.size < HEADER_BYTES) {
                    f.channel.close();
                    fs.delete(f.path);
                    continue;
                }
                map(f);
                long validEnd = scan(f, visitor);
                if (validEnd < f.size) {
                    LOG.log(System.Logger.Level.WARNING, "head chunk file has a damaged tail, cut [file={0}, offset={1}, bytes={2}]",
                            f.path, validEnd, f.size - validEnd);
                    dropped++;
                    unmap(f);
                    f.channel.truncate(validEnd);
                    f.size = validEnd;
                    map(f);
                }
                files.put(idx, f);
            } catch (IOException e) {
                throw StorageException.io("cannot open head chunk file [file=" + f.path + "]", e);
            }
        }
        startNewFile();
    }

    private long scan(ChunkFile f, ChunkVisitor visitor) {
        MemorySegment m = f.mapped;
        if (m.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 0) != MAGIC) return 0;
        long pos = HEADER_BYTES;
        CRC32C c = new CRC32C();
        ByteBuffer all = m.asByteBuffer();
        while (pos + 8 * 3 + 1 + 1 + 4 <= f.size) {
            long seriesId = all.getLong((int) pos);
            long minT = all.getLong((int) pos + 8);
            long maxT = all.getLong((int) pos + 16);
            int enc = all.get((int) pos + 24) & 0xFF;
            int p = (int) pos + 25;
            long len = 0;
            int shift = 0;
            boolean ok = false;
            for (int i = 0; i < 5 && p < f.size; i++) {
                int b = all.get(p++) & 0xFF;
                len |= (long) (b & 0x7F) << shift;
                shift += 7;
                if (b < 0x80) {
                    ok = true;
                    break;
                }
            }
            if (!ok || enc == 0 || len <= 0 || p + len + 4 > f.size) break;
            c.reset();
            c.update(all.slice((int) pos, (int) (p + len - pos)));
            int stored = all.getInt((int) (p + len));
            if ((int) c.getValue() != stored) break;
            visitor.chunk(((long) f.index << 32) | pos, seriesId, minT, maxT, enc, all.slice(p, (int) len).asReadOnlyBuffer());
            f.maxT = Math.max(f.maxT, maxT);
            pos = p + len + 4;
        }
        return pos;
    }

    private void map(ChunkFile f) throws IOException {
        f.arena = Arena.ofShared();
        try {
            f.mapped = fs.mapReadOnly(f.channel, 0, f.size, f.arena);
        } catch (IOException | RuntimeException e) {
            f.arena.close();
            f.arena = null;
            throw e;
        }
    }

    private static void unmap(ChunkFile f) {
        if (f.arena != null) {
            f.arena.close();
            f.arena = null;
            f.mapped = null;
        }
    }

    private void startNewFile() {
        int idx = files.isEmpty() ? 1 : files.lastKey() + 1;
        ChunkFile f = new ChunkFile(idx, dir.resolve(String.format("%06d", idx)));
        try {
            f.channel = fs.open(f.path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
            ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).put((byte) 1);
            h.position(HEADER_BYTES).flip();
            fs.write(f.channel, h, 0);
            f.size = HEADER_BYTES;
        } catch (IOException e) {
            throw StorageException.io("cannot create head chunk file [file=" + f.path + "]", e);
        }
        files.put(idx, f);
        active = f;
        pendingStart = HEADER_BYTES;
        pendingLen = 0;
    }

    /**
     * Appends a sealed chunk and returns its ref ({@code fileIndex << 32 | offset}).
     *
     * @throws StorageException when the file cannot be written (the chunk is then not stored; the
     *     WAL still has its samples)
     */
    public synchronized long write(long seriesId, long minT, long maxT, int encoding, byte[] data, int len) {
        return write(seriesId, minT, maxT, encoding, data, len, maxT);
    }

    /**
     * As above; the file is kept at least until truncation passes {@code keepUntil} (an out-of-order
     * chunk's samples are old, but stay in the head until a flush after it was written).
     */
    public synchronized long write(long seriesId, long minT, long maxT, int encoding, byte[] data, int len, long keepUntil) {
        int varintLen = 1;
        for (long v = len; v >= 0x80; v >>>= 7) varintLen++;
        int entryLen = 25 + varintLen + len + 4;
        if (pendingStart + pendingLen + entryLen > maxFileBytes && pendingStart + pendingLen > HEADER_BYTES) {
            rotate();
        }
        if (pendingLen + entryLen > pending.length) flush();
        long offset = pendingStart + pendingLen;
        ByteBuffer h = ByteBuffer.wrap(entryHeader);
        h.putLong(seriesId).putLong(minT).putLong(maxT).put((byte) encoding);
        long v = len;
        while (v >= 0x80) {
            h.put((byte) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        h.put((byte) v);
        crc.reset();
        crc.update(entryHeader, 0, h.position());
        crc.update(data, 0, len);
        int c = (int) crc.getValue();
        if (entryLen > pending.length) { // a chunk larger than the buffer: write it directly
            ByteBuffer direct = ByteBuffer.allocate(entryLen).put(entryHeader, 0, h.position()).put(data, 0, len).putInt(c).flip();
            writeAt(direct, offset);
            pendingStart = offset + entryLen;
        } else {
            System.arraycopy(entryHeader, 0, pending, pendingLen, h.position());
            System.arraycopy(data, 0, pending, pendingLen + h.position(), len);
            int cp = pendingLen + h.position() + len;
            pending[cp] = (byte) (c >>> 24);
            pending[cp + 1] = (byte) (c >>> 16);
            pending[cp + 2] = (byte) (c >>> 8);
            pending[cp + 3] = (byte) c;
            pendingLen += entryLen;
        }
        active.maxT = Math.max(active.maxT, Math.max(maxT, keepUntil));
        return ((long) active.index << 32) | offset;
    }

    private void writeAt(ByteBuffer buf, long offset) {
        try {
            fs.write(active.channel, buf, offset);
            active.size = Math.max(active.size, offset + buf.limit());
        } catch (IOException e) {
            throw StorageException.io("head chunk write failed [file=" + active.path + "]", e);
        }
    }

    /** Writes buffered chunks to the active file. */
    public synchronized void flush() {
        if (pendingLen == 0) return;
        writeAt(ByteBuffer.wrap(pending, 0, pendingLen), pendingStart);
        pendingStart += pendingLen;
        pendingLen = 0;
    }

    private void rotate() {
        flush();
        ChunkFile done = active;
        try {
            fs.force(done.channel);
            map(done);
        } catch (IOException e) {
            throw StorageException.io("cannot seal head chunk file [file=" + done.path + "]", e);
        }
        startNewFile();
    }

    /**
     * The data bytes (2-byte sample count header first) of the chunk at {@code ref}, as a
     * read-only buffer owned by the caller or a view valid until that file is truncated away.
     *
     * @throws CorruptionException when the entry does not check out
     */
    public synchronized ByteBuffer read(long ref) {
        int idx = (int) (ref >>> 32);
        long off = ref & 0xFFFFFFFFL;
        ChunkFile f = files.get(idx);
        if (f == null) throw StorageException.of("head chunk file gone [ref=" + Long.toHexString(ref) + "]");
        if (f == active && off >= pendingStart) {
            int p = (int) (off - pendingStart);
            return entryData(ByteBuffer.wrap(pending, p, pendingLen - p).slice(), f, off, true);
        }
        if (f.mapped != null) {
            return entryData(f.mapped.asByteBuffer().position((int) off).slice(), f, off, false);
        }
        try { // active file, already flushed: a positional read of the entry
            ByteBuffer head = ByteBuffer.allocate(25 + 10);
            f.channel.read(head, off);
            head.flip();
            int p = 25;
            long len = 0;
            int shift = 0;
            while (p < head.limit()) {
                int b = head.get(p++) & 0xFF;
                len |= (long) (b & 0x7F) << shift;
                shift += 7;
                if (b < 0x80) break;
            }
            ByteBuffer entry = ByteBuffer.allocate((int) (p + len + 4));
            f.channel.read(entry, off);
            entry.flip();
            return entryData(entry, f, off, false);
        } catch (IOException e) {
            throw StorageException.io("head chunk read failed [file=" + f.path + ", offset=" + off + "]", e);
        }
    }

    /** Checks an entry starting at position 0 of {@code e} and returns its data. */
    private ByteBuffer entryData(ByteBuffer e, ChunkFile f, long off, boolean copy) {
        int p = 25;
        long len = 0;
        int shift = 0;
        while (true) {
            if (p >= e.limit()) throw CorruptionException.at(f.path, off, "truncated head chunk entry");
            int b = e.get(p++) & 0xFF;
            len |= (long) (b & 0x7F) << shift;
            shift += 7;
            if (b < 0x80) break;
        }
        if (p + len + 4 > e.limit()) throw CorruptionException.at(f.path, off, "truncated head chunk entry");
        CRC32C c = new CRC32C();
        c.update(e.duplicate().position(0).limit((int) (p + len)));
        if ((int) c.getValue() != e.getInt((int) (p + len))) {
            throw CorruptionException.at(f.path, off, "head chunk checksum mismatch");
        }
        ByteBuffer data = e.duplicate().position(p).limit((int) (p + len));
        if (copy) {
            ByteBuffer owned = ByteBuffer.allocate((int) len).put(data).flip();
            return owned.asReadOnlyBuffer();
        }
        return data.slice().asReadOnlyBuffer();
    }

    /** Deletes the files whose chunks all end before {@code minT} (the active file stays). */
    public synchronized int deleteBefore(long minT) {
        int deleted = 0;
        for (var it = files.values().iterator(); it.hasNext(); ) {
            ChunkFile f = it.next();
            if (f == active || f.maxT >= minT) continue;
            try {
                unmap(f);
                f.channel.close();
                fs.delete(f.path);
                it.remove();
                deleted++;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete head chunk file [file={0}]: {1}", f.path, e.getMessage());
            }
        }
        return deleted;
    }

    public synchronized long sizeBytes() {
        long s = pendingLen;
        for (ChunkFile f : files.values()) s += f.size;
        return s;
    }

    public synchronized int fileCount() {
        return files.size();
    }

    /** Damaged tails cut since open. */
    public synchronized long dropped() {
        return dropped;
    }

    @Override
    public synchronized void close() {
        try {
            flush();
        } finally {
            for (ChunkFile f : files.values()) {
                unmap(f);
                try {
                    if (f == active) fs.force(f.channel);
                    f.channel.close();
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "closing head chunk file failed [file={0}]: {1}", f.path, e.getMessage());
                }
            }
            files.clear();
        }
    }
}
