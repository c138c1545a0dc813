package dev.vigil.tsdb.head;

import dev.vigil.tsdb.Labels;
import java.util.List;

/**
 * Copies of out-of-order samples taken from the head for a flush, series in label order. The series
 * objects stay private to the head: {@link Head#removeFlushedOoo} takes them back.
 */
public record OooSnapshot(List<Series> series) {
    /** One series' samples, sorted by time. */
    public record Series(MemSeries series, long[] t, double[] v) {
        public Labels labels() {
            return series.labels;
        }

        public long id() {
            return series.id;
        }
    }

    public boolean isEmpty() {
        return series.isEmpty();
    }
}
