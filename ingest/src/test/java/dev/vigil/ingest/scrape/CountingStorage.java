package dev.vigil.ingest.scrape;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import java.nio.file.Path;

/**
 * A storage that only counts appends, with one reused appender: it isolates the scrape path's own
 * allocations from the engine's (whose appender keeps per-batch sample arrays).
 */
final class CountingStorage implements Storage {
    long samples;
    long commits;
    private long nextRef = 1;
    private final Appender app = new Appender() {
        @Override
        public long append(long ref, Labels labels, long t, double v) {
            samples++;
            return ref != 0 ? ref : nextRef++;
        }

        @Override
        public int commit() {
            commits++;
            return 0;
        }

        @Override
        public void rollback() {}
    };

    @Override
    public Appender appender() {
        return app;
    }

    @Override
    public Querier querier() {
        throw new UnsupportedOperationException();
    }

    @Override
    public long minTime() {
        return Long.MAX_VALUE;
    }

    @Override
    public long maxTime() {
        return Long.MIN_VALUE;
    }

    @Override
    public void deleteSeries(long minT, long maxT, Matcher... matchers) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void cleanTombstones() {}

    @Override
    public Path snapshot(Path dir, boolean withHead) {
        throw new UnsupportedOperationException();
    }

    @Override
    public StorageStats stats() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
