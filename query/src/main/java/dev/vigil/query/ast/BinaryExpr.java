package dev.vigil.query.ast;

import java.util.Objects;

/**
 * {@code lhs op rhs}. {@code returnBool} is the {@code bool} modifier. {@code matching} is {@code null} unless both sides
 * are instant vectors; set operators always match many-to-many.
 */
public record BinaryExpr(BinaryOp op, Expr lhs, Expr rhs, boolean returnBool, VectorMatching matching,
        PositionRange position) implements Expr {
    public BinaryExpr {
        Objects.requireNonNull(op);
        Objects.requireNonNull(lhs);
        Objects.requireNonNull(rhs);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return lhs.type() == ValueType.SCALAR && rhs.type() == ValueType.SCALAR ? ValueType.SCALAR : ValueType.VECTOR;
    }
}
