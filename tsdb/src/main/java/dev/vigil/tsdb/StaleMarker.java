package dev.vigil.tsdb;

/**
 * Prometheus's staleness marker: a NaN with a specific bit pattern. Compare by raw bits, never with
 * {@code ==} or {@link Double#isNaN}: other NaNs are ordinary values.
 */
public final class StaleMarker {
    public static final long STALE_NAN_BITS = 0x7ff0000000000002L;
    public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

    private StaleMarker() {}

    public static boolean isStale(double v) {
        return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
    }
}
