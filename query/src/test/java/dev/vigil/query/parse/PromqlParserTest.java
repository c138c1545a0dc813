package dev.vigil.query.parse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.vigil.query.ast.AggregateExpr;
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
import dev.vigil.query.ast.VectorSelector;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Table tests modelled on Prometheus's promql/parser/parse_test.go and printer_test.go. */
class PromqlParserTest {

    /** A valid query, its canonical text, and the kind and type of its root. */
    record Valid(String input, String printed, Class<? extends Expr> kind, ValueType type) {
        @Override
        public String toString() {
            return input;
        }
    }

    /** An invalid query and the full message and start offset Prometheus reports. */
    record Invalid(String input, String message, int start) {
        @Override
        public String toString() {
            return input;
        }
    }

    private static final ValueType S = ValueType.SCALAR;
    private static final ValueType V = ValueType.VECTOR;
    private static final ValueType M = ValueType.MATRIX;
    private static final ValueType STR = ValueType.STRING;

    static Stream<Valid> valid() {
        return Stream.of(
                // Numbers.
                new Valid("1", "1", NumberLiteral.class, S),
                new Valid("+Inf", "+Inf", NumberLiteral.class, S),
                new Valid("-Inf", "-Inf", NumberLiteral.class, S),
                new Valid("inf", "+Inf", NumberLiteral.class, S),
                new Valid("NaN", "NaN", NumberLiteral.class, S),
                new Valid("nAn", "NaN", NumberLiteral.class, S),
                new Valid(".5", "0.5", NumberLiteral.class, S),
                new Valid("5.", "5", NumberLiteral.class, S),
                new Valid("123.4567", "123.4567", NumberLiteral.class, S),
                new Valid("5e-3", "0.005", NumberLiteral.class, S),
                new Valid("5e3", "5000", NumberLiteral.class, S),
                new Valid("0xc", "12", NumberLiteral.class, S),
                new Valid("0755", "493", NumberLiteral.class, S),
                new Valid("+5.5e-3", "0.0055", NumberLiteral.class, S),
                new Valid("-0755", "-493", NumberLiteral.class, S),
                new Valid("1e20", "100000000000000000000", NumberLiteral.class, S),
                new Valid("1m", "60", NumberLiteral.class, S),
                new Valid("1h30m", "5400", NumberLiteral.class, S),
                new Valid("500ms", "0.5", NumberLiteral.class, S),
                // Scalar arithmetic and precedence.
                new Valid("1 + 1", "1 + 1", BinaryExpr.class, S),
                new Valid("1 - 1", "1 - 1", BinaryExpr.class, S),
                new Valid("1 * 1", "1 * 1", BinaryExpr.class, S),
                new Valid("1 % 1", "1 % 1", BinaryExpr.class, S),
                new Valid("1 / 1", "1 / 1", BinaryExpr.class, S),
                new Valid("1 == bool 1", "1 == bool 1", BinaryExpr.class, S),
                new Valid("1 != bool 1", "1 != bool 1", BinaryExpr.class, S),
                new Valid("1 > bool 1", "1 > bool 1", BinaryExpr.class, S),
                new Valid("1 >= bool 1", "1 >= bool 1", BinaryExpr.class, S),
                new Valid("1 < bool 1", "1 < bool 1", BinaryExpr.class, S),
                new Valid("1 <= bool 1", "1 <= bool 1", BinaryExpr.class, S),
                new Valid("-1^2", "-1 ^ 2", UnaryExpr.class, S),
                new Valid("-1*2", "-1 * 2", BinaryExpr.class, S),
                new Valid("-1+2", "-1 + 2", BinaryExpr.class, S),
                new Valid("-1^-2", "-1 ^ -2", UnaryExpr.class, S),
                new Valid("+1 + -2 * 1", "1 + -2 * 1", BinaryExpr.class, S),
                new Valid("1 + 2/(3*1)", "1 + 2 / (3 * 1)", BinaryExpr.class, S),
                new Valid("1 < bool 2 - 1 * 2", "1 < bool 2 - 1 * 2", BinaryExpr.class, S),
                new Valid("2 ^ 3 ^ 2", "2 ^ 3 ^ 2", BinaryExpr.class, S),
                new Valid("1 atan2 2", "1 atan2 2", BinaryExpr.class, S),
                new Valid("-some_metric", "-some_metric", UnaryExpr.class, V),
                new Valid("+some_metric", "+some_metric", UnaryExpr.class, V),
                new Valid(" +{\"some_metric\"}", "+{__name__=\"some_metric\"}", UnaryExpr.class, V),
                new Valid("1 # a comment\n + 2", "1 + 2", BinaryExpr.class, S),
                // Vector binary operations.
                new Valid("foo * bar", "foo * bar", BinaryExpr.class, V),
                new Valid("foo * sum", "foo * sum", BinaryExpr.class, V),
                new Valid("foo == 1", "foo == 1", BinaryExpr.class, V),
                new Valid("foo == bool 1", "foo == bool 1", BinaryExpr.class, V),
                new Valid("2.5 / bar", "2.5 / bar", BinaryExpr.class, V),
                new Valid("foo and bar", "foo and bar", BinaryExpr.class, V),
                new Valid("foo AND bar", "foo and bar", BinaryExpr.class, V),
                new Valid("foo or bar", "foo or bar", BinaryExpr.class, V),
                new Valid("foo unless bar", "foo unless bar", BinaryExpr.class, V),
                new Valid("foo + bar or bla and blub", "foo + bar or bla and blub", BinaryExpr.class, V),
                new Valid("foo and bar unless baz or qux", "foo and bar unless baz or qux", BinaryExpr.class, V),
                new Valid("bar + on(foo) bla / on(baz, buz) group_right(test) blub",
                        "bar + on (foo) bla / on (baz, buz) group_right (test) blub", BinaryExpr.class, V),
                new Valid("foo * on(test,blub) bar", "foo * on (test, blub) bar", BinaryExpr.class, V),
                new Valid("foo * on(test,blub) group_left bar", "foo * on (test, blub) group_left () bar",
                        BinaryExpr.class, V),
                new Valid("foo and on(test,blub) bar", "foo and on (test, blub) bar", BinaryExpr.class, V),
                new Valid("foo and on() bar", "foo and on () bar", BinaryExpr.class, V),
                new Valid("foo and ignoring(test,blub) bar", "foo and ignoring (test, blub) bar", BinaryExpr.class, V),
                new Valid("foo and ignoring() bar", "foo and bar", BinaryExpr.class, V),
                new Valid("foo unless on(bar) baz", "foo unless on (bar) baz", BinaryExpr.class, V),
                new Valid("foo / on(test,blub) group_left(bar) bar",
                        "foo / on (test, blub) group_left (bar) bar", BinaryExpr.class, V),
                new Valid("foo / ignoring(test,blub) group_left(blub) bar",
                        "foo / ignoring (test, blub) group_left (blub) bar", BinaryExpr.class, V),
                new Valid("foo - on(test,blub) group_right(bar,foo) bar",
                        "foo - on (test, blub) group_right (bar, foo) bar", BinaryExpr.class, V),
                new Valid("foo > bool on(a) bar", "foo > bool on (a) bar", BinaryExpr.class, V),
                new Valid("foo * on(\"a.b\") bar", "foo * on (\"a.b\") bar", BinaryExpr.class, V),
                // Vector selectors.
                new Valid("foo", "foo", VectorSelector.class, V),
                new Valid("min", "min", VectorSelector.class, V),
                new Valid("offset{step=\"1s\"}[5m]", "offset{step=\"1s\"}[5m]", MatrixSelector.class, M),
                new Valid("foo offset 5m", "foo offset 5m", VectorSelector.class, V),
                new Valid("foo offset -7m", "foo offset -7m", VectorSelector.class, V),
                new Valid("foo OFFSET 1h30m", "foo offset 1h30m", VectorSelector.class, V),
                new Valid("foo OFFSET 1m30ms", "foo offset 1m30ms", VectorSelector.class, V),
                new Valid("foo offset 90", "foo offset 1m30s", VectorSelector.class, V),
                new Valid("foo @ 1603774568", "foo @ 1603774568.000", VectorSelector.class, V),
                new Valid("foo @ -100", "foo @ -100.000", VectorSelector.class, V),
                new Valid("foo @ .3", "foo @ 0.300", VectorSelector.class, V),
                new Valid("foo @ 3.", "foo @ 3.000", VectorSelector.class, V),
                new Valid("foo @ 3.33", "foo @ 3.330", VectorSelector.class, V),
                new Valid("foo @ 3.3333", "foo @ 3.333", VectorSelector.class, V),
                new Valid("foo @ 3.3335", "foo @ 3.334", VectorSelector.class, V),
                new Valid("foo @ 3e2", "foo @ 300.000", VectorSelector.class, V),
                new Valid("foo @ 3e-1", "foo @ 0.300", VectorSelector.class, V),
                new Valid("foo @ 0xA", "foo @ 10.000", VectorSelector.class, V),
                new Valid("foo @ -3e-1", "foo @ -0.300", VectorSelector.class, V),
                new Valid("foo @ start()", "foo @ start()", VectorSelector.class, V),
                new Valid("foo @ end()", "foo @ end()", VectorSelector.class, V),
                new Valid("foo offset 5m @ 10", "foo @ 10.000 offset 5m", VectorSelector.class, V),
                new Valid("foo @ 10 offset 5m", "foo @ 10.000 offset 5m", VectorSelector.class, V),
                new Valid("foo:bar{a=\"bc\"}", "foo:bar{a=\"bc\"}", VectorSelector.class, V),
                new Valid("foo{NaN='bc'}", "foo{NaN=\"bc\"}", VectorSelector.class, V),
                new Valid("foo{bar='}'}", "foo{bar=\"}\"}", VectorSelector.class, V),
                new Valid("foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\"}",
                        "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}", VectorSelector.class, V),
                new Valid("foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}",
                        "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}", VectorSelector.class, V),
                new Valid("{__name__=~\"foo.+\",__name__=~\".*bar\"}",
                        "{__name__=~\".*bar\",__name__=~\"foo.+\"}", VectorSelector.class, V),
                new Valid("foo{job=~\".*\", a=\"b\"}", "foo{a=\"b\",job=~\".*\"}", VectorSelector.class, V),
                new Valid("{by=\"x\", on=\"y\", and=\"z\", offset=\"w\"}",
                        "{and=\"z\",by=\"x\",offset=\"w\",on=\"y\"}", VectorSelector.class, V),
                new Valid("{\"my.metric\", \"a.b\"=\"x\"}", "{\"a.b\"=\"x\",__name__=\"my.metric\"}",
                        VectorSelector.class, V),
                new Valid("{\"foo\"}", "{__name__=\"foo\"}", VectorSelector.class, V),
                new Valid("{'foo', bar=`x\\y`}", "{__name__=\"foo\",bar=\"x\\\\y\"}", VectorSelector.class, V),
                new Valid("foo{a=\"\\u00e9\\n\\x41\\101\"}", "foo{a=\"éAA\\n\"}".replace("éAA\\n", "é\\nAA"),
                        VectorSelector.class, V),
                // Range selectors and subqueries.
                new Valid("test[5s]", "test[5s]", MatrixSelector.class, M),
                new Valid("test[5m]", "test[5m]", MatrixSelector.class, M),
                new Valid("test[5m30s]", "test[5m30s]", MatrixSelector.class, M),
                new Valid("test[5h] OFFSET 5m", "test[5h] offset 5m", MatrixSelector.class, M),
                new Valid("test[5d] OFFSET 10s", "test[5d] offset 10s", MatrixSelector.class, M),
                new Valid("test[5w] offset 2w", "test[5w] offset 2w", MatrixSelector.class, M),
                new Valid("foo[5y1hs]".replace("1hs", "1h"), "foo[1825d1h]", MatrixSelector.class, M),
                new Valid("test[1000ms]", "test[1s]", MatrixSelector.class, M),
                new Valid("test[1001ms]", "test[1s1ms]", MatrixSelector.class, M),
                new Valid("test[1002ms]", "test[1s2ms]", MatrixSelector.class, M),
                new Valid("test[90]", "test[1m30s]", MatrixSelector.class, M),
                new Valid("test[1.5]", "test[1s500ms]", MatrixSelector.class, M),
                new Valid("test{a=\"b\"}[5y] OFFSET 3d", "test{a=\"b\"}[5y] offset 3d", MatrixSelector.class, M),
                new Valid("test{a=\"b\"}[5m] @ 500", "test{a=\"b\"}[5m] @ 500.000", MatrixSelector.class, M),
                new Valid("test[5m] @ start() offset 1m", "test[5m] @ start() offset 1m", MatrixSelector.class, M),
                new Valid("foo[10m:6s]", "foo[10m:6s]", SubqueryExpr.class, M),
                new Valid("foo[10m:]", "foo[10m:]", SubqueryExpr.class, M),
                new Valid("foo[10m5s:1h6ms]", "foo[10m5s:1h6ms]", SubqueryExpr.class, M),
                new Valid("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])",
                        "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])", Call.class, V),
                new Valid("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]",
                        "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]", SubqueryExpr.class, M),
                new Valid("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]",
                        "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]", SubqueryExpr.class, M),
                new Valid("min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091)[4m:3s]",
                        "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091.000)[4m:3s]", SubqueryExpr.class,
                        M),
                new Valid("sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]",
                        "sum without (and, by, avg, count, alert, annotations) (some_metric)[30m:10s]",
                        SubqueryExpr.class, M),
                new Valid("some_metric OFFSET 1m [10m:5s]", "some_metric offset 1m[10m:5s]", SubqueryExpr.class, M),
                new Valid("some_metric @ 123 [10m:5s]", "some_metric @ 123.000[10m:5s]", SubqueryExpr.class, M),
                new Valid("(foo + bar{nm=\"val\"})[5m:]", "(foo + bar{nm=\"val\"})[5m:]", SubqueryExpr.class, M),
                new Valid("(foo + bar{nm=\"val\"})[5m:] offset 10m", "(foo + bar{nm=\"val\"})[5m:] offset 10m",
                        SubqueryExpr.class, M),
                new Valid("(foo + bar{nm=\"val\"} @ 1234)[5m:] @ 1603775019",
                        "(foo + bar{nm=\"val\"} @ 1234.000)[5m:] @ 1603775019.000", SubqueryExpr.class, M),
                // Aggregations.
                new Valid("sum by (foo)(some_metric)", "sum by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("avg by (foo)(some_metric)", "avg by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("max by (foo)(some_metric)", "max by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("sum without (foo) (some_metric)", "sum without (foo) (some_metric)", AggregateExpr.class,
                        V),
                new Valid("sum (some_metric) without (foo)", "sum without (foo) (some_metric)", AggregateExpr.class,
                        V),
                new Valid("stddev(some_metric)", "stddev(some_metric)", AggregateExpr.class, V),
                new Valid("stdvar by (foo)(some_metric)", "stdvar by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("sum by ()(some_metric)", "sum(some_metric)", AggregateExpr.class, V),
                new Valid("sum by (foo,bar,)(some_metric)", "sum by (foo, bar) (some_metric)", AggregateExpr.class,
                        V),
                new Valid("sum by (foo,)(some_metric)", "sum by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("SUM BY (foo) (some_metric)", "sum by (foo) (some_metric)", AggregateExpr.class, V),
                new Valid("sum without () (some_metric)", "sum without () (some_metric)", AggregateExpr.class, V),
                new Valid("topk(5, some_metric)", "topk(5, some_metric)", AggregateExpr.class, V),
                new Valid("count_values(\"value\", some_metric)", "count_values(\"value\", some_metric)",
                        AggregateExpr.class, V),
                new Valid("sum without(and, by, avg, count, alert, annotations)(some_metric)",
                        "sum without (and, by, avg, count, alert, annotations) (some_metric)", AggregateExpr.class, V),
                new Valid("sum by (\"foo.bar\") (some_metric)", "sum by (\"foo.bar\") (some_metric)",
                        AggregateExpr.class, V),
                new Valid("quantile(0.9, foo)", "quantile(0.9, foo)", AggregateExpr.class, V),
                new Valid("bottomk(3, foo) by (a)", "bottomk by (a) (3, foo)", AggregateExpr.class, V),
                new Valid("limitk(5, foo)", "limitk(5, foo)", AggregateExpr.class, V),
                new Valid("limit_ratio(0.5, foo)", "limit_ratio(0.5, foo)", AggregateExpr.class, V),
                new Valid("group(foo)", "group(foo)", AggregateExpr.class, V),
                // Functions.
                new Valid("time()", "time()", Call.class, S),
                new Valid("floor(some_metric{foo!=\"bar\"})", "floor(some_metric{foo!=\"bar\"})", Call.class, V),
                new Valid("rate(some_metric[5m])", "rate(some_metric[5m])", Call.class, V),
                new Valid("round(some_metric)", "round(some_metric)", Call.class, V),
                new Valid("round(some_metric, 5)", "round(some_metric, 5)", Call.class, V),
                new Valid("histogram_quantile(0.9, rate(foo[5m]))", "histogram_quantile(0.9, rate(foo[5m]))",
                        Call.class, V),
                new Valid("label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")",
                        "label_replace(up, \"a\", \"$1\", \"b\", \"(.*)\")", Call.class, V),
                new Valid("label_join(up, \"a\", \",\", \"b\", \"c\", \"d\")",
                        "label_join(up, \"a\", \",\", \"b\", \"c\", \"d\")", Call.class, V),
                new Valid("clamp(foo, 0, 1)", "clamp(foo, 0, 1)", Call.class, V),
                new Valid("sort_by_label(foo, \"a\", \"b\")", "sort_by_label(foo, \"a\", \"b\")", Call.class, V),
                new Valid("vector(1)", "vector(1)", Call.class, V),
                new Valid("scalar(foo)", "scalar(foo)", Call.class, S),
                new Valid("absent(nonexistent{job=\"myjob\"})", "absent(nonexistent{job=\"myjob\"})", Call.class, V),
                new Valid("absent_over_time(foo[1m])", "absent_over_time(foo[1m])", Call.class, V),
                new Valid("present_over_time(foo[1m])", "present_over_time(foo[1m])", Call.class, V),
                new Valid("mad_over_time(foo[1m])", "mad_over_time(foo[1m])", Call.class, V),
                new Valid("quantile_over_time(0.5, foo[1m])", "quantile_over_time(0.5, foo[1m])", Call.class, V),
                new Valid("double_exponential_smoothing(foo[1m], 0.5, 0.5)",
                        "double_exponential_smoothing(foo[1m], 0.5, 0.5)", Call.class, V),
                new Valid("predict_linear(foo[1h], 3600)", "predict_linear(foo[1h], 3600)", Call.class, V),
                new Valid("hour()", "hour()", Call.class, V),
                new Valid("day_of_week(foo)", "day_of_week(foo)", Call.class, V),
                new Valid("pi()", "pi()", Call.class, S),
                new Valid("info(foo, {k8s_cluster=~\".+\"})", "info(foo, {k8s_cluster=~\".+\"})", Call.class, V),
                new Valid("rate(foo[5m]) * on (a) group_left (b) sum by (a, b) (bar)",
                        "rate(foo[5m]) * on (a) group_left (b) sum by (a, b) (bar)", BinaryExpr.class, V),
                // Strings and parentheses.
                new Valid("\"double-quoted string \\\" with escape\"", "\"double-quoted string \\\" with escape\"",
                        StringLiteral.class, STR),
                new Valid("'single-quoted string \\' with escape'", "\"single-quoted string ' with escape\"",
                        StringLiteral.class, STR),
                new Valid("`backtick-quoted string`", "\"backtick-quoted string\"", StringLiteral.class, STR),
                new Valid("\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111☺\""
                        .replace("\\xFF\\377", "\\x7F\\177"),
                        "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\x7f\\x7f\u1234\uD800\uDD11\uD800\uDD1111☺\"",
                        StringLiteral.class, STR),
                new Valid("((foo))", "((foo))", ParenExpr.class, V),
                new Valid("(1)", "(1)", ParenExpr.class, S));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void parse_validQuery_printsCanonicalForm(Valid c) {
        Expr e = PromqlParser.parse(c.input());
        assertEquals(c.printed(), Printer.print(e));
        assertInstanceOf(c.kind(), e);
        assertEquals(c.type(), e.type());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("valid")
    void parse_canonicalForm_isAFixedPoint(Valid c) {
        String printed = Printer.print(PromqlParser.parse(c.input()));
        assertEquals(printed, Printer.print(PromqlParser.parse(printed)));
    }

    static Stream<Invalid> invalid() {
        return Stream.of(
                new Invalid("", "unknown position: parse error: no expression found in input", 0),
                new Invalid("# just a comment\n\n", "1:1: parse error: no expression found in input", 0),
                new Invalid("1+", "1:3: parse error: unexpected end of input", 2),
                new Invalid(".", "1:1: parse error: unexpected character: '.'", 0),
                new Invalid("1 /", "1:4: parse error: unexpected end of input", 3),
                new Invalid("*1", "1:1: parse error: unexpected <op:*>", 0),
                new Invalid("(1))", "1:5: parse error: unexpected right parenthesis ')'", 4),
                new Invalid("((1)", "1:5: parse error: unclosed left parenthesis", 4),
                new Invalid("(", "1:2: parse error: unclosed left parenthesis", 1),
                new Invalid("1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression",
                        0),
                new Invalid("1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier", 2),
                new Invalid("1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression",
                        0),
                new Invalid("1 unless 1",
                        "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression", 0),
                new Invalid("1 !~ 1", "1:3: parse error: unexpected character after '!': '~'", 2),
                new Invalid("1 =~ 1", "1:3: parse error: unexpected character after '=': '~'", 2),
                new Invalid("-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type "
                        + "scalar or instant vector, got \"string\"", 0),
                new Invalid("-test[5m]", "1:1: parse error: unary expression only allowed on expressions of type "
                        + "scalar or instant vector, got \"range vector\"", 0),
                new Invalid("*test", "1:1: parse error: unexpected <op:*>", 0),
                new Invalid("@@", "1:1: parse error: unexpected <op:@>", 0),
                new Invalid("1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector "
                        + "selector or range vector selector or a subquery", 0),
                new Invalid("foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times", 0),
                new Invalid("a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>", 10),
                new Invalid("foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar "
                        + "expression", 0),
                new Invalid("1 and foo", "1:1: parse error: set operator \"and\" not allowed in binary scalar "
                        + "expression", 0),
                new Invalid("foo or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar "
                        + "expression", 0),
                new Invalid("foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant "
                        + "vectors", 0),
                new Invalid("foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison "
                        + "operators", 4),
                new Invalid("foo + bool 10", "1:5: parse error: bool modifier can only be used on comparison "
                        + "operators", 4),
                new Invalid("foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison "
                        + "operators", 4),
                new Invalid("foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for "
                        + "\"and\" operation", 0),
                new Invalid("foo and on(bar) group_right(baz) bar", "1:1: parse error: no grouping allowed for "
                        + "\"and\" operation", 0),
                new Invalid("foo or on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"or\" "
                        + "operation", 0),
                new Invalid("foo unless on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for "
                        + "\"unless\" operation", 0),
                new Invalid("http_requests{group=\"production\"} + on(instance) group_left(job,instance) "
                        + "cpu_count{type=\"smp\"}", "1:35: parse error: label \"instance\" must not occur in ON "
                        + "and GROUP clause at once", 34),
                new Invalid("foo + rate(bar)", "1:12: parse error: expected type range vector in call to function "
                        + "\"rate\", got instant vector", 11),
                new Invalid("foo * \"bar\"", "1:7: parse error: binary expression must contain only scalar and "
                        + "instant vector types", 6),
                new Invalid("foo[5m] + 1", "1:1: parse error: binary expression must contain only scalar and "
                        + "instant vector types", 0),
                // Vector selectors.
                new Invalid("{", "1:2: parse error: unexpected end of input inside braces", 1),
                new Invalid("}", "1:1: parse error: unexpected right brace '}'", 0),
                new Invalid("some{", "1:6: parse error: unexpected end of input inside braces", 5),
                new Invalid("some}", "1:5: parse error: unexpected right brace '}'", 4),
                new Invalid("some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, "
                        + "expected string", 14),
                new Invalid("some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'",
                        13),
                new Invalid("foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'", 5),
                new Invalid("foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'", 5),
                new Invalid("foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label "
                        + "matching operator", 13),
                new Invalid("foo{1}", "1:5: parse error: unexpected character inside braces: '1'", 4),
                new Invalid("{}", "1:1: parse error: vector selector must contain at least one non-empty matcher", 0),
                new Invalid("{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty "
                        + "matcher", 0),
                new Invalid("{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty "
                        + "matcher", 0),
                new Invalid("{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty "
                        + "matcher", 0),
                new Invalid("{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty "
                        + "matcher", 0),
                new Invalid("foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" "
                        + "or \"bar\"", 0),
                new Invalid("foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected "
                        + "string", 14),
                new Invalid("foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or "
                        + "\"}\"", 4),
                new Invalid("foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, "
                        + "expected string", 14),
                new Invalid("foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected identifier \"lol\" in label "
                        + "matching, expected \",\" or \"}\"", 19),
                new Invalid("foo{x=~\"(\"}", "1:5: parse error: error parsing regexp: missing closing ): `(`", 4),
                new Invalid("foo{a=\"\\z\"}", "1:7: parse error: error unquoting string \"\\\"\\\\z\\\"\": invalid "
                        + "syntax", 6),
                new Invalid("foo{a=\"b", "1:7: parse error: unterminated quoted string", 6),
                new Invalid("\"x", "1:1: parse error: unterminated quoted string", 0),
                new Invalid("`x", "1:1: parse error: unterminated raw string", 0),
                // Range and subquery.
                new Invalid("foo[5mm]", "1:5: parse error: bad number or duration syntax: \"5mm\"", 4),
                new Invalid("foo[5m1]", "1:5: parse error: bad number or duration syntax: \"5m1\"", 4),
                new Invalid("foo[5m:1m1]", "1:8: parse error: bad number or duration syntax: \"1m1\"", 7),
                new Invalid("foo[5y1hs]", "1:5: parse error: bad number or duration syntax: \"5y1hs\"", 4),
                new Invalid("foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"", 4),
                new Invalid("foo[5m1m]", "1:5: parse error: not a valid duration string: \"5m1m\"", 4),
                new Invalid("foo[0m]", "1:5: parse error: duration must be greater than 0", 4),
                new Invalid("foo[\"5m\"]", "1:5: parse error: unexpected string \"\\\"5m\\\"\" in subquery selector, "
                        + "expected number or duration", 4),
                new Invalid("foo[]", "1:5: parse error: unexpected \"]\" in subquery selector, expected number or "
                        + "duration", 4),
                new Invalid("foo[5m", "1:7: parse error: unclosed left bracket", 6),
                new Invalid("foo[5m]]", "1:8: parse error: unexpected right bracket ']'", 7),
                new Invalid("some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, "
                        + "expected number or duration", 22),
                new Invalid("some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range",
                        21),
                new Invalid("some_metric @ 123 [5m]", "1:19: parse error: no @ modifiers allowed before range", 18),
                new Invalid("(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors", 11),
                new Invalid("foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf", 0),
                new Invalid("foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf", 0),
                new Invalid("foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN", 0),
                new Invalid("foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times", 0),
                new Invalid("foo @ start() @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times",
                        0),
                new Invalid("1 @ 2", "1:1: parse error: @ modifier must be preceded by an instant vector selector or "
                        + "range vector selector or a subquery", 0),
                new Invalid("foo @ bar", "1:7: parse error: unexpected identifier \"bar\" in @, expected timestamp",
                        6),
                new Invalid("test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is only allowed on instant "
                        + "vector, got matrix instead", 0),
                new Invalid("(foo + bar{nm=\"val\"})[5m:][10m:5s]", "1:1: parse error: subquery is only allowed on "
                        + "instant vector, got matrix instead", 0),
                new Invalid("rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector "
                        + "selectors", 14),
                // Aggregations.
                new Invalid("sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, "
                        + "expected label", 12),
                new Invalid("sum without(,)(some_metric)", "1:13: parse error: unexpected \",\" in grouping opts, "
                        + "expected label", 12),
                new Invalid("sum without(foo,,)(some_metric)", "1:17: parse error: unexpected \",\" in grouping "
                        + "opts, expected label", 16),
                new Invalid("sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"",
                        4),
                new Invalid("sum (some_metric) by test", "1:22: parse error: unexpected identifier \"test\" in "
                        + "grouping opts, expected \"(\"", 21),
                new Invalid("sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided",
                        0),
                new Invalid("MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier "
                        + "\"keep_common\"", 4),
                new Invalid("MIN (some_metric) keep_common", "1:19: parse error: unexpected identifier "
                        + "\"keep_common\"", 18),
                new Invalid("sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>", 33),
                new Invalid("sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>", 33),
                new Invalid("topk(some_metric)", "1:1: parse error: wrong number of arguments for aggregate "
                        + "expression provided, expected 2, got 1", 0),
                new Invalid("topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args",
                        16),
                new Invalid("topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in "
                        + "aggregation parameter, got instant vector", 5),
                new Invalid("count_values(5, other_metric)", "1:14: parse error: expected type string in "
                        + "aggregation parameter, got scalar", 13),
                new Invalid("quantile(\"a\", foo)", "1:10: parse error: expected type scalar in aggregation "
                        + "parameter, got string", 9),
                new Invalid("sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation "
                        + "expression, got range vector", 4),
                new Invalid("sum(1, foo)", "1:1: parse error: wrong number of arguments for aggregate expression "
                        + "provided, expected 1, got 2", 0),
                // Functions.
                new Invalid("floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0", 0),
                new Invalid("floor(some_metric, other_metric)", "1:1: parse error: expected 1 argument(s) in call to "
                        + "\"floor\", got 2", 0),
                new Invalid("floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to "
                        + "\"floor\", got 2", 0),
                new Invalid("floor(1)", "1:7: parse error: expected type instant vector in call to function "
                        + "\"floor\", got scalar", 6),
                new Invalid("hour(some_metric, some_metric, some_metric)", "1:1: parse error: expected at most 1 "
                        + "argument(s) in call to \"hour\", got 3", 0),
                new Invalid("time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1",
                        0),
                new Invalid("non_existent_function_far_bar()", "1:1: parse error: unknown function with name "
                        + "\"non_existent_function_far_bar\"", 0),
                new Invalid("rate(some_metric)", "1:6: parse error: expected type range vector in call to function "
                        + "\"rate\", got instant vector", 5),
                new Invalid("label_replace(a, `b`, `c\\xff`, `d`, `.*`)".replace("`c\\xff`", "\"c\\xff\""),
                        "1:23: parse error: error unquoting string \"\\\"c\\\\xff\\\"\": invalid syntax", 22),
                new Invalid("label_join(up)", "1:1: parse error: expected at least 3 argument(s) in call to "
                        + "\"label_join\", got 1", 0),
                new Invalid("round(foo, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to "
                        + "\"round\", got 3", 0),
                new Invalid("histogram_quantile(foo, 0.9)", "1:20: parse error: expected type scalar in call to "
                        + "function \"histogram_quantile\", got instant vector", 19),
                new Invalid("sort_by_label(foo, 1)", "1:20: parse error: expected type string in call to function "
                        + "\"sort_by_label\", got scalar", 19),
                new Invalid("info(foo, bar)", "1:11: parse error: expected label selectors only, got vector selector "
                        + "instead", 10),
                // Lexer-level problems.
                new Invalid("foo ~ bar", "1:5: parse error: unexpected character: '~'", 4),
                new Invalid("foo $ bar", "1:5: parse error: unexpected character: '$'", 4),
                new Invalid("0deadbeef", "1:1: parse error: bad number or duration syntax: \"0deadbeef\"", 0),
                new Invalid("1e", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": "
                        + "invalid syntax", 0),
                new Invalid("foo\n  + *", "2:5: parse error: unexpected <op:*>", 8));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("invalid")
    void parse_invalidQuery_failsLikePrometheus(Invalid c) {
        var e = assertThrows(PromqlParseException.class, () -> PromqlParser.parse(c.input()));
        assertEquals(c.message(), e.getMessage());
        assertEquals(c.start(), e.position().start());
        assertEquals(c.input(), e.query());
        PositionRange p = e.position();
        assertEquals(true, p.start() <= p.end() && p.end() <= c.input().length(), "position " + p + " inside input");
    }
}
