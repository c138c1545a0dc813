package dev.vigil.query.ast;

import java.util.Objects;

/** A string literal, already unquoted. */
public record StringLiteral(String value, PositionRange position) implements Expr {
    public StringLiteral {
        Objects.requireNonNull(value);
        Objects.requireNonNull(position);
    }

    @Override
    public ValueType type() {
        return ValueType.STRING;
    }
}
