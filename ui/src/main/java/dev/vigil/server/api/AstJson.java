package dev.vigil.server.api;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.AtModifier;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.ValueType;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Matcher;
import java.util.List;

/**
 * {@code /api/v1/parse_query}: the AST as Prometheus's {@code translateAST} renders it for its UI's
 * tree view (keys in Go's sorted map order).
 */
final class AstJson {
    private AstJson() {}

    static String of(Expr e) {
        Json j = new Json();
        write(j, e);
        return j.toString();
    }

    private static void write(Json j, Expr e) {
        if (e == null) {
            j.raw("null");
            return;
        }
        switch (e) {
            case AggregateExpr a -> {
                j.beginObject().name("expr");
                write(j, a.expr());
                j.name("grouping");
                strings(j, a.grouping());
                j.field("op", a.op().symbol()).name("param");
                write(j, a.param());
                j.field("type", "aggregation").field("without", a.without()).endObject();
            }
            case BinaryExpr b -> {
                j.beginObject().field("bool", b.returnBool()).name("lhs");
                write(j, b.lhs());
                j.name("matching");
                if (b.matching() == null) {
                    j.raw("null");
                } else {
                    j.beginObject().field("card", b.matching().card().name().toLowerCase().replace('_', '-')).name("include");
                    strings(j, b.matching().include());
                    j.name("labels");
                    strings(j, b.matching().matchingLabels());
                    j.field("on", b.matching().on()).endObject();
                }
                j.field("op", b.op().symbol()).name("rhs");
                write(j, b.rhs());
                j.field("type", "binaryExpr").endObject();
            }
            case Call c -> {
                j.beginObject().name("args").beginArray();
                for (Expr a : c.args()) write(j, a);
                j.endArray().name("func").beginObject().name("argTypes").beginArray();
                for (ValueType t : c.function().argTypes()) j.value(t.shortName());
                j.endArray().field("name", c.function().name()).field("returnType", c.function().returnType().shortName())
                        .field("variadic", c.function().variadic()).endObject().field("type", "call").endObject();
            }
            case MatrixSelector m -> {
                VectorSelector vs = m.selector();
                j.beginObject().name("matchers");
                matchers(j, vs.matchers());
                j.field("name", vs.name() == null ? "" : vs.name()).field("offset", vs.offsetMs()).field("range", m.rangeMs());
                at(j, vs.at());
                j.field("type", "matrixSelector").endObject();
            }
            case SubqueryExpr s -> {
                j.beginObject().name("expr");
                write(j, s.expr());
                j.field("offset", s.offsetMs()).field("range", s.rangeMs());
                startOrEnd(j, s.at());
                j.field("step", s.stepMs());
                timestamp(j, s.at());
                j.field("type", "subquery").endObject();
            }
            case NumberLiteral n -> j.beginObject().field("type", "numberLiteral").field("val", Json.formatValue(n.value())).endObject();
            case ParenExpr p -> {
                j.beginObject().name("expr");
                write(j, p.expr());
                j.field("type", "parenExpr").endObject();
            }
            case StringLiteral s -> j.beginObject().field("type", "stringLiteral").field("val", s.value()).endObject();
            case UnaryExpr u -> {
                j.beginObject().name("expr");
                write(j, u.expr());
                j.field("op", u.op().symbol()).field("type", "unaryExpr").endObject();
            }
            case VectorSelector vs -> {
                j.beginObject().name("matchers");
                matchers(j, vs.matchers());
                j.field("name", vs.name() == null ? "" : vs.name()).field("offset", vs.offsetMs());
                at(j, vs.at());
                j.field("type", "vectorSelector").endObject();
            }
            default -> throw new IllegalStateException("unsupported node " + e.getClass().getSimpleName());
        }
    }

    /** startOrEnd then timestamp, which sort around other keys differently per node. */
    private static void at(Json j, AtModifier at) {
        startOrEnd(j, at);
        timestamp(j, at);
    }

    private static void startOrEnd(Json j, AtModifier at) {
        j.name("startOrEnd");
        if (at == null || at.kind() == AtModifier.Kind.TIMESTAMP) j.raw("null");
        else j.value(at.kind() == AtModifier.Kind.START ? "start" : "end");
    }

    private static void timestamp(Json j, AtModifier at) {
        j.name("timestamp");
        if (at == null || at.kind() != AtModifier.Kind.TIMESTAMP) j.raw("null");
        else j.value(at.timestampMs());
    }

    private static void strings(Json j, List<String> l) {
        j.beginArray();
        if (l != null) for (String s : l) j.value(s);
        j.endArray();
    }

    private static void matchers(Json j, List<Matcher> ms) {
        j.beginArray();
        for (Matcher m : ms) j.beginObject().field("name", m.name()).field("type", m.type().symbol()).field("value", m.value()).endObject();
        j.endArray();
    }
}
