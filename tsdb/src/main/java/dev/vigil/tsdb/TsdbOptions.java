package dev.vigil.tsdb;

import dev.vigil.tsdb.fs.FileSystemFacade;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Storage settings. Defaults follow Prometheus: 2h blocks, 15d retention, no size limit.
 *
 * @param blockRangeMs the span of a block cut from the head (2h)
 * @param maxBlockRangeMs the largest span compaction merges blocks into (10% of retention, at most 31d)
 * @param retentionMs delete blocks whose newest sample is older than this before now (0: never)
 * @param retentionBytes keep everything under the data directory below this many bytes (0: no cap)
 * @param walSyncPolicy when the WAL is fsynced
 * @param walSyncIntervalMs the fsync period for {@link WalSyncPolicy#INTERVAL}
 * @param walSegmentBytes the size at which a WAL segment is closed and a new one started
 * @param samplesPerChunk samples after which a head chunk is sealed (120, as Prometheus)
 * @param headChunkFileBytes the size at which a head chunk file is closed and a new one started
 * @param backgroundIntervalMs how often compaction and retention are checked (0: only when asked)
 * @param clock the wall clock in epoch millis (injected by tests)
 * @param fs every file and mmap call goes through it (tests inject failures)
 */
public record TsdbOptions(
        long blockRangeMs,
        long maxBlockRangeMs,
        long retentionMs,
        long retentionBytes,
        WalSyncPolicy walSyncPolicy,
        long walSyncIntervalMs,
        long walSegmentBytes,
        int samplesPerChunk,
        long headChunkFileBytes,
        long backgroundIntervalMs,
        LongSupplier clock,
        FileSystemFacade fs) {

    public static final long DEFAULT_BLOCK_RANGE_MS = Duration.ofHours(2).toMillis();

    public static TsdbOptions defaults() {
        long retention = Duration.ofDays(15).toMillis();
        return new TsdbOptions(DEFAULT_BLOCK_RANGE_MS, maxBlockRangeFor(retention), retention, 0,
                WalSyncPolicy.INTERVAL, 1000, 128L << 20, 120, 128L << 20, 60_000,
                System::currentTimeMillis, FileSystemFacade.DEFAULT);
    }

    /** Prometheus: the largest compacted block spans 10% of retention, capped at 31 days. */
    public static long maxBlockRangeFor(long retentionMs) {
        long cap = Duration.ofDays(31).toMillis();
        if (retentionMs <= 0) return cap;
        return Math.max(DEFAULT_BLOCK_RANGE_MS, Math.min(cap, retentionMs / 10));
    }

    public TsdbOptions withRetention(long retentionMs, long retentionBytes) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeFor(retentionMs), retentionMs, retentionBytes, walSyncPolicy,
                walSyncIntervalMs, walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }

    public TsdbOptions withWalSync(WalSyncPolicy policy, long intervalMs) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeMs, retentionMs, retentionBytes, policy, intervalMs,
                walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }

    public TsdbOptions withBlockRange(long blockRangeMs, long maxBlockRangeMs) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeMs, retentionMs, retentionBytes, walSyncPolicy,
                walSyncIntervalMs, walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }

    public TsdbOptions withSegmentSizes(long walSegmentBytes, long headChunkFileBytes) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeMs, retentionMs, retentionBytes, walSyncPolicy,
                walSyncIntervalMs, walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }

    public TsdbOptions withBackground(long backgroundIntervalMs, LongSupplier clock) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeMs, retentionMs, retentionBytes, walSyncPolicy,
                walSyncIntervalMs, walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }

    public TsdbOptions withFs(FileSystemFacade fs) {
        return new TsdbOptions(blockRangeMs, maxBlockRangeMs, retentionMs, retentionBytes, walSyncPolicy,
                walSyncIntervalMs, walSegmentBytes, samplesPerChunk, headChunkFileBytes, backgroundIntervalMs, clock, fs);
    }
}
