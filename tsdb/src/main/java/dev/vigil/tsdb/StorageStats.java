package dev.vigil.tsdb;

import java.util.List;

/**
 * A point-in-time view of the storage's counters (monotonic since open) and gauges.
 *
 * @param headSeries series in the head
 * @param headChunks chunks in the head now (open and memory-mapped)
 * @param headChunksCreated chunks created in the head since open
 * @param headMinT oldest sample time in the head, or Long.MAX_VALUE
 * @param headMaxT newest sample time in the head, or Long.MIN_VALUE
 * @param samplesAppended samples committed since open
 * @param seriesCreated series created in the head since open
 * @param seriesRemoved series garbage-collected from the head since open
 * @param rejectedByReason rejected samples, indexed by {@code -AppendStatus code - 1}
 * @param walCorruptions WAL records dropped because they failed their check, since open
 * @param walTruncations WAL truncations done
 * @param compactions blocks written by compaction (head or merge)
 * @param compactionsFailed failed compactions
 * @param blocks the persisted blocks, oldest first
 * @param quarantined directories or files moved to quarantine since open
 * @param retentionDeletedBlocks blocks deleted by retention since open
 * @param storageBytes bytes under the data directory (WAL, head chunks, blocks)
 * @param appendFailures commits failed (I/O, full disk)
 * @param outOfOrderSamplesAppended out-of-order samples accepted since open (within the window)
 * @param outOfOrderSamplesInHead out-of-order samples in the head, not yet in a block
 */
public record StorageStats(
        long headSeries,
        long headChunks,
        long headChunksCreated,
        long headMinT,
        long headMaxT,
        long samplesAppended,
        long seriesCreated,
        long seriesRemoved,
        long[] rejectedByReason,
        long walCorruptions,
        long walTruncations,
        long compactions,
        long compactionsFailed,
        List<BlockInfo> blocks,
        long quarantined,
        long retentionDeletedBlocks,
        long storageBytes,
        long appendFailures,
        long outOfOrderSamplesAppended,
        long outOfOrderSamplesInHead) {

    /** One persisted block. Times are inclusive-exclusive {@code [minT, maxT)}, as in meta.json. */
    public record BlockInfo(String ulid, long minT, long maxT, long numSeries, long numSamples, long numChunks,
                            int level, long bytes) {}
}
