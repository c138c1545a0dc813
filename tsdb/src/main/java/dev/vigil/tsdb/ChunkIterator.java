package dev.vigil.tsdb;

import java.nio.ByteBuffer;

/**
 * Iterates the stored chunks of one series in time order, for readers that ship chunks as they
 * are (remote read's STREAMED_XOR_CHUNKS). Chunks never overlap: where a series' sources do (late
 * samples, blocks not merged yet), their samples come merged, re-encoded as XOR. Not thread-safe.
 */
public interface ChunkIterator {
    /** Advances to the next chunk; false when done. */
    boolean next();

    /** The first sample's timestamp of the current chunk, epoch millis, inclusive. */
    long minT();

    /** The last sample's timestamp of the current chunk, epoch millis, inclusive. */
    long maxT();

    /**
     * The encoding code (see {@code dev.vigil.tsdb.chunk.Encoding}): 1 is Prometheus XOR (head
     * chunks); blocks hold Vigil's DENSE chunks, which a reader shipping Prometheus chunks turns
     * into XOR with {@code dev.vigil.tsdb.chunk.Chunks#toXor}.
     */
    int encoding();

    /**
     * The chunk's bytes (its 2-byte sample count header included, as in Prometheus's XOR format),
     * from position to limit. Read-only; valid until the next call of {@link #next()}.
     */
    ByteBuffer bytes();
}
