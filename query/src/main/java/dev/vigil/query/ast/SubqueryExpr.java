package dev.vigil.query.ast;

import java.util.Objects;

/**
 * A subquery {@code expr[range:step]}. {@code stepMs} is 0 when omitted (the engine's default resolution);
 * {@code offsetMs} is 0 when absent; {@code at} is {@code null} when absent.
 */
public record SubqueryExpr(Expr expr, long rangeMs, long stepMs, long offsetMs, AtModifier at, PositionRange position)
        implements Expr {
    public SubqueryExpr {
        Objects.requireNonNull(expr);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return ValueType.MATRIX;
    }
}
