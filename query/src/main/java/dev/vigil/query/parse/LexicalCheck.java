package dev.vigil.query.parse;

import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.ast.Printer;
import dev.vigil.query.parse.antlr.PromQLLexer;
import java.util.List;
import org.antlr.v4.runtime.Token;

/**
 * One pass over the token list that finds what Prometheus's hand-written lexer rejects (stray characters, unterminated
 * strings, unbalanced brackets, numbers run into letters) and guards nesting depth before the recursive-descent parser
 * runs. Prometheus's lexer runs lazily behind its parser, so a lexer error only wins when no syntax error comes before
 * it; {@link PromqlParser} applies that rule with {@link #firstError}.
 */
final class LexicalCheck {
    /**
     * Deepest nesting of brackets and unary signs accepted. Each level costs a few stack frames in the ANTLR parser
     * and in the AST visitor; 256 stays far below the 512 KiB default thread stack and far above real queries.
     */
    static final int MAX_DEPTH = 256;

    /** The first lexer error, or {@code null}. */
    final PromqlParseException firstError;
    /** The offset of the token where Prometheus's lexer meets {@link #firstError}. */
    final int firstErrorAt;

    private LexicalCheck(PromqlParseException firstError, int firstErrorAt) {
        this.firstError = firstError;
        this.firstErrorAt = firstErrorAt;
    }

    /** @throws PromqlParseException when the nesting is deeper than {@link #MAX_DEPTH} */
    static LexicalCheck scan(String query, List<Token> tokens) {
        int parenDepth = 0;
        boolean inBraces = false;
        boolean inBrackets = false;
        int unaryRun = 0;
        int prevType = -1;
        for (Token t : tokens) {
            int start = t.getStartIndex();
            String error = null;
            if (inBraces && !allowedInBraces(t)) {
                String text = t.getText();
                int bad = 0;
                if (t.getType() == PromQLLexer.METRIC_IDENTIFIER) {
                    bad = text.indexOf(':');
                }
                if (t.getType() != PromQLLexer.UNTERMINATED_STRING) {
                    start += bad;
                    error = "unexpected character inside braces: " + quoteRune(text.codePointAt(bad));
                }
            }
            if (error == null) switch (t.getType()) {
                case Token.EOF -> {
                    start = query.length();
                    if (inBraces) {
                        error = "unexpected end of input inside braces";
                    } else if (parenDepth > 0) {
                        error = "unclosed left parenthesis";
                    } else if (inBrackets) {
                        error = "unclosed left bracket";
                    }
                }
                case PromQLLexer.ERROR_CHAR -> {
                    int cp = query.codePointAt(start);
                    error = (inBraces ? "unexpected character inside braces: " : "unexpected character: ") + quoteRune(cp);
                }
                case PromQLLexer.UNTERMINATED_STRING ->
                        error = t.getText().startsWith("`") ? "unterminated raw string" : "unterminated quoted string";
                case PromQLLexer.BAD_NUMBER -> error = "bad number or duration syntax: " + Printer.quote(t.getText());
                case PromQLLexer.LEFT_PAREN -> {
                    parenDepth++;
                    if (parenDepth + unaryRun > MAX_DEPTH) {
                        throw tooDeep(query, t);
                    }
                }
                case PromQLLexer.RIGHT_PAREN -> {
                    parenDepth--;
                    if (parenDepth < 0) {
                        error = "unexpected right parenthesis ')'";
                        start = t.getStopIndex() + 1; // Prometheus reports it after the parenthesis
                    }
                }
                case PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX -> {
                    if (!inBraces) {
                        error = "unexpected character after '" + t.getText().charAt(0) + "': '~'";
                    }
                }
                case PromQLLexer.LEFT_BRACE -> {
                    if (inBraces) {
                        error = "unexpected character inside braces: '{'";
                    }
                    inBraces = true;
                }
                case PromQLLexer.RIGHT_BRACE -> {
                    if (!inBraces) {
                        error = "unexpected right brace '}'";
                    }
                    inBraces = false;
                }
                case PromQLLexer.LEFT_BRACKET -> {
                    if (inBrackets) {
                        error = "unexpected left bracket '['";
                    }
                    inBrackets = true;
                }
                case PromQLLexer.RIGHT_BRACKET -> {
                    if (!inBrackets) {
                        error = "unexpected right bracket ']'";
                    }
                    inBrackets = false;
                }
                case PromQLLexer.ADD, PromQLLexer.SUB -> {
                    if (isPrefixPosition(prevType)) {
                        unaryRun++;
                        if (parenDepth + unaryRun > MAX_DEPTH) {
                            throw tooDeep(query, t);
                        }
                    }
                }
                default -> unaryRun = 0;
            }
            if (error != null) {
                return new LexicalCheck(PromqlParseException.of(query, new PositionRange(start, query.length()), error),
                        Math.min(start, t.getType() == Token.EOF ? query.length() : t.getStartIndex()));
            }
            prevType = t.getType();
        }
        return new LexicalCheck(null, Integer.MAX_VALUE);
    }

    /** Prometheus's lexer, inside braces, knows only words, strings, commas, matcher operators and "}". */
    private static boolean allowedInBraces(Token t) {
        return switch (t.getType()) {
            case Token.EOF, PromQLLexer.STRING, PromQLLexer.COMMA, PromQLLexer.EQL, PromQLLexer.NEQ,
                 PromQLLexer.EQL_REGEX, PromQLLexer.NEQ_REGEX, PromQLLexer.RIGHT_BRACE, PromQLLexer.EQLC -> true;
            case PromQLLexer.METRIC_IDENTIFIER -> false;
            default -> Character.isLetter(t.getText().charAt(0)) || t.getText().charAt(0) == '_';
        };
    }

    /** Whether a sign after a token of this type is a unary operator. */
    private static boolean isPrefixPosition(int prevType) {
        return switch (prevType) {
            case -1, PromQLLexer.LEFT_PAREN, PromQLLexer.COMMA, PromQLLexer.ADD, PromQLLexer.SUB, PromQLLexer.MUL,
                 PromQLLexer.DIV, PromQLLexer.MOD, PromQLLexer.POW, PromQLLexer.EQLC, PromQLLexer.NEQ, PromQLLexer.GTR,
                 PromQLLexer.LSS, PromQLLexer.GTE, PromQLLexer.LTE, PromQLLexer.AND, PromQLLexer.OR,
                 PromQLLexer.UNLESS, PromQLLexer.ATAN2, PromQLLexer.BOOL -> true;
            default -> false;
        };
    }

    private static PromqlParseException tooDeep(String query, Token t) {
        return PromqlParseException.of(query, new PositionRange(t.getStartIndex(), t.getStopIndex() + 1),
                "expression nested too deeply (more than " + MAX_DEPTH + " levels)");
    }

    /** A rune as Go's {@code %q} prints it: {@code 'x'}, {@code '\n'}, {@code '\x00'}, {@code '\u00a0'}. */
    static String quoteRune(int cp) {
        if (cp == '\'') {
            return "'\\''";
        }
        if (cp == '"') {
            return "'\"'";
        }
        String q = Printer.quote(new String(Character.toChars(cp)));
        return "'" + q.substring(1, q.length() - 1) + "'";
    }
}
