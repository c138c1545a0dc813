/**
 * Immutable, persisted blocks: a directory {@code <ULID>/} holding {@code meta.json}, an
 * {@code index}, chunk segment files {@code chunks/000001...} and {@code tombstones}.
 *
 * <p>{@link dev.vigil.tsdb.block.BlockWriter} writes a block from a sorted
 * {@link dev.vigil.tsdb.block.SeriesSource} (the head or a compaction merge) into a temporary
 * directory and renames it into place, so a block directory with a ULID name is always complete.
 * {@link dev.vigil.tsdb.block.Block} maps a block's files read-only with the FFM API and exposes the
 * same reader shape as the head: an {@link dev.vigil.tsdb.index.IndexReader} and a
 * {@link dev.vigil.tsdb.chunk.ChunkReader}.
 *
 * <p>Byte layouts: {@code tsdb/docs/format/block.md} (directory, {@code meta.json}, tombstones),
 * {@code tsdb/docs/format/index.md} (index) and the "Block chunk segments" section of
 * {@code tsdb/docs/format/chunks.md}. Nothing outside {@code dev.vigil.tsdb} should import this
 * package.
 */
package dev.vigil.tsdb.block;
