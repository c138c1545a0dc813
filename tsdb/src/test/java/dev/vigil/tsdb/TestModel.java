package dev.vigil.tsdb;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An in-memory oracle of what a storage should return: labels to (t, raw value bits). */
public final class TestModel {
    public final TreeMap<Labels, TreeMap<Long, Long>> series = new TreeMap<>();

    public void add(Labels l, long t, double v) {
        series.computeIfAbsent(l, k -> new TreeMap<>()).put(t, Double.doubleToRawLongBits(v));
    }

    public void delete(long minT, long maxT, Matcher... ms) {
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : series.entrySet()) {
            if (matches(e.getKey(), ms)) e.getValue().subMap(minT, true, maxT, true).clear();
        }
    }

    public static boolean matches(Labels l, Matcher... ms) {
        for (Matcher m : ms) {
            if (!m.matches(l.get(m.name()))) return false;
        }
        return true;
    }

    /** Expected select result as text, one line per series, for readable assertion diffs. */
    public List<String> expect(long minT, long maxT, Matcher... ms) {
        List<String> out = new ArrayList<>();
        for (Map.Entry<Labels, TreeMap<Long, Long>> e : series.entrySet()) {
            if (!matches(e.getKey(), ms)) continue;
            var sub = e.getValue().subMap(minT, true, maxT, true);
            if (sub.isEmpty()) continue;
            StringBuilder sb = new StringBuilder(e.getKey().toString()).append(' ');
            sub.forEach((t, bits) -> sb.append(t).append('=').append(Long.toHexString(bits)).append(' '));
            out.add(sb.toString());
        }
        return out;
    }

    /** The same rendering of what a storage returns. */
    public static List<String> actual(Storage db, long minT, long maxT, Matcher... ms) {
        List<String> out = new ArrayList<>();
        try (Querier q = db.querier()) {
            SeriesSet set = q.select(minT, maxT, SelectHints.DEFAULT, ms);
            SampleIterator it = null;
            while (set.next()) {
                StringBuilder sb = new StringBuilder(set.labels().toString()).append(' ');
                it = set.iterator(it);
                while (it.next() != SampleIterator.NONE) {
                    sb.append(it.atT()).append('=').append(Long.toHexString(Double.doubleToRawLongBits(it.atV()))).append(' ');
                }
                out.add(sb.toString());
            }
        }
        return out;
    }
}
