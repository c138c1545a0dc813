package dev.vigil.tsdb;

/**
 * Iterates the samples of one series in timestamp order, as primitives. {@link #next()} and
 * {@link #seek(long)} return a value-type code: {@link #NONE} when exhausted, {@link #FLOAT} for
 * a float sample. Not thread-safe; a fresh iterator is positioned before the first sample.
 */
public interface SampleIterator {
    int NONE = 0;
    int FLOAT = 1;

    /** Advances to the next sample. */
    int next();

    /**
     * Advances to the first sample with timestamp &gt;= {@code t}; never moves backwards: if the
     * current sample already satisfies it, stays.
     */
    int seek(long t);

    /** The current sample's timestamp, epoch milliseconds. */
    long atT();

    /** The current sample's value. */
    double atV();

    SampleIterator EMPTY = new SampleIterator() {
        public int next() { return NONE; }
        public int seek(long t) { return NONE; }
        public long atT() { throw new IllegalStateException("empty iterator"); }
        public double atV() { throw new IllegalStateException("empty iterator"); }
    };
}
