package dev.vigil.tsdb.block;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;

/**
 * The series a {@link BlockWriter} persists: a forward-only cursor, like a {@code SeriesSet}
 * without warnings. Implemented by the head (cutting a block) and by compaction (merging blocks).
 *
 * <p>Series must come in strictly ascending {@link Labels#compareTo} order and each series'
 * samples in strictly ascending timestamp order; the writer checks both and fails with
 * {@link IllegalArgumentException} otherwise. Not thread-safe; used by one writer thread.
 */
public interface SeriesSource {
    /** Advances to the next series; false when exhausted. Must be called before the first series. */
    boolean next();

    /** The current series' labels; valid until the next {@link #next()}. */
    Labels labels();

    /**
     * The current series' samples, positioned before the first. Called at most once per series;
     * the iterator may be reused by the source after the next {@link #next()}.
     */
    SampleIterator samples();
}
