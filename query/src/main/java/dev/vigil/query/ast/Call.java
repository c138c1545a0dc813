package dev.vigil.query.ast;

import java.util.List;
import java.util.Objects;

/** A function call; the arguments were type-checked against {@code function} at parse time. */
public record Call(Function function, List<Expr> args, PositionRange position) implements Expr {
    public Call {
        Objects.requireNonNull(function);
        args = List.copyOf(args);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return function.returnType();
    }
}
