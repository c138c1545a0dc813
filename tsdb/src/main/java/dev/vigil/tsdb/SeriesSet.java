package dev.vigil.tsdb;

import java.util.List;

/**
 * The result of a select: series in label order (when sorting was asked for), each with its
 * labels and a way to read its samples or chunks. Not thread-safe; valid while its querier is open.
 */
public interface SeriesSet {
    /** Advances to the next series; false when done. */
    boolean next();

    /** The current series' labels. */
    Labels labels();

    /**
     * An iterator over the current series' samples within the select's time range, with deleted
     * ranges (tombstones) removed. Pass a previously returned iterator to reuse it, or null.
     */
    SampleIterator iterator(SampleIterator reuse);

    /** The current series' stored chunks overlapping the time range, tombstones not applied. */
    ChunkIterator chunks();

    /** Warnings gathered while selecting (e.g. a block that could not be read). */
    List<String> warnings();

    SeriesSet EMPTY = new SeriesSet() {
        public boolean next() { return false; }
        public Labels labels() { throw new IllegalStateException("empty set"); }
        public SampleIterator iterator(SampleIterator reuse) { throw new IllegalStateException("empty set"); }
        public ChunkIterator chunks() { throw new IllegalStateException("empty set"); }
        public List<String> warnings() { return List.of(); }
    };
}
