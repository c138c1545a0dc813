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
     * Re-encodes a chunk of any encoding as Prometheus XOR chunks of at most {@code maxSamples}
     * samples each, in time order: what a reader that must ship Prometheus chunks (remote read's
     * STREAMED_XOR_CHUNKS) does with a block's dense chunks. Raw value bits are preserved.
     *
     * @throws IllegalArgumentException for an unknown encoding or {@code maxSamples} outside 1..65535
     */
    public static java.util.List<XorChunk> toXor(int encoding, ByteBuffer chunk, int maxSamples) {
        if (maxSamples < 1 || maxSamples > XorChunk.MAX_SAMPLES) {
            throw new IllegalArgumentException("maxSamples out of range [maxSamples=" + maxSamples + "]");
        }
        java.util.List<XorChunk> out = new java.util.ArrayList<>();
        ChunkSampleIterator it = iterator(encoding, chunk, null);
        XorChunk current = null;
        while (it.next() != SampleIterator.NONE) {
            if (current == null || current.numSamples() >= maxSamples) {
                current = new XorChunk();
                out.add(current);
            }
            current.append(it.atT(), Double.longBitsToDouble(it.atVBits()));
        }
        return out;
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
