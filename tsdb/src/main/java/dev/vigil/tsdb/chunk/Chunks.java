package dev.vigil.tsdb.chunk;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;

/** Static helpers over encoded chunks of any {@link Encoding}. Stateless and thread-safe. */
public final class Chunks {
    private Chunks() {}

    /**
     * An iterator positioned before the first sample of the chunk in {@code chunk} (position to
     * limit, header included). {@code reuse} is re-targeted and returned when it decodes
     * {@code encoding}; otherwise a new iterator is made. The buffer must stay readable and
     * unchanged while the iterator is used.
     *
     * @param reuse a previous iterator to recycle, or null
     * @throws IllegalArgumentException for an unknown encoding code
     */
    public static ChunkSampleIterator iterator(int encoding, ByteBuffer chunk, SampleIterator reuse) {
        ChunkSampleIterator it;
        if (reuse instanceof ChunkSampleIterator c && c.encoding() == encoding) {
            it = c;
        } else {
            it = switch (encoding) {
                case Encoding.XOR -> new XorIterator();
                case Encoding.DENSE -> new DenseIterator();
                default -> throw new IllegalArgumentException("unknown chunk encoding [encoding=" + encoding + "]");
            };
        }
        return it.reset(chunk);
    }

    /**
     * The sample count from a chunk's 2-byte big-endian header, which every encoding starts with;
     * the buffer's position is not moved.
     *
     * @throws IndexOutOfBoundsException when fewer than 2 bytes remain
     */
    public static int numSamples(ByteBuffer chunk) {
        int p = chunk.position();
        if (chunk.remaining() < 2) throw new IndexOutOfBoundsException("chunk shorter than its header");
        return ((chunk.get(p) & 0xFF) << 8) | (chunk.get(p + 1) & 0xFF);
    }
}
