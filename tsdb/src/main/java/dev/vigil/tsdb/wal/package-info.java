/**
 * The write-ahead log: what the head has acknowledged but not yet persisted in a block.
 *
 * <p>{@link dev.vigil.tsdb.wal.Wal} appends framed batches to numbered segment files and replays
 * them at start, repairing torn tails and quarantining damage instead of failing.
 * {@link dev.vigil.tsdb.wal.WalRecords} frames and decodes the record types (series, samples,
 * tombstones) through caller-owned, reusable buffers ({@link dev.vigil.tsdb.wal.RecordBuffer},
 * {@link dev.vigil.tsdb.wal.SampleBatch}). The byte layout is specified in
 * {@code tsdb/docs/format/wal.md}.
 *
 * <p>Internal to the tsdb module: other modules use the {@code dev.vigil.tsdb} seam only.
 */
package dev.vigil.tsdb.wal;
