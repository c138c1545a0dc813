package dev.vigil.tsdb.chunk;

/** Chunk encoding codes, as stored on disk and shipped by remote read. */
public final class Encoding {
    /** Prometheus's XOR (Gorilla) float chunk, byte-compatible with {@code chunkenc.EncXOR}. */
    public static final byte XOR = 1;

    private Encoding() {}
}
