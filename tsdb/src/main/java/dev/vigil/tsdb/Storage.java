package dev.vigil.tsdb;

import java.nio.file.Path;

/**
 * The storage seam: what ingest, query, rules and the server see of the TSDB. Open one with
 * {@link Tsdb#open}. Thread-safe: appenders and queriers may be used from many threads, each
 * appender and querier by one thread at a time.
 */
public interface Storage extends AutoCloseable {
    /** A new batch; see {@link Appender}. */
    Appender appender();

    /** A consistent read view; the caller closes it. */
    Querier querier();

    /** The oldest timestamp stored (block or head), or {@link Long#MAX_VALUE} when empty. */
    long minTime();

    /** The newest timestamp stored, or {@link Long#MIN_VALUE} when empty. */
    long maxTime();

    /**
     * Deletes the samples in {@code [minT, maxT]} of the series matching all matchers, by writing
     * tombstones; the space is reclaimed by {@link #cleanTombstones()} or the next compaction.
     */
    void deleteSeries(long minT, long maxT, Matcher... matchers);

    /** Rewrites the blocks that have tombstones without the deleted data. */
    void cleanTombstones();

    /**
     * Writes a consistent copy of the persisted blocks (and, when {@code withHead}, of the head's
     * data as a block) into {@code dir}, which must not exist; returns {@code dir}.
     */
    Path snapshot(Path dir, boolean withHead);

    /**
     * Registers {@code listener} for every later change of stored data (see {@link ChangeListener}); it stays
     * registered until the storage closes.
     *
     * @return false when this storage cannot report changes; then results over its past must not be cached
     */
    /**
     * Replaces the retention limits (a reload of {@code storage.tsdb.retention} in the config
     * file); the next maintenance run applies them. 0 means no limit of that kind. Storage
     * without retention ignores it.
     */
    default void setRetention(long retentionMs, long retentionBytes) {}

    /**
     * Sets {@code storage.tsdb.out_of_order_time_window}: samples older than their series' newest,
     * or than what the head still accepts, are stored when no older than the storage's newest sample
     * minus this; 0 rejects them. Storage without out-of-order support ignores it.
     */
    default void setOutOfOrderTimeWindow(long windowMs) {}

    default boolean addChangeListener(ChangeListener listener) {
        return false;
    }

    /** Counters and gauges for self-monitoring and the TSDB status page. */
    StorageStats stats();

    /** Flushes and closes; further calls fail with {@link StorageException}. */
    @Override
    void close();
}
