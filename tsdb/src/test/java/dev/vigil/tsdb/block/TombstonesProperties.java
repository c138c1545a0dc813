package dev.vigil.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.impl.Constraint;

/** Tombstones against a brute-force oracle: a list of raw (ordinal, minT, maxT) intervals. */
class TombstonesProperties {
    record Interval(int ordinal, long minT, long maxT) {}

    static final Gen<List<Interval>> INTERVALS = in -> {
        int n = (int) in.next(Constraint.between(0, 40));
        List<Interval> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int ordinal = (int) in.next(Constraint.between(0, 5));
            long lo = in.next(Constraint.between(-50, 50));
            long hi = lo + in.next(Constraint.between(0, 20));
            out.add(new Interval(ordinal, lo, hi));
        }
        return out;
    };

    private static Tombstones build(List<Interval> intervals) {
        Tombstones.Builder b = Tombstones.builder();
        for (Interval i : intervals) b.add(i.ordinal(), i.minT(), i.maxT());
        return b.build();
    }

    @Test
    void isDeleted_matchesTheOracle_andMergedIntervalsAreDisjointAndSorted() {
        qt().forAll(INTERVALS).checkAssert(intervals -> {
            Tombstones t = build(intervals);
            for (int ord = 0; ord <= 6; ord++) {
                for (long ts = -60; ts <= 80; ts++) {
                    boolean want = false;
                    for (Interval i : intervals) want |= i.ordinal() == ord && i.minT() <= ts && ts <= i.maxT();
                    assertEquals(want, t.isDeleted(ord, ts), "ordinal " + ord + " t " + ts);
                }
                for (int i = t.intervalStart(ord) + 1; i < t.intervalEnd(ord); i++) {
                    assertEquals(true, t.intervalMinT(i) > t.intervalMaxT(i - 1) + 1, "intervals not merged");
                }
            }
        });
    }

    @Test
    void encode_decode_identity_and_merge_isUnion() {
        qt().forAll(INTERVALS, INTERVALS).checkAssert((a, b) -> {
            Tombstones ta = build(a);
            assertEquals(ta, Tombstones.decode(ta.encode(), Path.of("tombstones")));
            List<Interval> both = new ArrayList<>(a);
            both.addAll(b);
            assertEquals(build(both), ta.merge(build(b)));
        });
    }
}
