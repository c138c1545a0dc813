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
 * same timestamp with another value is a duplicate). Thread-safe: a querier holds a read lock until closed, a commit
 * takes the write lock, so concurrent rule evaluation can use it (close queriers before committing on one thread).
 */
public final class MemStorage implements Storage {
    private final MemStore store = new MemStore();
    private final Map<Labels, long[]> newest = new HashMap<>(); // labels -> {t, raw value bits}; guarded by lock
    private final java.util.concurrent.locks.ReentrantReadWriteLock lock =
            new java.util.concurrent.locks.ReentrantReadWriteLock();

    /** Adds a sample directly, bypassing ordering checks (test input series may be loaded in any order). */
    public void load(Labels labels, long t, double v) {
        lock.writeLock().lock();
        try {
            store.add(labels, t, v);
            long[] n = newest.get(labels);
            if (n == null || t >= n[0]) newest.put(labels, new long[] {t, Double.doubleToRawLongBits(v)});
        } finally {
            lock.writeLock().unlock();
        }
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
                long[] n;
                lock.readLock().lock();
                try {
                    n = newest.get(labels);
                } finally {
                    lock.readLock().unlock();
                }
                if (n != null) {
                    if (t < n[0]) return AppendStatus.OUT_OF_ORDER;
                    if (t == n[0] && n[1] != Double.doubleToRawLongBits(v)) return AppendStatus.DUPLICATE;
                }
                pending.add(new Object[] {labels, t, v});
                return 1;
            }

            @Override
            public int commit() {
                // the ordering check above ran without the write lock; rules write disjoint series, so only the
                // single-writer-per-series case matters here
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
        lock.readLock().lock();
        Querier q = store.querier();
        return new Querier() {
            private boolean closed;

            @Override
            public dev.vigil.tsdb.SeriesSet select(long minT, long maxT, dev.vigil.tsdb.SelectHints hints,
                    Matcher... matchers) {
                return q.select(minT, maxT, hints, matchers);
            }

            @Override
            public List<String> labelNames(long minT, long maxT, Matcher... matchers) {
                return q.labelNames(minT, maxT, matchers);
            }

            @Override
            public List<String> labelValues(String name, long minT, long maxT, Matcher... matchers) {
                return q.labelValues(name, minT, maxT, matchers);
            }

            @Override
            public void close() {
                if (closed) return;
                closed = true;
                q.close();
                lock.readLock().unlock();
            }
        };
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
