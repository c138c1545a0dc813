package dev.vigil.query.eval;

import dev.vigil.tsdb.Labels;
import java.util.List;

/**
 * A query result value, small enough for the HTTP layer to serialize: a {@link Scalar}, a {@link StringValue}, an
 * instant {@link Vector} or a {@link Matrix}. Arrays are owned by the value and must not be modified.
 */
public sealed interface Value permits Value.Scalar, Value.StringValue, Value.Vector, Value.Matrix {

    /** A scalar at time {@code t} (epoch millis). */
    record Scalar(long t, double v) implements Value {}

    /** A string at time {@code t} (epoch millis). */
    record StringValue(long t, String s) implements Value {}

    /**
     * An instant vector: sample {@code i} is {@code (labels[i], ts[i], vs[i])}. Order is the evaluation order (sorted
     * by {@code sort*} functions, otherwise unspecified).
     */
    record Vector(Labels[] labels, long[] ts, double[] vs) implements Value {
        public int size() {
            return labels.length;
        }
    }

    /** One series of a matrix: points at {@code ts[i]} with value {@code vs[i]}, timestamps ascending. */
    record Series(Labels labels, long[] ts, double[] vs) {}

    /** A range vector or a range-query result; series sorted by labels for range queries. */
    record Matrix(List<Series> series) implements Value {}
}
