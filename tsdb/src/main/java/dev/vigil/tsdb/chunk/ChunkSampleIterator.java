package dev.vigil.tsdb.chunk;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;

/**
 * A {@link SampleIterator} over the samples of one encoded chunk, re-targetable with {@code reset}
 * so one instance serves many chunks without allocating. {@link Chunks#iterator} picks the
 * implementation for an encoding code.
 *
 * <p>Damaged bytes never throw: decoding stops, {@link #next()} returns {@link #NONE} and
 * {@link #corrupt()} turns true. The caller decides whether that is a {@code CorruptionException}
 * (it knows the file and offset). Not thread-safe.
 */
public interface ChunkSampleIterator extends SampleIterator {
    /**
     * Decodes the chunk in {@code chunk} from its position to its limit (header included). The
     * buffer's position and limit are not changed; its bytes must stay unchanged and readable
     * until the next {@code reset} or until iteration ends.
     */
    ChunkSampleIterator reset(ByteBuffer chunk);

    /** Decodes the {@code len} chunk bytes at {@code off} (header included); same lifetime rule. */
    ChunkSampleIterator reset(byte[] src, int off, int len);

    /** The encoding code this iterator decodes (see {@link Encoding}). */
    byte encoding();

    /** The current value's raw bits: NaN payloads and the stale marker are preserved exactly. */
    long atVBits();

    /** True once decoding hit damaged or truncated bytes; iteration has then stopped. */
    boolean corrupt();
}
