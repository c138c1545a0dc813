package dev.vigil.tsdb.block;

import static dev.vigil.tsdb.block.BlockAssertions.assertBlockHolds;
import static dev.vigil.tsdb.block.BlockAssertions.expected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.core.RandomnessSource;
import org.quicktheories.impl.Constraint;

/**
 * Write → open → read back identity over random series sets: unicode labels, 1..1000 samples with
 * irregular gaps, special float values compared by raw bits, and a block range that clips samples.
 */
class BlockProperties {
    @TempDir
    Path tmp;

    /** A generated case: the series (sorted, distinct labels) and the block range. */
    record Case(List<TestSeries> series, long minT, long maxT, long maxSegmentBytes) {
        @Override
        public String toString() {
            return "Case[series=" + series + ", minT=" + minT + ", maxT=" + maxT + ", maxSegmentBytes=" + maxSegmentBytes + "]";
        }
    }

    private static final String[] NAMES = {"__name__", "job", "instance", "le", "a", "zone", "ünïcödé", "名前", "\uD83D\uDE00emoji"};
    private static final String[] VALUES = {"up", "node", "x", "0.5", "+Inf", "α", "日本語", "\uD83C\uDF55", "a\"b\\c\nd", ""};
    private static final long[] SPECIAL_BITS = {
        StaleMarker.STALE_NAN_BITS,
        0x7ff8000000000000L,             // the canonical NaN
        0x7ff8_dead_beef_0001L,          // quiet NaN with a payload
        0x7ff0_0000_0000_0001L,          // signalling NaN
        0xfff8_0000_0000_1234L,          // negative NaN with a payload
        Double.doubleToRawLongBits(Double.POSITIVE_INFINITY),
        Double.doubleToRawLongBits(Double.NEGATIVE_INFINITY),
        Double.doubleToRawLongBits(-0.0),
        0L,
        Double.doubleToRawLongBits(Double.MIN_VALUE),
        Double.doubleToRawLongBits(Double.MAX_VALUE),
    };

    private static long draw(RandomnessSource in, long lo, long hi) {
        return in.next(Constraint.between(lo, hi));
    }

    private static String string(RandomnessSource in, String[] pool) {
        int pick = (int) draw(in, 0, pool.length + 2);
        if (pick < pool.length) return pool[pick];
        // a random string over mixed planes; code points avoid surrogates so the result is valid UTF-8
        int len = (int) draw(in, 1, 6);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i++) {
            int plane = (int) draw(in, 0, 3);
            int cp = switch (plane) {
                case 0 -> (int) draw(in, 0x20, 0x7e);
                case 1 -> (int) draw(in, 0x80, 0xd7ff);
                case 2 -> (int) draw(in, 0xe000, 0xfffd);
                default -> (int) draw(in, 0x10000, 0x10ffff);
            };
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static TestSeries series(RandomnessSource in, Labels labels) {
        int n = (int) draw(in, 1, 1000);
        long[] t = new long[n];
        long[] v = new long[n];
        long ts = draw(in, -1_000_000, 1_000_000);
        long prevBits = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                ts += switch ((int) draw(in, 0, 5)) {
                    case 0, 1 -> 15_000;                        // regular scrape interval
                    case 2 -> 15_000 + draw(in, -2_000, 2_000); // jitter
                    case 3 -> draw(in, 1, 100);                 // bursts
                    case 4 -> draw(in, 1, 100_000_000);         // gaps
                    default -> draw(in, 1, 1L << 40);           // huge gaps
                };
            }
            t[i] = ts;
            long bits = switch ((int) draw(in, 0, 5)) {
                case 0 -> SPECIAL_BITS[(int) draw(in, 0, SPECIAL_BITS.length - 1)];
                case 1 -> prevBits;                                                      // repeats
                case 2 -> Double.doubleToRawLongBits((double) draw(in, -1000, 1000));   // integers
                case 3 -> Double.doubleToRawLongBits(draw(in, 0, 1_000_000) / 1000.0);
                default -> in.next(Constraint.none());                                   // any bits
            };
            v[i] = bits;
            prevBits = bits;
        }
        return new TestSeries(labels, t, v);
    }

    static final Gen<Case> CASES = in -> {
        int numSeries = (int) draw(in, 1, 25);
        TreeMap<Labels, TestSeries> bySet = new TreeMap<>();
        for (int s = 0; s < numSeries; s++) {
            int numLabels = (int) draw(in, 0, 5);
            Labels.Builder b = Labels.builder();
            for (int i = 0; i < numLabels; i++) b.set(string(in, NAMES), string(in, VALUES));
            Labels l = b.build();
            bySet.put(l, series(in, l));
        }
        long lo = Long.MAX_VALUE, hi = Long.MIN_VALUE;
        for (TestSeries s : bySet.values()) {
            lo = Math.min(lo, s.t()[0]);
            hi = Math.max(hi, s.t()[s.size() - 1]);
        }
        // a range that covers everything or clips either end
        long minT = draw(in, 0, 1) == 0 ? lo : lo + draw(in, 0, Math.max(0, (hi - lo) / 2));
        long maxT = draw(in, 0, 1) == 0 ? hi + 1 : Math.max(minT + 1, hi - draw(in, 0, Math.max(0, (hi - lo) / 2)));
        long segBytes = draw(in, 0, 2) == 0 ? 4096 : ChunkSegments.MAX_SEGMENT_BYTES;
        return new Case(new ArrayList<>(bySet.values()), minT, maxT, segBytes);
    };

    @Test
    void written_blocks_read_back_exactly() {
        long arenasBefore = Block.openArenas();
        int[] run = {0};
        qt().withExamples(60).withShrinkCycles(40).forAll(CASES).checkAssert(c -> {
            Path parent = tmp.resolve("run" + run[0]++);
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            BlockMeta meta = BlockWriter.write(parent, Ulid.next(), c.minT(), c.maxT(), new TestSeries.Source(c.series()), 1, List.of(),
                    Tombstones.EMPTY, FileSystemFacade.DEFAULT, c.maxSegmentBytes());
            try (Block b = Block.open(parent.resolve(meta.ulid()), FileSystemFacade.DEFAULT)) {
                assertEquals(meta, b.meta());
                assertEquals(c.minT(), b.meta().minT());
                assertEquals(c.maxT(), b.meta().maxT());
                assertBlockHolds(b, expected(c.series(), c.minT(), c.maxT()));
            }
            assertEquals(arenasBefore, Block.openArenas(), "arena leak");
        });
    }
}
