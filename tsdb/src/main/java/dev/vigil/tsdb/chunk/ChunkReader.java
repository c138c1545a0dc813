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

    /** The encoding code of the chunk at {@code ref} (see {@link Encoding}). */
    default int encoding(long ref) {
        return Encoding.XOR;
    }
}
