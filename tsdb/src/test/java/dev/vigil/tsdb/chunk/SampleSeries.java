package dev.vigil.tsdb.chunk;

import java.util.Arrays;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/** Test data: one series' samples as parallel arrays, with QuickTheories generators. */
record SampleSeries(long[] ts, long[] vBits) {
    static final long STALE = 0x7ff0000000000002L;

    int size() {
        return ts.length;
    }

    double[] values() {
        double[] vs = new double[vBits.length];
        for (int i = 0; i < vs.length; i++) vs[i] = Double.longBitsToDouble(vBits[i]);
        return vs;
    }

    SampleSeries prefix(int n) {
        return new SampleSeries(Arrays.copyOf(ts, n), Arrays.copyOf(vBits, n));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("n=" + ts.length + " [");
        for (int i = 0; i < Math.min(ts.length, 40); i++) {
            sb.append(ts[i]).append('=').append(Long.toHexString(vBits[i])).append(' ');
        }
        return sb.append(ts.length > 40 ? "...]" : "]").toString();
    }

    /**
     * Strictly increasing timestamps (regular, jittered, arbitrary or huge gaps; negative starts
     * allowed) with values of one style (random bits, random walk, constant, integers, decimals)
     * sprinkled with specials (NaN with random payloads, ±Inf, -0.0, the stale marker).
     */
    static Gen<SampleSeries> any(int maxSamples) {
        return in -> {
            int n = (int) in.next(Constraint.between(0, maxSamples));
            long[] ts = new long[n];
            long[] vb = new long[n];
            long t = switch ((int) in.next(Constraint.between(0, 3))) {
                case 0 -> 0;
                case 1 -> 1_700_000_000_000L + in.next(Constraint.between(0, 1_000_000));
                case 2 -> -in.next(Constraint.between(1, 1L << 40));
                default -> in.next(Constraint.between(-(1L << 62), 1L << 61));
            };
            int gapStyle = (int) in.next(Constraint.between(0, 4));
            int valueStyle = (int) in.next(Constraint.between(0, 6));
            int specialPercent = (int) in.next(Constraint.between(0, 2)) * 5;
            double walk = 0;
            double constant = Double.longBitsToDouble(randomBits(in));
            for (int i = 0; i < n; i++) {
                if (i > 0) t += gap(in, gapStyle);
                ts[i] = t;
                long bits = switch (valueStyle) {
                    case 0 -> randomBits(in);
                    case 1 -> Double.doubleToRawLongBits(walk += (in.next(Constraint.between(-1000, 1000)) / 7.0));
                    case 2 -> Double.doubleToRawLongBits(constant);
                    case 3 -> Double.doubleToRawLongBits(in.next(Constraint.between(-(1L << 53), 1L << 53)));
                    case 4 -> Double.doubleToRawLongBits(in.next(Constraint.between(-100_000, 100_000)) / 100.0);
                    case 5 -> Double.doubleToRawLongBits(walk += in.next(Constraint.between(-50, 50)) / 10.0);
                    default -> Double.doubleToRawLongBits(walk += in.next(Constraint.between(0, 500)));
                };
                if (specialPercent > 0 && in.next(Constraint.between(1, 100)) <= specialPercent) bits = special(in);
                vb[i] = bits;
            }
            return new SampleSeries(ts, vb);
        };
    }

    private static long gap(RandomnessSource in, int style) {
        return switch (style) {
            case 0 -> 15_000;
            case 1 -> 15_000 + in.next(Constraint.between(-100, 100));
            case 2 -> in.next(Constraint.between(1, 1_000_000));
            case 3 -> in.next(Constraint.between(1, 1L << 52));
            default -> in.next(Constraint.between(0, 3)) == 0 ? in.next(Constraint.between(1, 1L << 45)) : 15_000;
        };
    }

    static long randomBits(RandomnessSource in) {
        return in.next(Constraint.between(Long.MIN_VALUE, Long.MAX_VALUE));
    }

    private static long special(RandomnessSource in) {
        return switch ((int) in.next(Constraint.between(0, 5))) {
            case 0 -> STALE;
            case 1 -> 0x7ff0000000000000L | in.next(Constraint.between(1, (1L << 52) - 1))
                | (in.next(Constraint.between(0, 1)) << 63); // NaN, random payload and sign
            case 2 -> Double.doubleToRawLongBits(Double.POSITIVE_INFINITY);
            case 3 -> Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY);
            case 4 -> 0x8000000000000000L; // -0.0
            default -> Double.doubleToRawLongBits(Double.NaN);
        };
    }
}
