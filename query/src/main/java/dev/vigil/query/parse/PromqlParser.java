package dev.vigil.query.parse;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.PositionRange;
import dev.vigil.query.parse.antlr.PromQLLexer;
import dev.vigil.query.parse.antlr.PromQLParser;
import java.util.Objects;
import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.Token;

/**
 * Parses PromQL (Prometheus 3.x syntax) into an AST.
 *
 * <p>Design notes. The ANTLR grammar ({@code PromQL.g4}) carries no actions. A parse is four steps: (1) lex the whole
 * query; {@link LexicalCheck} finds what Prometheus's lexer rejects and refuses nesting deeper than
 * {@link LexicalCheck#MAX_DEPTH}, so a hostile query cannot overflow the stack; (2) the generated parser builds a parse
 * tree, and the first syntax error throws through {@link SyntaxErrorListener}; (3) {@link AstBuilder} makes records and
 * applies the grammar actions' checks; (4) {@link TypeChecker} applies Prometheus's {@code checkAST}. Messages follow
 * Prometheus so that clients showing them see what they would see there. Only the first error is reported.
 *
 * <p>Thread-safe: every call uses its own lexer and parser (ANTLR's prediction cache is shared and synchronised).
 */
public final class PromqlParser {
    private PromqlParser() {
    }

    /**
     * Parses one PromQL expression.
     *
     * @param query the query text; comments ({@code # ...}) and white space are ignored
     * @return the type-checked expression, with positions into {@code query}
     * @throws PromqlParseException if {@code query} is not valid PromQL; its position lies within the query
     */
    public static Expr parse(String query) {
        return parse(query, QueryTimes.NONE);
    }

    /**
     * Parses with the query's parameters, which duration expressions ({@code step()}, {@code range()}) and
     * {@code start()} / {@code end()} used as values resolve to.
     */
    public static Expr parse(String query, QueryTimes times) {
        Objects.requireNonNull(query, "query");
        var lexer = new PromQLLexer(CharStreams.fromString(query));
        lexer.removeErrorListeners(); // ERROR_CHAR matches anything the other rules do not, so the lexer never fails
        var tokens = new CommonTokenStream(lexer);
        tokens.fill();
        if (tokens.get(0).getType() == Token.EOF) {
            throw PromqlParseException.of(query, new PositionRange(0, 0), "no expression found in input");
        }
        LexicalCheck lexical = LexicalCheck.scan(query, tokens.getTokens());
        var parser = new PromQLParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(new SyntaxErrorListener(query, lexical.firstError, lexical.firstErrorAt));
        try {
            PromQLParser.QueryContext tree = parser.query();
            if (lexical.firstError != null) {
                throw lexical.firstError;
            }
            Expr expr = new AstBuilder(query, times).build(tree);
            return new TypeChecker(query).check(expr);
        } catch (StackOverflowError e) {
            // LexicalCheck bounds nesting; a very long chain of binary operators can still build a deep tree.
            throw PromqlParseException.of(query, new PositionRange(0, query.length()), "expression too complex");
        }
    }
}
