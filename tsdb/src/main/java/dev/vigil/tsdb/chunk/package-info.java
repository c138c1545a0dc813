/**
 * Chunk encodings: compressed runs of one series' samples, identified by an {@link
 * dev.vigil.tsdb.chunk.Encoding} byte code.
 *
 * <ul>
 *   <li>{@link dev.vigil.tsdb.chunk.XorChunk} / {@link dev.vigil.tsdb.chunk.XorIterator}:
 *       Prometheus's XOR chunk, bit-for-bit. The head appends to it, and remote read ships it as
 *       is, so it must stay byte-compatible with Prometheus's {@code tsdb/chunkenc/xor.go}.
 *   <li>{@link dev.vigil.tsdb.chunk.DenseChunk} / {@link dev.vigil.tsdb.chunk.DenseIterator}:
 *       Vigil's denser encoding for persisted blocks (decimal scaling, delta-of-delta,
 *       frame-of-reference bit packing), written once per chunk at compaction; about 1 byte per
 *       sample on typical series against roughly 3 for XOR.
 *   <li>{@link dev.vigil.tsdb.chunk.ChunkSampleIterator} is the decoder shape shared by all
 *       encodings; {@link dev.vigil.tsdb.chunk.Chunks#iterator} picks one by code.
 * </ul>
 *
 * <p>Byte layouts are specified in {@code tsdb/docs/format/chunks.md}. Encoders write into a
 * buffer they own or the caller provides; decoders do not allocate per sample and never throw on
 * damaged bytes (they stop and report {@code corrupt()}). Nothing here is thread-safe unless
 * stated; the owner (a head series or a block reader) provides the locking.
 *
 * <p>This package is internal to the TSDB: other modules use the seam types in
 * {@code dev.vigil.tsdb}.
 */
package dev.vigil.tsdb.chunk;
