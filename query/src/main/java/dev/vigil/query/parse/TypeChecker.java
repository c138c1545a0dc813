package dev.vigil.query.parse;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AggregateOp;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.ast.Printer;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorMatching;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The type checks of Prometheus's {@code checkAST}, in the same order, with the same messages; the first failure
 * throws. It also normalises vector matching as Prometheus does: set operators match many-to-many, and operations
 * with a scalar side carry no matching. Stateless apart from the query text used in errors.
 */
final class TypeChecker {
    private final String query;

    TypeChecker(String query) {
        this.query = query;
    }

    private PromqlParseException error(PositionRange p, String detail) {
        return PromqlParseException.of(query, p, detail);
    }

    private Expr expectType(Expr e, ValueType want, String context) {
        Expr checked = check(e);
        if (checked.type() != want) {
            throw error(e.position(), "expected type " + want.documentedName() + " in " + context + ", got "
                    + checked.type().documentedName());
        }
        return checked;
    }

    Expr check(Expr e) {
        return switch (e) {
            case AggregateExpr a -> {
                Expr inner = expectType(a.expr(), ValueType.VECTOR, "aggregation expression");
                Expr param = a.param();
                if (a.op() == AggregateOp.COUNT_VALUES) {
                    param = expectType(param, ValueType.STRING, "aggregation parameter");
                } else if (a.op().hasParam()) {
                    param = expectType(param, ValueType.SCALAR, "aggregation parameter");
                }
                yield new AggregateExpr(a.op(), inner, param, a.grouping(), a.without(), a.position());
            }
            case BinaryExpr b -> checkBinary(b);
            case Call c -> checkCall(c);
            case ParenExpr p -> new ParenExpr(check(p.expr()), p.position());
            case UnaryExpr u -> {
                Expr inner = check(u.expr());
                if (inner.type() != ValueType.SCALAR && inner.type() != ValueType.VECTOR) {
                    throw error(u.position(), "unary expression only allowed on expressions of type scalar or instant "
                            + "vector, got " + Printer.quote(inner.type().documentedName()));
                }
                yield new UnaryExpr(u.op(), inner, u.position());
            }
            case SubqueryExpr s -> {
                Expr inner = check(s.expr());
                if (inner.type() != ValueType.VECTOR) {
                    throw error(s.position(), "subquery is only allowed on instant vector, got "
                            + inner.type().shortName() + " instead");
                }
                yield new SubqueryExpr(inner, s.rangeMs(), s.stepMs(), s.offsetMs(), s.at(), s.position());
            }
            case MatrixSelector m -> {
                checkSelector(m.selector(), false);
                yield m;
            }
            case VectorSelector v -> {
                checkSelector(v, false);
                yield v;
            }
            case NumberLiteral n -> n;
            case StringLiteral s -> s;
        };
    }

    private void checkSelector(VectorSelector v, boolean bypassEmptyMatcherCheck) {
        if (v.name() != null) {
            List<Matcher> ms = v.matchers();
            for (Matcher m : ms.subList(0, ms.size() - 1)) {
                if (m.name().equals(Labels.METRIC_NAME)) {
                    throw error(v.position(), "metric name must not be set twice: " + Printer.quote(v.name()) + " or "
                            + Printer.quote(m.value()));
                }
            }
            return;
        }
        if (!bypassEmptyMatcherCheck && v.matchers().stream().allMatch(Matcher::matchesEmpty)) {
            throw error(v.position(), "vector selector must contain at least one non-empty matcher");
        }
    }

