package dev.vigil.query.ast;

import dev.vigil.tsdb.Matcher;
import java.util.List;
import java.util.Objects;

/**
 * An instant vector selector. {@code name} is the metric name written before the braces or {@code null}; as in
 * Prometheus, such a name is also present as the last matcher ({@code __name__="name"}). {@code offsetMs} is the
 * {@code offset} modifier in milliseconds (negative looks ahead, 0 when absent); {@code at} is the {@code @} modifier or
 * {@code null}.
 */
public record VectorSelector(String name, List<Matcher> matchers, long offsetMs, AtModifier at, PositionRange position)
        implements Expr {
    public VectorSelector {
        matchers = List.copyOf(matchers);
        Objects.requireNonNull(position);
    }

    public VectorSelector withOffset(long newOffsetMs, PositionRange newPosition) {
        return new VectorSelector(name, matchers, newOffsetMs, at, newPosition);
    }

    public VectorSelector withAt(AtModifier newAt, PositionRange newPosition) {
        return new VectorSelector(name, matchers, offsetMs, newAt, newPosition);
    }

    @Override
    public ValueType type() {
        return ValueType.VECTOR;
    }
}
