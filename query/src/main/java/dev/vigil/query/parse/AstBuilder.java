package dev.vigil.query.parse;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AggregateOp;
import dev.vigil.query.ast.AtModifier;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.BinaryOp;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.Function;
import dev.vigil.query.ast.Functions;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.VectorMatching;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.query.parse.antlr.PromQLBaseVisitor;
import dev.vigil.query.parse.antlr.PromQLLexer;
import dev.vigil.query.parse.antlr.PromQLParser;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

/**
 * Turns the ANTLR parse tree into {@code dev.vigil.query.ast} records, doing what the actions of Prometheus's
 * {@code generated_parser.y} do: decode literals, fold a sign into a number, attach {@code offset} and {@code @} to the
 * selector or subquery they follow, look functions up, and reject what the grammar admits but Prometheus does not
 * (a range on a non-selector, a modifier set twice...). Type checking is left to {@link TypeChecker}. One instance per
 * parse; not thread-safe.
 */
final class AstBuilder extends PromQLBaseVisitor<Expr> {
    private final String query;

    AstBuilder(String query) {
        this.query = query;
    }

    Expr build(PromQLParser.QueryContext tree) {
        return visit(tree.expr());
    }

    private PositionRange pos(ParserRuleContext ctx) {
        return new PositionRange(ctx.getStart().getStartIndex(), ctx.getStop().getStopIndex() + 1);
    }

    private static PositionRange pos(Token t) {
        return new PositionRange(t.getStartIndex(), t.getStopIndex() + 1);
    }

    private PromqlParseException error(PositionRange p, String detail) {
        return PromqlParseException.of(query, p, detail);
    }

    @Override
    public Expr visitNumber(PromQLParser.NumberContext ctx) {
        Token t = ctx.getStart();
        return new NumberLiteral(numberValue(t), pos(t));
    }

    private double numberValue(Token t) {
        try {
            if (t.getType() == PromQLLexer.DURATION) {
                long ms = Literals.durationMs(t.getText());
                if (ms == 0) {
                    throw error(pos(t), "duration must be greater than 0");
                }
                return ms / 1000.0;
            }
            return Literals.number(t.getText());
        } catch (Literals.BadLiteral e) {
            throw error(pos(t), e.getMessage());
        }
    }

    @Override
    public Expr visitString(PromQLParser.StringContext ctx) {
        return new StringLiteral(unquote(ctx.STRING().getSymbol()), pos(ctx));
    }

    private String unquote(Token t) {
        try {
            return Literals.unquote(t.getText());
        } catch (Literals.BadLiteral e) {
            throw error(pos(t), e.getMessage());
        }
    }

    @Override
    public Expr visitParen(PromQLParser.ParenContext ctx) {
        return new ParenExpr(visit(ctx.expr()), pos(ctx));
    }

    @Override
    public Expr visitUnary(PromQLParser.UnaryContext ctx) {
        Expr inner = visit(ctx.expr());
        boolean minus = ctx.op.getType() == PromQLLexer.SUB;
        PositionRange p = pos(ctx);
        if (inner instanceof NumberLiteral n) {
            return new NumberLiteral(minus ? -n.value() : n.value(), p);
        }
        return new UnaryExpr(minus ? UnaryExpr.Op.MINUS : UnaryExpr.Op.PLUS, inner, p);
    }

    @Override
    public Expr visitBinary(PromQLParser.BinaryContext ctx) {
        Expr lhs = visit(ctx.expr(0));
        Expr rhs = visit(ctx.expr(1));
        BinaryOp op = switch (ctx.op.getType()) {
            case PromQLLexer.POW -> BinaryOp.POW;
            case PromQLLexer.MUL -> BinaryOp.MUL;
            case PromQLLexer.DIV -> BinaryOp.DIV;
            case PromQLLexer.MOD -> BinaryOp.MOD;
            case PromQLLexer.ATAN2 -> BinaryOp.ATAN2;
            case PromQLLexer.ADD -> BinaryOp.ADD;
            case PromQLLexer.SUB -> BinaryOp.SUB;
            case PromQLLexer.EQLC -> BinaryOp.EQLC;
            case PromQLLexer.NEQ -> BinaryOp.NEQ;
            case PromQLLexer.GTR -> BinaryOp.GTR;
            case PromQLLexer.LSS -> BinaryOp.LSS;
            case PromQLLexer.GTE -> BinaryOp.GTE;
            case PromQLLexer.LTE -> BinaryOp.LTE;
            case PromQLLexer.AND -> BinaryOp.AND;
            case PromQLLexer.OR -> BinaryOp.OR;
            case PromQLLexer.UNLESS -> BinaryOp.UNLESS;
            default -> throw new IllegalStateException("binary operator token " + ctx.op.getText());
        };
        PromQLParser.BinModifierContext mod = ctx.binModifier();
        boolean returnBool = mod.BOOL() != null;
        VectorMatching.Cardinality card = VectorMatching.Cardinality.ONE_TO_ONE;
        List<String> matching = List.of();
        List<String> include = List.of();
        boolean on = false;
        if (mod.onOrIgnoring != null) {
            on = mod.onOrIgnoring.getType() == PromQLLexer.ON;
            matching = labels(mod.groupingLabels(0));
            if (mod.group != null) {
                card = mod.group.getType() == PromQLLexer.GROUP_LEFT
                        ? VectorMatching.Cardinality.MANY_TO_ONE : VectorMatching.Cardinality.ONE_TO_MANY;
                include = mod.groupingLabels().size() > 1 ? labels(mod.groupingLabels(1)) : List.of();
            }
        }
        return new BinaryExpr(op, lhs, rhs, returnBool, new VectorMatching(card, matching, on, include), pos(ctx));
    }

