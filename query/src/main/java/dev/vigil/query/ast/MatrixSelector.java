package dev.vigil.query.ast;

import java.util.Objects;

/**
 * A range vector selector {@code selector[range]}. The selector carries the offset and {@code @} modifiers written after
 * the brackets; {@code rangeMs} is positive.
 */
public record MatrixSelector(VectorSelector selector, long rangeMs, PositionRange position) implements Expr {
    public MatrixSelector {
        Objects.requireNonNull(selector);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return ValueType.MATRIX;
    }
}
