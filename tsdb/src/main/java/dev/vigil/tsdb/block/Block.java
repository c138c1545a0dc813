package dev.vigil.tsdb.block;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.chunk.ChunkReader;
import dev.vigil.tsdb.fs.FileSystemFacade;
import dev.vigil.tsdb.index.IndexReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open, immutable block: its meta, a mapped index and chunk segments, and its tombstones.
 *
 * <h2>Design notes</h2>
 *
 * <p>{@link #open} maps the index and every chunk segment read-only into one shared
 * {@link Arena} (FFM API), checks the index header, TOC and the CRC of every index section (the
 * bytes are mapped, so this is one sequential pass), and the header of every segment. It does not
 * decode series: lookups read the mapped bytes through offset tables. Chunk CRCs are checked on
 * each {@link ChunkReader#chunk} call instead, since checking gigabytes of chunks at open would make
 * start-up slow, and a chunk is only ever read whole.
 *
 * <p>A block that fails to open throws {@link CorruptionException} (naming the file and offset) and
 * holds nothing: mapped memory and channels opened so far are released before the exception
 * leaves, so the DB can quarantine (rename) the directory right away.
 *
 * <p>Concurrency: reads are thread-safe and lock-free. {@link #writeTombstones} is serialized on the
 * block and publishes the new tombstones through a volatile field. {@link #close} unmaps everything;
 * the caller (the DB) must make sure no reader is still using the block, typically with a reference
 * count, because a shared arena cannot close while another thread is inside a mapped access, and any
 * access after close throws {@link IllegalStateException}.
 */
public final class Block implements AutoCloseable {
    private static final AtomicLong OPEN_ARENAS = new AtomicLong();

    private final Path dir;
    private final FileSystemFacade fs;
    private final BlockMeta meta;
    private final Arena arena;
    private final BlockIndexReader index;
    private final ChunkSegments.Reader chunks;
    private final long mappedBytes;
    private final Object tombstoneLock = new Object();
    private volatile Tombstones tombstones;    // replaced under tombstoneLock
    private volatile long tombstoneFileBytes;  // written under tombstoneLock
    private volatile boolean closed;

    private Block(Path dir, FileSystemFacade fs, BlockMeta meta, Arena arena, BlockIndexReader index, ChunkSegments.Reader chunks,
                  long mappedBytes, Tombstones tombstones, long tombstoneFileBytes) {
        this.dir = dir;
        this.fs = fs;
        this.meta = meta;
        this.arena = arena;
        this.index = index;
        this.chunks = chunks;
        this.mappedBytes = mappedBytes;
        this.tombstones = tombstones;
        this.tombstoneFileBytes = tombstoneFileBytes;
    }

    /**
     * The number of block arenas currently open in this process, for leak checks in tests: it returns
     * to its baseline once every opened block is closed, and a failed open leaves it unchanged.
     */
    public static long openArenas() {
        return OPEN_ARENAS.get();
    }

    /**
     * Opens the block in {@code dir}. The caller owns the returned block and must close it.
     *
     * @throws CorruptionException when meta.json, the index, a chunk segment header or the tombstones
     *     are damaged, truncated or missing pieces; nothing stays open
     * @throws StorageException on an I/O error (missing files included); nothing stays open
     */
    public static Block open(Path dir, FileSystemFacade fs) {
        BlockMeta meta = BlockMeta.read(dir.resolve(BlockMeta.FILE_NAME), fs);
        Path tombstonesFile = dir.resolve(Tombstones.FILE_NAME);
        Tombstones tombstones = Tombstones.read(tombstonesFile, fs);
        Arena arena = Arena.ofShared();
        OPEN_ARENAS.incrementAndGet();
        try {
            Path indexFile = dir.resolve(BlockWriter.INDEX_FILE);
            MemorySegment indexSeg = map(indexFile, arena, fs);
            BlockIndexReader index = new BlockIndexReader(indexFile, indexSeg);
            if (index.numSeries() != meta.stats().numSeries() && meta.stats().numSeries() != 0) {
                throw CorruptionException.at(indexFile, 0, "index series count does not match meta.json [index=" + index.numSeries()
                        + ", meta=" + meta.stats().numSeries() + "]");
            }
            if (!tombstones.isEmpty() && tombstones.ordinalAt(tombstones.numSeries() - 1) >= index.numSeries()) {
                throw CorruptionException.at(tombstonesFile, 0, "tombstone for a series the block does not have [ordinal="
                        + tombstones.ordinalAt(tombstones.numSeries() - 1) + "]");
            }
            Path chunksDir = dir.resolve(BlockWriter.CHUNKS_DIR);
            List<Path> files = segmentFiles(chunksDir, fs);
            MemorySegment[] segs = new MemorySegment[files.size()];
            long mapped = indexSeg.byteSize();
            for (int i = 0; i < segs.length; i++) {
                segs[i] = map(files.get(i), arena, fs);
                ChunkSegments.Reader.checkHeader(files.get(i), segs[i]);
                mapped += segs[i].byteSize();
            }
            ChunkSegments.Reader chunks = new ChunkSegments.Reader(chunksDir, files.toArray(new Path[0]), segs);
            return new Block(dir, fs, meta, arena, index, chunks, mapped, tombstones, fs.sizeOf(tombstonesFile) + fs.sizeOf(dir.resolve(BlockMeta.FILE_NAME)));
        } catch (IOException e) {
            closeArena(arena, e);
            throw StorageException.io("cannot open block [dir=" + dir + "]", e);
        } catch (RuntimeException | Error e) {
            closeArena(arena, e);
            throw e;
        }
    }

    private static void closeArena(Arena arena, Throwable cause) {
        try {
            arena.close();
        } catch (RuntimeException e) {
            cause.addSuppressed(e);
        } finally {
            OPEN_ARENAS.decrementAndGet();
        }
    }

    private static MemorySegment map(Path file, Arena arena, FileSystemFacade fs) throws IOException {
        // the mapping outlives the channel, so the channel closes right away (no open file handles per block)
        try (FileChannel ch = fs.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) return MemorySegment.ofArray(new byte[0]); // mapping 0 bytes is not portable; checks reject it anyway
            return fs.mapReadOnly(ch, 0, size, arena);
        }
    }

    /** The segment files {@code 000001..N}, which must be numbered without gaps. */
    private static List<Path> segmentFiles(Path chunksDir, FileSystemFacade fs) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = fs.list(chunksDir)) {
            for (Path p : ds) names.add(p.getFileName().toString());
        }
        Collections.sort(names);
        List<Path> files = new ArrayList<>(names.size());
        for (int i = 0; i < names.size(); i++) {
            if (!names.get(i).equals(ChunkSegments.fileName(i))) {
                throw CorruptionException.at(chunksDir.resolve(names.get(i)), 0, "unexpected chunk segment file [expected=" + ChunkSegments.fileName(i) + "]");
            }
            files.add(chunksDir.resolve(names.get(i)));
        }
        return files;
    }

    /** The block's directory. */
    public Path dir() {
        return dir;
    }

    /** The block's meta as read at open. */
    public BlockMeta meta() {
        return meta;
    }

    /**
     * The block's index. Series ordinals are {@code 0..numSeries-1} in label order, so iterating a
     * postings bitmap yields series sorted by labels. Valid until {@link #close}; thread-safe.
     */
    public IndexReader index() {
        return index;
    }

    /**
     * The block's chunks; refs come from {@link IndexReader#chunkMetas}. Returned buffers are
     * read-only views of the mapping, valid until {@link #close}. Thread-safe.
     */
    public ChunkReader chunks() {
        return chunks;
    }

    /** The current tombstones (those at open plus any written since). */
    public Tombstones tombstones() {
        return tombstones;
    }

    /** The bytes the block occupies on disk: index, chunk segments, meta and tombstones. */
    public long sizeBytes() {
        return mappedBytes + tombstoneFileBytes;
    }

    /**
     * Adds deletions and persists them: the merged tombstones are written to a temporary file, fsynced
     * and atomically renamed over {@code tombstones}, then published to readers. Serialized per block.
     *
     * @param additions deletions by this block's series ordinals
     * @return the merged tombstones now in effect
     * @throws IllegalArgumentException when an ordinal is not a series of this block
     * @throws StorageException on an I/O error; the previous tombstones stay in effect
     */
    public Tombstones writeTombstones(Tombstones additions) {
        if (!additions.isEmpty() && additions.ordinalAt(additions.numSeries() - 1) >= index.numSeries()) {
            throw new IllegalArgumentException("tombstone for a series the block does not have [ordinal="
                    + additions.ordinalAt(additions.numSeries() - 1) + ", numSeries=" + index.numSeries() + ", block=" + meta.ulid() + "]");
        }
        synchronized (tombstoneLock) {
            if (closed) throw new IllegalStateException("block is closed [block=" + meta.ulid() + "]");
            Tombstones merged = tombstones.merge(additions);
            if (merged == tombstones) return merged;
            Path file = dir.resolve(Tombstones.FILE_NAME);
            Path tmp = dir.resolve(Tombstones.FILE_NAME + ".tmp");
            try {
                Tombstones.write(tmp, merged, fs);
                fs.move(tmp, file);
                fs.syncDirectory(dir);
                tombstoneFileBytes = fs.sizeOf(file) + fs.sizeOf(dir.resolve(BlockMeta.FILE_NAME));
            } catch (IOException | RuntimeException e) {
                try {
                    fs.delete(tmp);
                } catch (IOException | RuntimeException d) {
                    e.addSuppressed(d);
                }
                if (e instanceof RuntimeException r) throw r;
                throw StorageException.io("cannot write tombstones [block=" + meta.ulid() + "]", e);
            }
            tombstones = merged;
            return merged;
        }
    }

    /** Unmaps the block. Idempotent. No reader may be using the block (see the design notes). */
    @Override
    public void close() {
        synchronized (tombstoneLock) {
            if (closed) return;
            closed = true;
        }
        try {
            arena.close();
        } finally {
            OPEN_ARENAS.decrementAndGet();
        }
    }

    @Override
    public String toString() {
        return "Block{" + meta.ulid() + " [" + meta.minT() + ", " + meta.maxT() + ")}";
    }
}
