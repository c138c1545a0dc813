package dev.vigil.tsdb.db;

/** Deleted time ranges per series ordinal of one source (block tombstones or head deletions). */
interface Deletions {
    Deletions NONE = ordinal -> null;

    /** Inclusive [min, max] pairs, sorted, or null when nothing of the series is deleted. */
    long[] intervals(int ordinal);
}
