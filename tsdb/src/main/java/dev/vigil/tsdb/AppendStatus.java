package dev.vigil.tsdb;

/** Negative codes returned by {@link Appender#append} for a rejected sample, and their reasons. */
public final class AppendStatus {
    /** Older than the newest sample of the series. */
    public static final long OUT_OF_ORDER = -1;
    /** Same timestamp as the newest sample of the series, with a different value. */
    public static final long DUPLICATE = -2;
    /** Older than what the head still accepts (already persisted in a block, or past retention). */
    public static final long OUT_OF_BOUNDS = -3;
    /** The label set is empty or invalid. */
    public static final long INVALID_LABELS = -4;
    /**
     * Out of order, with an out-of-order time window set, and older than the window allows
     * (Prometheus's "too old sample").
     */
    public static final long TOO_OLD = -5;
    /** The number of reasons, for counters indexed by {@code -code - 1}. */
    public static final int REASONS = 5;

    private AppendStatus() {}

    public static boolean isRejected(long result) {
        return result < 0;
    }

    /** A metric-friendly reason, e.g. {@code out_of_order}. */
    public static String reason(long code) {
        return switch ((int) code) {
            case -1 -> "out_of_order";
            case -2 -> "duplicate";
            case -3 -> "out_of_bounds";
            case -4 -> "invalid_labels";
            case -5 -> "too_old";
            default -> throw new IllegalArgumentException("not a rejection code: " + code);
        };
    }
}
