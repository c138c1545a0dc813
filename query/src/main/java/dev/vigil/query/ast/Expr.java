package dev.vigil.query.ast;

/**
 * A PromQL expression. Every implementation is an immutable record carrying the {@link PositionRange} it was parsed
 * from ({@link PositionRange#NONE} when built by hand); {@code equals} includes the position, use
 * {@link Printer#print} or {@link Exprs#withoutPositions} to compare structure only.
 */
public sealed interface Expr
        permits NumberLiteral, StringLiteral, VectorSelector, MatrixSelector, SubqueryExpr, ParenExpr, UnaryExpr,
        BinaryExpr, AggregateExpr, Call {

    /** Where this node is in the query text. */
    PositionRange position();

    /** The type of the value this expression evaluates to. */
    ValueType type();
}
