package dev.vigil.tsdb.block;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import java.util.Arrays;
import java.util.List;

/** A series held in arrays, for feeding the writer and as a test oracle. Values are raw bits. */
record TestSeries(Labels labels, long[] t, long[] vBits) {
    static TestSeries of(Labels labels, long[] t, double[] v) {
        long[] bits = new long[v.length];
        for (int i = 0; i < v.length; i++) bits[i] = Double.doubleToRawLongBits(v[i]);
        return new TestSeries(labels, t, bits);
    }

    /** The samples with {@code minT <= t < maxT}. */
    TestSeries clip(long minT, long maxT) {
        int from = 0;
        while (from < t.length && t[from] < minT) from++;
        int to = from;
        while (to < t.length && t[to] < maxT) to++;
        return new TestSeries(labels, Arrays.copyOfRange(t, from, to), Arrays.copyOfRange(vBits, from, to));
    }

    int size() {
        return t.length;
    }

    @Override
    public String toString() {
        return labels + "(" + t.length + " samples)";
    }

    /** Feeds series in the given order (the writer checks the order). */
    static final class Source implements SeriesSource {
        private final List<TestSeries> series;
        private int i = -1;

        Source(List<TestSeries> series) {
            this.series = series;
        }

        @Override
        public boolean next() {
            return ++i < series.size();
        }

        @Override
        public Labels labels() {
            return series.get(i).labels();
        }

        @Override
        public SampleIterator samples() {
            return new ArrayIterator(series.get(i));
        }
    }

    static final class ArrayIterator implements SampleIterator {
        private final TestSeries s;
        private int pos = -1;

        ArrayIterator(TestSeries s) {
            this.s = s;
        }

        @Override
        public int next() {
            if (pos < s.size()) pos++;
            return pos < s.size() ? FLOAT : NONE;
        }

        @Override
        public int seek(long target) {
            if (pos < 0) pos = 0;
            while (pos < s.size() && s.t()[pos] < target) pos++;
            return pos < s.size() ? FLOAT : NONE;
        }

        @Override
        public long atT() {
            return s.t()[pos];
        }

        @Override
        public double atV() {
            return Double.longBitsToDouble(s.vBits()[pos]);
        }
    }
}
