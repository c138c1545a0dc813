package dev.vigil.query.ast;

/** Helpers over whole trees. */
public final class Exprs {
    private Exprs() {
    }

    /** The same tree with every position set to {@link PositionRange#NONE}, to compare structure only. */
    public static Expr withoutPositions(Expr e) {
        PositionRange none = PositionRange.NONE;
        return switch (e) {
            case NumberLiteral n -> new NumberLiteral(n.value(), none);
            case StringLiteral s -> new StringLiteral(s.value(), none);
            case VectorSelector v -> new VectorSelector(v.name(), v.matchers(), v.offsetMs(), v.at(), v.extension(), none);
            case MatrixSelector m -> new MatrixSelector((VectorSelector) withoutPositions(m.selector()), m.rangeMs(), none);
            case SubqueryExpr s -> new SubqueryExpr(withoutPositions(s.expr()), s.rangeMs(), s.stepMs(), s.offsetMs(),
                    s.at(), none);
            case ParenExpr p -> new ParenExpr(withoutPositions(p.expr()), none);
            case UnaryExpr u -> new UnaryExpr(u.op(), withoutPositions(u.expr()), none);
            case BinaryExpr b -> new BinaryExpr(b.op(), withoutPositions(b.lhs()), withoutPositions(b.rhs()),
                    b.returnBool(), b.matching(), none);
            case AggregateExpr a -> new AggregateExpr(a.op(), withoutPositions(a.expr()),
                    a.param() == null ? null : withoutPositions(a.param()), a.grouping(), a.without(), none);
            case Call c -> new Call(c.function(), c.args().stream().map(Exprs::withoutPositions).toList(), none);
        };
    }
}
