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
    private final QueryTimes times;

    AstBuilder(String query, QueryTimes times) {
        this.query = query;
        this.times = times;
    }

    // ---- duration expressions: folded to constants here, with the query's step and range ----


    /** The value of a duration expression in seconds. */
    private double durationSeconds(PromQLParser.DurationExprContext ctx) {
        return switch (ctx) {
            case PromQLParser.DurationParenContext p -> durationSeconds(p.durationExpr());
            case PromQLParser.DurationUnaryContext u -> u.op.getType() == PromQLLexer.SUB
                    ? -durationSeconds(u.durationExpr()) : durationSeconds(u.durationExpr());
            case PromQLParser.DurationBinaryContext b -> {
                double l = durationSeconds(b.durationExpr(0)), r = durationSeconds(b.durationExpr(1));
                yield switch (b.op.getType()) {
                    case PromQLLexer.ADD -> l + r;
                    case PromQLLexer.SUB -> l - r;
                    case PromQLLexer.MUL -> l * r;
                    case PromQLLexer.DIV -> {
                        if (r == 0) throw error(pos(b), "division by zero");
                        yield l / r;
                    }
                    case PromQLLexer.MOD -> {
                        if (r == 0) throw error(pos(b), "modulo by zero");
                        yield l % r;
                    }
                    default -> Math.pow(l, r);
                };
            }
            case PromQLParser.DurationFunctionContext f -> durationCall(f.durationCall());
            case PromQLParser.DurationLiteralContext l -> literalSeconds(l.getStart());
            default -> throw new IllegalStateException("duration expression " + ctx.getText());
        };
    }

    private double literalSeconds(Token t) {
        try {
            if (t.getType() == PromQLLexer.DURATION) return Literals.durationMs(t.getText()) / 1000.0;
            return Literals.number(t.getText());
        } catch (Literals.BadLiteral e) {
            throw error(pos(t), e.getMessage());
        }
    }

    private double durationCall(PromQLParser.DurationCallContext c) {
        String name = c.IDENTIFIER().getText().toLowerCase(Locale.ROOT);
        List<PromQLParser.DurationExprContext> args = c.durationExpr();
        return switch (name) {
            case "step" -> {
                if (!args.isEmpty()) throw error(pos(c), "step() takes no arguments");
                yield times.stepMs() / 1000.0;
            }
            case "range" -> {
                if (!args.isEmpty()) throw error(pos(c), "range() takes no arguments");
                yield (times.endMs() - times.startMs()) / 1000.0;
            }
            case "min_of", "max_of" -> {
                if (args.size() != 2) throw error(pos(c), name + "() takes two arguments");
                double a = durationSeconds(args.get(0)), b = durationSeconds(args.get(1));
                yield name.equals("min_of") ? Math.min(a, b) : Math.max(a, b);
            }
            default -> throw error(pos(c), "unknown function with name " + dev.vigil.query.ast.Printer.quote(
                    c.IDENTIFIER().getText()) + " in duration expression");
        };
    }

    private long durationExprMs(PromQLParser.DurationExprContext ctx, boolean positive) {
        if (ctx instanceof PromQLParser.DurationLiteralContext l && l.getStart().getType() == PromQLLexer.DURATION) {
            try {
                long ms = Literals.durationMs(l.getStart().getText()); // exact: 1s1ms must stay 1001ms
                if (positive && ms <= 0) throw error(pos(ctx), "duration must be greater than 0");
                return ms;
            } catch (Literals.BadLiteral e) {
                throw error(pos(ctx), e.getMessage());
            }
        }
        double s = durationSeconds(ctx);
        if (Double.isNaN(s) || Double.isInfinite(s) || Math.abs(s) > Long.MAX_VALUE / 1e9) {
            throw error(pos(ctx), "duration out of range");
        }
        long ms = (long) (s * 1000);
        if (positive && ms <= 0) throw error(pos(ctx), "duration must be greater than 0");
        return ms;
    }

    private long offsetMs(PromQLParser.OffsetValueContext o) {
        double s;
        if (o.durationCall() != null) {
            s = durationCall(o.durationCall());
        } else if (o.durationExpr() != null) {
            s = durationSeconds(o.durationExpr());
        } else {
            s = literalSeconds(o.getStop());
        }
        if (o.SUB() != null) s = -s;
        if (Double.isNaN(s) || Double.isInfinite(s) || Math.abs(s) > Long.MAX_VALUE / 1e9) {
            throw error(pos(o), "duration out of range");
        }
        return (long) (s * 1000);
    }

    @Override
    public Expr visitStartOrEnd(PromQLParser.StartOrEndContext ctx) {
        long ms = ctx.START() != null ? times.startMs() : times.endMs();
        return new NumberLiteral(ms / 1000.0, pos(ctx));
    }

    @Override
    public Expr visitExtensionModifier(PromQLParser.ExtensionModifierContext ctx) {
        Expr inner = visit(ctx.expr());
        Token word = ctx.getStop();
        VectorSelector.Extension ext = ctx.ANCHORED() != null ? VectorSelector.Extension.ANCHORED
                : VectorSelector.Extension.SMOOTHED;
        PositionRange p = pos(ctx);
        return switch (inner) {
            case VectorSelector v when v.extension() == VectorSelector.Extension.NONE -> v.withExtension(ext, p);
            case MatrixSelector m when m.selector().extension() == VectorSelector.Extension.NONE ->
                    new MatrixSelector(m.selector().withExtension(ext, m.selector().position()), m.rangeMs(), p);
            default -> throw error(pos(word), word.getText() + " modifier must follow a vector selector or range "
                    + "vector selector");
        };
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
        Double fillLeft = null, fillRight = null;
        for (PromQLParser.FillModifierContext f : mod.fillModifier()) {
            double v = numberValue(f.getChild(f.getChildCount() - 2) instanceof org.antlr.v4.runtime.tree.TerminalNode n
                    ? n.getSymbol() : f.getStop());
            if (f.SUB() != null) v = -v;
            if (f.kind.getType() != PromQLLexer.FILL_RIGHT) fillLeft = v;
            if (f.kind.getType() != PromQLLexer.FILL_LEFT) fillRight = v;
        }
        return new BinaryExpr(op, lhs, rhs, returnBool,
                new VectorMatching(card, matching, on, include, fillLeft, fillRight), pos(ctx));
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
        String lower = name.getText().toLowerCase(Locale.ROOT);
        if (lower.equals("step") || lower.equals("range") || lower.equals("min_of") || lower.equals("max_of")) {
            return new NumberLiteral(constantCall(lower, args(ctx.functionArgs()), pos(ctx)), pos(ctx));
        }
        Function f = Functions.get(name.getText())
                .orElseThrow(() -> error(pos(name), "unknown function with name " + dev.vigil.query.ast.Printer.quote(
                        name.getText())));
        return new Call(f, args(ctx.functionArgs()), pos(ctx));
    }

    /** step(), range(), min_of(a, b), max_of(a, b) used as values: constants for this query. */
    private double constantCall(String name, List<Expr> args, PositionRange p) {
        switch (name) {
            case "step", "range" -> {
                if (!args.isEmpty()) throw error(p, name + "() takes no arguments");
                return (name.equals("step") ? times.stepMs() : times.endMs() - times.startMs()) / 1000.0;
            }
            default -> {
                if (args.size() != 2) throw error(p, name + "() takes two arguments");
                double a = constant(args.get(0)), b = constant(args.get(1));
                return name.equals("min_of") ? Math.min(a, b) : Math.max(a, b);
            }
        }
    }

    private double constant(Expr e) {
        return switch (e) {
            case NumberLiteral n -> n.value();
            case ParenExpr pe -> constant(pe.expr());
            case UnaryExpr u -> u.op() == UnaryExpr.Op.MINUS ? -constant(u.expr()) : constant(u.expr());
            case BinaryExpr b when !b.op().isComparison() && !b.op().isSetOperator() -> {
                double l = constant(b.lhs()), r = constant(b.rhs());
                yield switch (b.op()) {
                    case ADD -> l + r;
                    case SUB -> l - r;
                    case MUL -> l * r;
                    case DIV -> l / r;
                    case MOD -> l % r;
                    case POW -> Math.pow(l, r);
                    default -> Math.atan2(l, r);
                };
            }
            default -> throw error(e.position(), "expected a duration expression");
        };
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
        long range = durationExprMs(ctx.durationExpr(), true);
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
        long range = durationExprMs(ctx.durationExpr(0), true);
        long step = ctx.durationExpr().size() > 1 ? durationExprMs(ctx.durationExpr(1), true) : 0;
        return new SubqueryExpr(inner, range, step, 0, null, pos(ctx));
    }

    @Override
    public Expr visitOffsetModifier(PromQLParser.OffsetModifierContext ctx) {
        Expr inner = visit(ctx.expr());
        long offset = offsetMs(ctx.offsetValue());
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
