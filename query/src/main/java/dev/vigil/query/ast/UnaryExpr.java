package dev.vigil.query.ast;

import java.util.Objects;

/** Unary {@code +expr} or {@code -expr}. A sign before a number literal is folded into the literal instead. */
public record UnaryExpr(Op op, Expr expr, PositionRange position) implements Expr {
    /** The unary operators. */
    public enum Op {
        PLUS("+"), MINUS("-");

        private final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    public UnaryExpr {
        Objects.requireNonNull(op);
        Objects.requireNonNull(expr);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return expr.type();
    }
}
