package dev.vigil.query.promqltest;

import dev.vigil.tsdb.ChunkIterator;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A small in-memory implementation of the storage read seam: series in label order, samples in time order. Test
 * scripts load out of time order across {@code load} blocks, which a real head would reject; this store just merges.
 * Not thread-safe.
 */
public final class MemStore {
    private final TreeMap<Labels, TreeMap<Long, Double>> series = new TreeMap<>();

    public void add(Labels labels, long t, double v) {
        series.computeIfAbsent(labels, k -> new TreeMap<>()).put(t, v);
    }

    public void clear() {
        series.clear();
    }

    public java.util.Set<Labels> labelSets() {
        return series.keySet();
    }

    private static boolean matches(Labels l, Matcher... ms) {
        for (Matcher m : ms) if (!m.matches(l.get(m.name()))) return false;
        return true;
    }

    /** A querier over the current contents; valid until the next change. */
    public Querier querier() {
        return new Querier() {
            @Override
            public SeriesSet select(long minT, long maxT, SelectHints hints, Matcher... matchers) {
                List<Map.Entry<Labels, TreeMap<Long, Double>>> hits = new ArrayList<>();
                for (Map.Entry<Labels, TreeMap<Long, Double>> e : series.entrySet()) {
                    if (!matches(e.getKey(), matchers)) continue;
                    if (e.getValue().subMap(minT, true, maxT, true).isEmpty()) continue;
                    hits.add(e);
                }
                return new SeriesSet() {
                    int i = -1;

                    public boolean next() {
                        return ++i < hits.size();
                    }

                    public Labels labels() {
                        return hits.get(i).getKey();
                    }

                    public SampleIterator iterator(SampleIterator reuse) {
                        var sub = hits.get(i).getValue().subMap(minT, true, maxT, true);
                        long[] ts = new long[sub.size()];
                        double[] vs = new double[sub.size()];
                        int k = 0;
                        for (Map.Entry<Long, Double> s : sub.entrySet()) {
                            ts[k] = s.getKey();
                            vs[k++] = s.getValue();
                        }
                        return new ArrayIterator(ts, vs);
                    }

                    public ChunkIterator chunks() {
                        throw new UnsupportedOperationException("no chunks in the in-memory store");
                    }

                    public List<String> warnings() {
                        return List.of();
                    }
                };
            }

            @Override
            public List<String> labelNames(long minT, long maxT, Matcher... matchers) {
                TreeSet<String> out = new TreeSet<>();
                for (Labels l : series.keySet()) {
                    if (!matches(l, matchers)) continue;
                    for (int i = 0; i < l.size(); i++) out.add(l.name(i));
                }
                return List.copyOf(out);
            }

            @Override
            public List<String> labelValues(String name, long minT, long maxT, Matcher... matchers) {
                TreeSet<String> out = new TreeSet<>();
                for (Labels l : series.keySet()) if (matches(l, matchers) && l.has(name)) out.add(l.get(name));
                return List.copyOf(out);
            }

            @Override
            public void close() {
            }
        };
    }

    private static final class ArrayIterator implements SampleIterator {
        private final long[] ts;
        private final double[] vs;
        private int i = -1;

        ArrayIterator(long[] ts, double[] vs) {
            this.ts = ts;
            this.vs = vs;
        }

        public int next() {
            return ++i < ts.length ? FLOAT : NONE;
        }

        public int seek(long t) {
            if (i < 0) i = 0;
            while (i < ts.length && ts[i] < t) i++;
            return i < ts.length ? FLOAT : NONE;
        }

        public long atT() {
            return ts[i];
        }

        public double atV() {
            return vs[i];
        }
    }
}