    private Expr checkBinary(BinaryExpr b) {
        Expr lhs = check(b.lhs());
        Expr rhs = check(b.rhs());
        ValueType lt = lhs.type();
        ValueType rt = rhs.type();
        VectorMatching vm = b.matching();
        if (b.returnBool() && !b.op().isComparison()) {
            throw error(opRange(lhs, rhs), "bool modifier can only be used on comparison operators");
        }
        if (b.op().isComparison() && !b.returnBool() && lt == ValueType.SCALAR && rt == ValueType.SCALAR) {
            throw error(opRange(lhs, rhs), "comparisons between scalars must use BOOL modifier");
        }
        if (vm != null && b.op().isSetOperator() && vm.card() == VectorMatching.Cardinality.ONE_TO_ONE) {
            vm = vm.withCard(VectorMatching.Cardinality.MANY_TO_MANY);
        }
        if (vm != null && vm.on()) {
            for (String l1 : vm.matchingLabels()) {
                if (vm.include().contains(l1)) {
                    throw error(opRange(lhs, rhs), "label " + Printer.quote(l1) + " must not occur in ON and GROUP "
                            + "clause at once");
                }
            }
        }
        if (lt != ValueType.SCALAR && lt != ValueType.VECTOR) {
            throw error(lhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        if (rt != ValueType.SCALAR && rt != ValueType.VECTOR) {
            throw error(rhs.position(), "binary expression must contain only scalar and instant vector types");
        }
        if ((lt != ValueType.VECTOR || rt != ValueType.VECTOR) && vm != null) {
            if (!vm.matchingLabels().isEmpty()) {
                throw error(b.position(), "vector matching only allowed between instant vectors");
            }
            vm = null;
        } else if (b.op().isSetOperator() && vm != null) {
            if (vm.card() == VectorMatching.Cardinality.ONE_TO_MANY
                    || vm.card() == VectorMatching.Cardinality.MANY_TO_ONE) {
                throw error(b.position(), "no grouping allowed for " + Printer.quote(b.op().symbol()) + " operation");
            }
            if (vm.card() != VectorMatching.Cardinality.MANY_TO_MANY) {
                throw error(b.position(), "set operations must always be many-to-many");
            }
        }
        if ((lt == ValueType.SCALAR || rt == ValueType.SCALAR) && b.op().isSetOperator()) {
            throw error(b.position(), "set operator " + Printer.quote(b.op().symbol())
                    + " not allowed in binary scalar expression");
        }
        return new BinaryExpr(b.op(), lhs, rhs, b.returnBool(), vm, b.position());
    }

    /** The operator between the operands, without surrounding white space, as Prometheus's {@code opRange}. */
    private PositionRange opRange(Expr lhs, Expr rhs) {
        int start = lhs.position().end();
        while (start < query.length() && Character.isWhitespace(query.charAt(start))) {
            start++;
        }
        int end = rhs.position().start();
        while (end > start && Character.isWhitespace(query.charAt(end - 1))) {
            end--;
        }
        return new PositionRange(start, Math.max(start, end));
    }

    private Expr checkCall(Call c) {
        var f = c.function();
        int n = c.args().size();
        String name = Printer.quote(f.name());
        if (f.variadic() == 0) {
            if (f.argTypes().size() != n) {
                throw error(c.position(), "expected " + f.argTypes().size() + " argument(s) in call to " + name
                        + ", got " + n);
            }
        } else if (f.minArgs() > n) {
            throw error(c.position(), "expected at least " + f.minArgs() + " argument(s) in call to " + name + ", got "
                    + n);
        } else if (f.variadic() > 0 && f.maxArgs() < n) {
            throw error(c.position(), "expected at most " + f.maxArgs() + " argument(s) in call to " + name + ", got "
                    + n);
        }
        List<Expr> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Expr arg = c.args().get(i);
            if (f.name().equals("info") && i == 1) {
                // info's second argument is a label selector without a metric name; it may match the empty string.
                if (!(arg instanceof VectorSelector vs)) {
                    throw error(c.position(), "expected type instant vector in call to function " + name + ", got "
                            + check(arg).type().documentedName());
                }
                if (vs.name() != null) {
                    throw error(arg.position(), "expected label selectors only, got vector selector instead");
                }
                checkSelector(vs, true);
                args.add(vs);
                continue;
            }
            args.add(expectType(arg, f.argType(i), "call to function " + name));
        }
        return new Call(f, args, c.position());
    }
}