    private List<String> labels(PromQLParser.GroupingLabelsContext ctx) {
        List<String> out = new ArrayList<>();
        for (PromQLParser.GroupingLabelContext l : ctx.groupingLabel()) {
            out.add(l.STRING() != null ? unquote(l.STRING().getSymbol()) : l.getText());
        }
        return out;
    }

    @Override
    public Expr visitAggregation(PromQLParser.AggregationContext ctx) {
        Token opToken = ctx.aggregateOp().getStart();
        AggregateOp op = AggregateOp.valueOf(opToken.getText().toUpperCase(Locale.ROOT));
        List<String> grouping = List.of();
        boolean without = false;
        if (ctx.groupingModifier() != null) {
            without = ctx.groupingModifier().WITHOUT() != null;
            grouping = labels(ctx.groupingModifier().groupingLabels());
        }
        List<Expr> args = args(ctx.functionArgs());
        PositionRange p = pos(ctx);
        if (args.isEmpty()) {
            throw error(p, "no arguments for aggregate expression provided");
        }
        int want = op.hasParam() ? 2 : 1;
        if (args.size() != want) {
            throw error(p, "wrong number of arguments for aggregate expression provided, expected " + want + ", got "
                    + args.size());
        }
        return new AggregateExpr(op, args.get(want - 1), want == 2 ? args.get(0) : null, grouping, without, p);
    }

    private List<Expr> args(PromQLParser.FunctionArgsContext ctx) {
        List<Expr> out = new ArrayList<>();
        for (PromQLParser.ExprContext e : ctx.expr()) {
            out.add(visit(e));
        }
        return out;
    }

    @Override
    public Expr visitCall(PromQLParser.CallContext ctx) {
        Token name = ctx.IDENTIFIER().getSymbol();
        Function f = Functions.get(name.getText())
                .orElseThrow(() -> error(pos(name), "unknown function with name " + dev.vigil.query.ast.Printer.quote(
                        name.getText())));
        return new Call(f, args(ctx.functionArgs()), pos(ctx));
    }

    @Override
    public Expr visitSelector(PromQLParser.SelectorContext ctx) {
        PromQLParser.VectorSelectorContext vs = ctx.vectorSelector();
        String name = vs.metricName() == null ? null : vs.metricName().getText();
        List<Matcher> matchers = new ArrayList<>();
        if (vs.labelMatchers() != null) {
            for (PromQLParser.LabelMatcherContext m : vs.labelMatchers().labelMatcher()) {
                matchers.add(matcher(m));
            }
        }
        if (name != null) {
            matchers.add(Matcher.equal(Labels.METRIC_NAME, name));
        }
        return new VectorSelector(name, matchers, 0, null, pos(ctx));
    }

    private Matcher matcher(PromQLParser.LabelMatcherContext m) {
        if (m.matchOp() == null) {
            return Matcher.equal(Labels.METRIC_NAME, unquote(m.STRING(0).getSymbol()));
        }
        String label = m.labelName() != null ? m.labelName().getText() : unquote(m.STRING(0).getSymbol());
        Token valueToken = m.STRING(m.STRING().size() - 1).getSymbol();
        String value = unquote(valueToken);
        Matcher.Type type = switch (m.matchOp().getStart().getType()) {
            case PromQLLexer.EQL -> Matcher.Type.EQUAL;
            case PromQLLexer.NEQ -> Matcher.Type.NOT_EQUAL;
            case PromQLLexer.EQL_REGEX -> Matcher.Type.REGEX;
            case PromQLLexer.NEQ_REGEX -> Matcher.Type.NOT_REGEX;
            default -> throw new IllegalStateException("match operator " + m.matchOp().getText());
        };
        try {
            return Matcher.of(type, label, value);
        } catch (IllegalArgumentException e) {
            String detail = e.getCause() instanceof com.google.re2j.PatternSyntaxException p
                    ? "error parsing regexp: " + p.getDescription() + ": `" + value + "`"
                    : e.getMessage();
            throw error(new PositionRange(m.getStart().getStartIndex(), valueToken.getStopIndex() + 1), detail);
        }
    }

    private long rangeMs(PromQLParser.DurationContext ctx) {
        long ms = durationMs(ctx);
        if (ms <= 0) {
            throw error(pos(ctx), "duration must be greater than 0");
        }
        return ms;
    }

