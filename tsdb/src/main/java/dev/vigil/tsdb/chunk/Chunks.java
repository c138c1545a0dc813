package dev.vigil.tsdb.chunk;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;

/** Picks the decoder for a chunk encoding. */
public final class Chunks {
    private Chunks() {}

    /** An iterator over {@code bytes} (position to limit), reusing {@code reuse} when it fits. */
    public static SampleIterator iterator(int encoding, ByteBuffer bytes, SampleIterator reuse) {
        if (encoding != Encoding.XOR) throw new IllegalArgumentException("unknown chunk encoding " + encoding);
        XorIterator it = reuse instanceof XorIterator x ? x : new XorIterator();
        return it.reset(bytes);
    }
}
