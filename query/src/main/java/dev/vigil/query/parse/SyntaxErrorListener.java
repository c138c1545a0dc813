package dev.vigil.query.parse;

import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.ast.Printer;
import dev.vigil.query.parse.antlr.PromQLLexer;
import dev.vigil.query.parse.antlr.PromQLParser;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.tree.ParseTree;
import org.antlr.v4.runtime.tree.TerminalNode;

/**
 * Replaces ANTLR's console listener: the first syntax error throws a {@link PromqlParseException} worded like
 * Prometheus's {@code unexpected <item> [in <context>][, expected <what>]}, or the lexer error found earlier in the
 * text when that comes first (see {@link LexicalCheck}).
 */
final class SyntaxErrorListener extends BaseErrorListener {
    private final String query;
    private final PromqlParseException lexerError;
    private final int lexerAt;

    /**
     * @param lexerError the first lexer error, or {@code null}
     * @param lexerAt where Prometheus's lexer would meet {@code lexerError}; a syntax error before it wins
     */
    SyntaxErrorListener(String query, PromqlParseException lexerError, int lexerAt) {
        this.query = query;
        this.lexerError = lexerError;
        this.lexerAt = lexerAt;
    }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
            String msg, RecognitionException e) {
        Token t = offendingSymbol instanceof Token tok ? tok : null;
        int start = t == null || t.getType() == Token.EOF ? query.length() : t.getStartIndex();
        int end = t == null || t.getType() == Token.EOF ? query.length() : t.getStopIndex() + 1;
        if (lexerError != null && start >= lexerAt) {
            throw lexerError;
        }
        if (!(recognizer instanceof Parser p) || t == null) {
            throw PromqlParseException.of(query, new PositionRange(start, end), "unexpected " + describe(t));
        }
        Token prev = t.getTokenIndex() > 0 ? p.getInputStream().get(t.getTokenIndex() - 1) : null;
        Token prev2 = t.getTokenIndex() > 1 ? p.getInputStream().get(t.getTokenIndex() - 2) : null;
        ParserRuleContext ctx = p.getContext();
        boolean inMatchers = ctx instanceof PromQLParser.LabelMatchersContext
                || ctx instanceof PromQLParser.LabelMatcherContext || ctx instanceof PromQLParser.MatchOpContext
                || ctx instanceof PromQLParser.LabelNameContext;
        boolean inGrouping = ctx instanceof PromQLParser.GroupingLabelsContext
                || ctx instanceof PromQLParser.GroupingLabelContext || ctx instanceof PromQLParser.GroupingModifierContext
                || (ctx instanceof PromQLParser.LabelNameContext && ctx.getParent() instanceof PromQLParser.GroupingLabelContext);
        if (inMatchers && t.getType() == PromQLLexer.EQLC && isMatcherName(prev)) {
            // Inside braces Prometheus's lexer reads "==" as "=" twice, so the second "=" is the unexpected item.
            throw PromqlParseException.of(query, new PositionRange(start + 1, end),
                    "unexpected \"=\" in label matching, expected string");
        }
        if (t.getType() == PromQLLexer.RIGHT_PAREN && type(prev) == PromQLLexer.COMMA && !inGrouping && !inMatchers) {
            throw PromqlParseException.of(query, new PositionRange(prev.getStartIndex(), prev.getStopIndex() + 1),
                    "trailing commas not allowed in function call args");
        }
        String context;
        if (inGrouping && !(ctx instanceof PromQLParser.GroupingModifierContext)) {
            context = switch (type(prev)) {
                case PromQLLexer.LEFT_PAREN, PromQLLexer.COMMA -> " in grouping opts, expected label";
                case PromQLLexer.BY, PromQLLexer.WITHOUT -> " in grouping opts, expected \"(\"";
                default -> " in grouping opts, expected \",\" or \")\"";
            };
        } else if (inMatchers) {
            context = switch (type(prev)) {
                case PromQLLexer.LEFT_BRACE, PromQLLexer.COMMA -> " in label matching, expected identifier or \"}\"";
                case PromQLLexer.EQL, PromQLLexer.NEQ, PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX ->
                        " in label matching, expected string";
                case PromQLLexer.STRING -> isMatchOp(prev2) ? " in label matching, expected \",\" or \"}\""
                        : " in label matching, expected \",\" or \"}\"";
                default -> isMatcherName(prev) ? " in label matching, expected label matching operator"
                        : " in label matching, expected \",\" or \"}\"";
            };
        } else {
            context = switch (type(prev)) {
                case PromQLLexer.LEFT_BRACKET -> " in subquery selector, expected number or duration";
                case PromQLLexer.COLON -> " in subquery selector, expected number or duration or \"]\"";
                case PromQLLexer.DURATION, PromQLLexer.NUMBER -> switch (type(prev2)) {
                    case PromQLLexer.LEFT_BRACKET -> " in subquery or range, expected \":\" or \"]\"";
                    case PromQLLexer.COLON -> " in subquery selector, expected \"]\"";
                    default -> context(ctx);
                };
                case PromQLLexer.OFFSET -> ctx instanceof PromQLParser.OffsetModifierContext
                        || ctx instanceof PromQLParser.DurationContext || ctx instanceof PromQLParser.OffsetValueContext
                        ? " in offset, expected number or duration" : context(ctx);
                case PromQLLexer.AT -> " in @, expected timestamp";
                default -> context(ctx);
            };
        }
        throw PromqlParseException.of(query, new PositionRange(start, end), "unexpected " + describe(t) + context);
    }

    private static int type(Token t) {
        return t == null ? -1 : t.getType();
    }

    private static boolean isMatchOp(Token t) {
        int type = type(t);
        return type == PromQLLexer.EQL || type == PromQLLexer.NEQ || type == PromQLLexer.EQL_REGEX
                || type == PromQLLexer.NEQ_REGEX;
    }

    /** Whether a token inside braces can be a label name (Prometheus lexes every word there as an identifier). */
    private static boolean isMatcherName(Token t) {
        int type = type(t);
        return type == PromQLLexer.IDENTIFIER || type == PromQLLexer.STRING
                || (type != -1 && Character.isLetter(t.getText().charAt(0)));
    }

    /** Prometheus's {@code Item.desc()} for a token. */
    static String describe(Token t) {
        if (t == null || t.getType() == Token.EOF) {
            return "end of input";
        }
        String text = t.getText();
        return switch (t.getType()) {
            case PromQLLexer.IDENTIFIER -> "identifier " + Printer.quote(text);
            case PromQLLexer.METRIC_IDENTIFIER -> "metric identifier " + Printer.quote(text);
            case PromQLLexer.NUMBER, PromQLLexer.INF, PromQLLexer.NAN -> "number " + shortQuote(text);
            case PromQLLexer.DURATION -> "duration " + shortQuote(text);
            case PromQLLexer.STRING -> "string " + shortQuote(text);
            case PromQLLexer.EQL -> "\"=\"";
            case PromQLLexer.ADD, PromQLLexer.SUB, PromQLLexer.MUL, PromQLLexer.DIV, PromQLLexer.MOD, PromQLLexer.POW,
                 PromQLLexer.EQLC, PromQLLexer.NEQ, PromQLLexer.LTE, PromQLLexer.LSS, PromQLLexer.GTE, PromQLLexer.GTR,
                 PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX, PromQLLexer.AND, PromQLLexer.OR,
                 PromQLLexer.UNLESS, PromQLLexer.ATAN2, PromQLLexer.AT -> "<op:" + text + ">";
            case PromQLLexer.SUM, PromQLLexer.AVG, PromQLLexer.COUNT, PromQLLexer.MIN, PromQLLexer.MAX,
                 PromQLLexer.GROUP, PromQLLexer.STDDEV, PromQLLexer.STDVAR, PromQLLexer.TOPK, PromQLLexer.BOTTOMK,
                 PromQLLexer.COUNT_VALUES, PromQLLexer.QUANTILE, PromQLLexer.LIMITK, PromQLLexer.LIMIT_RATIO ->
                    "<aggr:" + text + ">";
            case PromQLLexer.OFFSET, PromQLLexer.BY, PromQLLexer.WITHOUT, PromQLLexer.ON, PromQLLexer.IGNORING,
                 PromQLLexer.GROUP_LEFT, PromQLLexer.GROUP_RIGHT, PromQLLexer.BOOL, PromQLLexer.START, PromQLLexer.END ->
                    "<" + text + ">";
            default -> Printer.quote(text);
        };
    }

    /** Go's {@code %q}, or {@code %.10q...} for text longer than ten characters, as Prometheus's {@code Item.String()}. */
    private static String shortQuote(String text) {
        if (text.codePointCount(0, text.length()) > 10) {
            return Printer.quote(text.substring(0, text.offsetByCodePoints(0, 10))) + "...";
        }
        return Printer.quote(text);
    }

    /** The {@code " in <context>, expected <what>"} part Prometheus's grammar adds for some rules. */
    private static String context(ParserRuleContext ctx) {
        if (ctx == null) {
            return "";
        }
        ParseTree last = ctx.getChildCount() == 0 ? null : ctx.getChild(ctx.getChildCount() - 1);
        return switch (ctx) {
            case PromQLParser.LabelMatchersContext c -> lastIs(last, PromQLLexer.LEFT_BRACE, PromQLLexer.COMMA)
                    ? " in label matching, expected identifier or \"}\""
                    : " in label matching, expected \",\" or \"}\"";
            case PromQLParser.LabelMatcherContext c -> c.matchOp() == null
                    ? (c.getChildCount() == 0 ? " in label matching, expected identifier or \"}\""
                            : " in label matching, expected label matching operator")
                    : " in label matching, expected string";
            case PromQLParser.MatchOpContext c -> " in label matching, expected label matching operator";
            case PromQLParser.LabelNameContext c -> context((ParserRuleContext) c.getParent());
            case PromQLParser.GroupingLabelsContext c -> {
                if (last == null) {
                    yield " in grouping opts, expected \"(\"";
                }
                yield lastIs(last, PromQLLexer.LEFT_PAREN, PromQLLexer.COMMA)
                        ? " in grouping opts, expected label" : " in grouping opts, expected \",\" or \")\"";
            }
            case PromQLParser.GroupingLabelContext c -> " in grouping opts, expected label";
            case PromQLParser.GroupingModifierContext c -> " in grouping opts, expected \"(\"";
            case PromQLParser.AggregationContext c -> " in aggregation";
            case PromQLParser.AtTimeContext c -> " in @, expected timestamp";
            case PromQLParser.OffsetModifierContext c -> " in offset, expected number or duration";
            case PromQLParser.DurationContext c -> context((ParserRuleContext) c.getParent());
            case PromQLParser.OffsetValueContext c -> " in offset, expected number or duration";
            case PromQLParser.DurationExprContext c -> context((ParserRuleContext) c.getParent());
            case PromQLParser.MatrixSelectorContext c -> bracketContext(last);
            case PromQLParser.SubqueryContext c -> bracketContext(last);
            default -> "";
        };
    }

    private static String bracketContext(ParseTree last) {
        if (lastIs(last, PromQLLexer.LEFT_BRACKET)) {
            return " in subquery selector, expected number or duration";
        }
        if (lastIs(last, PromQLLexer.COLON)) {
            return " in subquery selector, expected number or duration or \"]\"";
        }
        if (last instanceof PromQLParser.DurationExprContext d && d.getParent() instanceof PromQLParser.SubqueryContext s
                && s.COLON() != null) {
            return " in subquery selector, expected \"]\"";
        }
        return " in subquery or range, expected \":\" or \"]\"";
    }

    private static boolean lastIs(ParseTree last, int... types) {
        if (last instanceof TerminalNode n) {
            for (int type : types) {
                if (n.getSymbol().getType() == type) {
                    return true;
                }
            }
        }
        return false;
    }
}