    /** A duration or a number of seconds, in milliseconds (truncated, as Prometheus's {@code time.Duration(v*1000)}). */
    private long durationMs(PromQLParser.DurationContext ctx) {
        Token t = ctx.getStart();
        if (t.getType() == PromQLLexer.DURATION) {
            numberValue(t); // rejects a zero duration, as Prometheus's parseDuration does
            try {
                return Literals.durationMs(t.getText());
            } catch (Literals.BadLiteral e) {
                throw error(pos(t), e.getMessage());
            }
        }
        double seconds = numberValue(t);
        if (Double.isNaN(seconds) || Double.isInfinite(seconds) || Math.abs(seconds) > Long.MAX_VALUE / 1e9) {
            throw error(pos(t), "duration out of range");
        }
        return (long) (seconds * 1000);
    }

    @Override
    public Expr visitMatrixSelector(PromQLParser.MatrixSelectorContext ctx) {
        Expr inner = visit(ctx.expr());
        long range = rangeMs(ctx.duration());
        String problem = null;
        if (!(inner instanceof VectorSelector vs)) {
            problem = "ranges only allowed for vector selectors";
        } else if (vs.offsetMs() != 0) {
            problem = "no offset modifiers allowed before range";
        } else if (vs.at() != null) {
            problem = "no @ modifiers allowed before range";
        }
        if (problem != null) {
            throw error(new PositionRange(ctx.LEFT_BRACKET().getSymbol().getStartIndex(),
                    ctx.RIGHT_BRACKET().getSymbol().getStopIndex() + 1), problem);
        }
        return new MatrixSelector((VectorSelector) inner, range, pos(ctx));
    }

    @Override
    public Expr visitSubquery(PromQLParser.SubqueryContext ctx) {
        Expr inner = visit(ctx.expr());
        long range = rangeMs(ctx.duration(0));
        long step = ctx.duration().size() > 1 ? rangeMs(ctx.duration(1)) : 0;
        return new SubqueryExpr(inner, range, step, 0, null, pos(ctx));
    }

    @Override
    public Expr visitOffsetModifier(PromQLParser.OffsetModifierContext ctx) {
        Expr inner = visit(ctx.expr());
        long offset = durationMs(ctx.duration());
        if (ctx.SUB() != null) {
            offset = -offset;
        }
        PositionRange p = pos(ctx);
        long existing = switch (inner) {
            case VectorSelector v -> v.offsetMs();
            case MatrixSelector m -> m.selector().offsetMs();
            case SubqueryExpr s -> s.offsetMs();
            default -> throw error(inner.position(), "offset modifier must be preceded by an instant vector selector "
                    + "or range vector selector or a subquery");
        };
        if (existing != 0) {
            throw error(inner.position(), "offset may not be set multiple times");
        }
        return switch (inner) {
            case VectorSelector v -> v.withOffset(offset, p);
            case MatrixSelector m -> new MatrixSelector(
                    m.selector().withOffset(offset, m.selector().position()), m.rangeMs(), p);
            case SubqueryExpr s -> new SubqueryExpr(s.expr(), s.rangeMs(), s.stepMs(), offset, s.at(), p);
            default -> throw new IllegalStateException("unreachable");
        };
    }

    @Override
    public Expr visitAtModifier(PromQLParser.AtModifierContext ctx) {
        Expr inner = visit(ctx.expr());
        PromQLParser.AtTimeContext at = ctx.atTime();
        AtModifier modifier;
        if (at.START() != null) {
            modifier = AtModifier.START;
        } else if (at.END() != null) {
            modifier = AtModifier.END;
        } else {
            Token number = at.getStop();
            double seconds = numberValue(number);
            if (at.SUB() != null) {
                seconds = -seconds;
            }
            if (Double.isNaN(seconds) || Double.isInfinite(seconds) || seconds >= 0x1p63 || seconds <= -0x1p63) {
                throw error(inner.position(), "timestamp out of bounds for @ modifier: " + goFloat(seconds));
            }
            modifier = AtModifier.at(Math.round(seconds * 1000));
        }
        PositionRange p = pos(ctx);
        AtModifier existing = switch (inner) {
            case VectorSelector v -> v.at();
            case MatrixSelector m -> m.selector().at();
            case SubqueryExpr s -> s.at();
            default -> throw error(inner.position(), "@ modifier must be preceded by an instant vector selector or "
                    + "range vector selector or a subquery");
        };
        if (existing != null) {
            throw error(inner.position(), "@ <timestamp> may not be set multiple times");
        }
        return switch (inner) {
            case VectorSelector v -> v.withAt(modifier, p);
            case MatrixSelector m -> new MatrixSelector(m.selector().withAt(modifier, m.selector().position()),
                    m.rangeMs(), p);
            case SubqueryExpr s -> new SubqueryExpr(s.expr(), s.rangeMs(), s.stepMs(), s.offsetMs(), modifier, p);
            default -> throw new IllegalStateException("unreachable");
        };
    }

    /** Go's {@code %f}. */
    private static String goFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        return String.format(Locale.ROOT, "%f", v);
    }
}
