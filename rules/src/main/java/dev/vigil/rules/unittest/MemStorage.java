package dev.vigil.rules.unittest;

import dev.vigil.query.promqltest.MemStore;
import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small in-memory {@link Storage} for rule unit tests and module tests: the query module's {@link MemStore} for
 * reads, plus an appender with the head's ordering rules (a sample older than the series' newest is out of order; the
 * same timestamp with another value is a duplicate). Single-threaded use only, like the rule unit-test runner.
 */
public final class MemStorage implements Storage {
    private final MemStore store = new MemStore();
    private final Map<Labels, long[]> newest = new HashMap<>(); // labels -> {t, raw value bits}

    /** Adds a sample directly, bypassing ordering checks (test input series may be loaded in any order). */
    public void load(Labels labels, long t, double v) {
        store.add(labels, t, v);
        long[] n = newest.get(labels);
        if (n == null || t >= n[0]) newest.put(labels, new long[] {t, Double.doubleToRawLongBits(v)});
    }

    public MemStore store() {
        return store;
    }

    @Override
    public Appender appender() {
        return new Appender() {
            private final List<Object[]> pending = new ArrayList<>();

            @Override
            public long append(long ref, Labels labels, long t, double v) {
                if (labels == null || labels.isEmpty()) return AppendStatus.INVALID_LABELS;
                long[] n = newest.get(labels);
                if (n != null) {
                    if (t < n[0]) return AppendStatus.OUT_OF_ORDER;
                    if (t == n[0] && n[1] != Double.doubleToRawLongBits(v)) return AppendStatus.DUPLICATE;
                }
                pending.add(new Object[] {labels, t, v});
                return 1;
            }

            @Override
            public int commit() {
                for (Object[] p : pending) load((Labels) p[0], (Long) p[1], (Double) p[2]);
                int n = pending.size();
                pending.clear();
                return n;
            }

            @Override
            public void rollback() {
                pending.clear();
            }
        };
    }

    @Override
    public Querier querier() {
        return store.querier();
    }

    @Override
    public long minTime() {
        return Long.MIN_VALUE;
    }

    @Override
    public long maxTime() {
        return Long.MAX_VALUE;
    }

    @Override
    public void deleteSeries(long minT, long maxT, Matcher... matchers) {
        throw new UnsupportedOperationException("not supported by the in-memory storage");
    }

    @Override
    public void cleanTombstones() {
    }

    @Override
    public Path snapshot(Path dir, boolean withHead) {
        throw new UnsupportedOperationException("not supported by the in-memory storage");
    }

    @Override
    public StorageStats stats() {
        throw new UnsupportedOperationException("not supported by the in-memory storage");
    }

    @Override
    public void close() {
    }
}
