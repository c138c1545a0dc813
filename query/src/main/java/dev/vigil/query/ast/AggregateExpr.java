package dev.vigil.query.ast;

import java.util.List;
import java.util.Objects;

/**
 * {@code op [by|without (grouping)] ([param,] expr)}. {@code param} is {@code null} for operators without one;
 * {@code without} tells {@code without} from {@code by} (an absent clause is {@code by ()}).
 */
public record AggregateExpr(AggregateOp op, Expr expr, Expr param, List<String> grouping, boolean without,
        PositionRange position) implements Expr {
    public AggregateExpr {
        Objects.requireNonNull(op);
        Objects.requireNonNull(expr);
        grouping = List.copyOf(grouping);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return ValueType.VECTOR;
    }
}
