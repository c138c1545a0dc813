package dev.vigil.tsdb.chunk;

/**
 * Chunk encoding codes, as stored on disk (one byte per chunk) and shipped by remote read. Codes
 * match Prometheus's {@code chunkenc.Encoding} where an encoding is shared; Vigil-only encodings
 * never leave Vigil in their own form.
 */
public final class Encoding {
    /** Prometheus's XOR (Gorilla) float chunk, byte-compatible with {@code chunkenc.EncXOR}. */
    public static final byte XOR = 1;

    private Encoding() {}
}
