package dev.vigil.tsdb.chunk;

import java.nio.ByteBuffer;

/** Reads chunk bytes by reference. Thread-safe. */
public interface ChunkReader {
    /**
     * The chunk's bytes, position to limit, starting with its 2-byte sample count header. The
     * buffer is a read-only view valid while the reader (its block or querier) is open, or a private
     * copy (a head's open chunk) that the caller may keep.
     *
     * @throws dev.vigil.tsdb.CorruptionException when the chunk fails its CRC
     */
    ByteBuffer chunk(long ref);

    /**
     * An iterator positioned before the first sample of the chunk at {@code ref}, recycling {@code reuse} when it
     * decodes that encoding: by default {@link Chunks#iterator} over {@link #chunk}. A reader may instead copy the
     * bytes into storage the iterator owns (a head's open chunk), so reading allocates nothing per chunk.
     *
     * @throws dev.vigil.tsdb.CorruptionException when the chunk fails its CRC
     */
    default ChunkSampleIterator iterator(long ref, dev.vigil.tsdb.SampleIterator reuse) {
        return Chunks.iterator(encoding(ref), chunk(ref), reuse);
    }

    /** The encoding code of the chunk at {@code ref} (see {@link Encoding}). */
    default int encoding(long ref) {
        return Encoding.XOR;
    }
}
