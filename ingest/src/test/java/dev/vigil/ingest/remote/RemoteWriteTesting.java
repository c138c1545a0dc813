package dev.vigil.ingest.remote;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.xerial.snappy.Snappy;

/** Reading back what a storage holds, and snappy, for the remote-write tests. */
final class RemoteWriteTesting {
    private RemoteWriteTesting() {}

    record Point(long t, long bits) {
        static Point of(long t, double v) {
            return new Point(t, Double.doubleToRawLongBits(v));
        }
    }

    /** Every series with all its samples (raw value bits, so NaN payloads compare exactly). */
    static Map<Labels, List<Point>> dump(Storage storage) {
        Map<Labels, List<Point>> out = new TreeMap<>();
        try (Querier q = storage.querier()) {
            SeriesSet set = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT, Matcher.regex("__name__", ".+"));
            SampleIterator it = null;
            while (set.next()) {
                it = set.iterator(it);
                List<Point> points = new ArrayList<>();
                while (it.next() != SampleIterator.NONE) points.add(new Point(it.atT(), Double.doubleToRawLongBits(it.atV())));
                out.put(set.labels(), points);
            }
        }
        return out;
    }

    static byte[] snappy(byte[] raw) {
        try {
            return Snappy.compress(raw);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
