package dev.vigil.tsdb;

/**
 * Told when stored data changes in a way a reader that cached results could not see coming: a sample committed (any
 * time range, so the listener decides what counts as "late"), samples deleted, or blocks dropped by retention. The
 * query module's range-result cache uses it to forget results over the changed range.
 *
 * <p>Called on the thread that made the change, after the change is visible to queriers opened from then on, so a
 * cache that reads its own generation before opening a querier never keeps a result that misses the change. Must be
 * quick (it runs once per committed appender batch, on the ingestion path) and must not throw.
 */
@FunctionalInterface
public interface ChangeListener {
    /** Data in {@code [minT, maxT]} (inclusive epoch millis) may have changed. */
    void dataChanged(long minT, long maxT);
}
