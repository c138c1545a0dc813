package dev.vigil.query.ast;

import dev.vigil.tsdb.Matcher;
import java.util.List;
import java.util.Objects;

/**
 * An instant vector selector. {@code name} is the metric name written before the braces or {@code null}; as in
 * Prometheus, such a name is also present as the last matcher ({@code __name__="name"}). {@code offsetMs} is the
 * {@code offset} modifier in milliseconds (negative looks ahead, 0 when absent); {@code at} is the {@code @} modifier or
 * {@code null}. {@code extension} is Prometheus's experimental {@code anchored} / {@code smoothed} modifier (on a range
 * selector it is written after the brackets but belongs to its selector, as in Prometheus).
 */
public record VectorSelector(String name, List<Matcher> matchers, long offsetMs, AtModifier at, Extension extension,
        PositionRange position) implements Expr {
    /** The extended range-selector modifiers. */
    public enum Extension {
        NONE, ANCHORED, SMOOTHED
    }

    public VectorSelector {
        matchers = List.copyOf(matchers);
        Objects.requireNonNull(extension);
        Objects.requireNonNull(position);
    }

    public VectorSelector(String name, List<Matcher> matchers, long offsetMs, AtModifier at, PositionRange position) {
        this(name, matchers, offsetMs, at, Extension.NONE, position);
    }

    public VectorSelector withOffset(long newOffsetMs, PositionRange newPosition) {
        return new VectorSelector(name, matchers, newOffsetMs, at, extension, newPosition);
    }

    public VectorSelector withAt(AtModifier newAt, PositionRange newPosition) {
        return new VectorSelector(name, matchers, offsetMs, newAt, extension, newPosition);
    }

    public VectorSelector withExtension(Extension newExtension, PositionRange newPosition) {
        return new VectorSelector(name, matchers, offsetMs, at, newExtension, newPosition);
    }

    @Override
    public ValueType type() {
        return ValueType.VECTOR;
    }
}
