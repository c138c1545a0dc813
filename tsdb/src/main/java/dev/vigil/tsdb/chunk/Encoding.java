package dev.vigil.tsdb.chunk;

/**
 * Chunk encoding codes, as stored on disk (one byte per chunk) and shipped by remote read. Codes
 * match Prometheus's {@code chunkenc.Encoding} where an encoding is shared; Vigil-only encodings
 * never leave Vigil in their own form.
 */
public final class Encoding {
    /** Prometheus's XOR (Gorilla) float chunk, byte-compatible with {@code chunkenc.EncXOR}. */
    public static final byte XOR = 1;

    /**
     * Vigil's dense float encoding for persisted blocks ({@link DenseChunk}, {@link
     * DenseIterator}): written once at compaction, never appended to. Not understood by
     * Prometheus: remote read re-encodes these chunks as {@link #XOR}. Note that Prometheus uses
     * code 2 for its integer histogram chunks; if Vigil ever stores those in Prometheus's form
     * they need another code here.
     */
    public static final byte DENSE = 0x40;

    /**
     * An XOR chunk of out-of-order samples in the head chunk files (Prometheus's {@code
     * chunkenc.EncOOOXOR}: XOR with the top bit set). The data is plain {@link #XOR}; the code only
     * tells a restart that the chunk is not part of the series' in-order chunks. Never in blocks.
     */
    public static final byte OOO_XOR = (byte) 0x81;

    private Encoding() {}
}
