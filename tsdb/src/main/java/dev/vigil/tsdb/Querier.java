package dev.vigil.tsdb;

import java.util.List;

/**
 * A consistent read view of the storage: the blocks and head state present when it was opened
 * stay readable until {@link #close()}. Time bounds are inclusive epoch milliseconds. Not
 * thread-safe; one per query.
 */
public interface Querier extends AutoCloseable {
    /**
     * Selects the series matching all {@code matchers} that have samples in {@code [minT, maxT]}.
     * At least one matcher should not match the empty string, or every series is scanned.
     */
    SeriesSet select(long minT, long maxT, SelectHints hints, Matcher... matchers);

    /** Sorted label names of the series that match (all series when no matcher) in the range. */
    List<String> labelNames(long minT, long maxT, Matcher... matchers);

    /** Sorted values of label {@code name} over the series that match, in the range. */
    List<String> labelValues(String name, long minT, long maxT, Matcher... matchers);

    /** Releases the view; does not throw. */
    @Override
    void close();
}
