package dev.vigil.query.ast;

import java.util.Objects;

/** A parenthesised expression; kept in the tree so that printing preserves the written grouping. */
public record ParenExpr(Expr expr, PositionRange position) implements Expr {
    public ParenExpr {
        Objects.requireNonNull(expr);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return expr.type();
    }
}
