package dev.vigil.query.eval;

import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;

/**
 * An instant vector evaluated at every step of a range at once: one {@link Row} per series, each a primitive value
 * column with a presence column. Series identity (labels, matching signatures, groups) is worked out once per row
 * instead of once per step, which is what makes range queries cheap.
 */
final class Grid {
    final int steps;
    final List<Row> rows;

    Grid(int steps) {
        this(steps, new ArrayList<>());
    }

    Grid(int steps, List<Row> rows) {
        this.steps = steps;
        this.rows = rows;
    }

    /** One series over the steps. {@code has[i]} tells whether step i has a value. */
    static final class Row {
        Labels labels;
        /** Prometheus's {@code DropName}: the name goes at the end of evaluation (delayed name removal). */
        boolean dropName;
        final double[] v;
        final boolean[] has;

        Row(Labels labels, int steps) {
            this.labels = labels;
            this.v = new double[steps];
            this.has = new boolean[steps];
        }

        Row(Labels labels, boolean dropName, double[] v, boolean[] has) {
            this.labels = labels;
            this.dropName = dropName;
            this.v = v;
            this.has = has;
        }

        void set(int i, double value) {
            v[i] = value;
            has[i] = true;
        }

        int count() {
            int n = 0;
            for (boolean b : has) if (b) n++;
            return n;
        }

        Row copyValues(Labels newLabels) {
            return new Row(newLabels, dropName, v.clone(), has.clone());
        }
    }

    Row add(Labels labels) {
        Row r = new Row(labels, steps);
        rows.add(r);
        return r;
    }

    long samples() {
        long n = 0;
        for (Row r : rows) n += r.count();
        return n;
    }

    /** Removes rows without any value. */
    Grid compact() {
        rows.removeIf(r -> r.count() == 0);
        return this;
    }

    /**
     * Merges rows with equal labels into one, as a range query does with series of the same label set; two of them
     * holding a value at the same step is Prometheus's "same labelset" error.
     */
    Grid mergeDuplicates() {
        if (rows.size() < 2) return this;
        HashMap<Labels, Row> seen = new HashMap<>(rows.size() * 2);
        List<Row> out = new ArrayList<>(rows.size());
        boolean merged = false;
        for (Row r : rows) {
            Row prev = seen.putIfAbsent(r.labels, r);
            if (prev == null) {
                out.add(r);
                continue;
            }
            merged = true;
            for (int i = 0; i < steps; i++) {
                if (!r.has[i]) continue;
                if (prev.has[i]) throw QueryException.execution("vector cannot contain metrics with the same labelset");
                prev.set(i, r.v[i]);
            }
        }
        return merged ? new Grid(steps, out) : this;
    }

    static boolean[] allTrue(int n) {
        boolean[] b = new boolean[n];
        Arrays.fill(b, true);
        return b;
    }
}
