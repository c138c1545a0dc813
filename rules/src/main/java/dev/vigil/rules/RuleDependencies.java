package dev.vigil.rules;

import dev.vigil.query.ast.AggregateExpr;
import dev.vigil.query.ast.BinaryExpr;
import dev.vigil.query.ast.Call;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.MatrixSelector;
import dev.vigil.query.ast.NumberLiteral;
import dev.vigil.query.ast.ParenExpr;
import dev.vigil.query.ast.StringLiteral;
import dev.vigil.query.ast.SubqueryExpr;
import dev.vigil.query.ast.UnaryExpr;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.util.List;

/**
 * Which rules of a group may read what an earlier rule of the same group writes, so that rules that cannot are
 * evaluated concurrently (like Prometheus 3's concurrent-rule-eval) while the results stay those of in-order
 * evaluation. Conservative: a selector without a metric-name constraint, or an alert template that runs
 * {@code query}, depends on every earlier rule.
 */
final class RuleDependencies {
    private RuleDependencies() {}

    /**
     * The wave of each rule: a rule runs after every earlier rule it may read from, so its wave is one more than the
     * highest wave among those; rules of one wave are independent of each other.
     */
    static int[] waves(List<Rule> rules) {
        int[] wave = new int[rules.size()];
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            int w = 0;
            for (int j = 0; j < i; j++) {
                if (mayRead(r, rules.get(j))) w = Math.max(w, wave[j] + 1);
            }
            wave[i] = w;
        }
        return wave;
    }

    static boolean mayRead(Rule reader, Rule writer) {
        if (reader instanceof AlertingRule ar && ar.templatesQuery()) return true;
        if (writer instanceof RecordingRule) return reads(reader.expr, writer.name);
        return reads(reader.expr, "ALERTS") || reads(reader.expr, "ALERTS_FOR_STATE");
    }

    /** Whether some selector in {@code e} may select series named {@code metric}. */
    static boolean reads(Expr e, String metric) {
        return switch (e) {
            case VectorSelector vs -> selects(vs, metric);
            case MatrixSelector ms -> selects(ms.selector(), metric);
            case SubqueryExpr sq -> reads(sq.expr(), metric);
            case ParenExpr p -> reads(p.expr(), metric);
            case UnaryExpr u -> reads(u.expr(), metric);
            case BinaryExpr b -> reads(b.lhs(), metric) || reads(b.rhs(), metric);
            case AggregateExpr a -> reads(a.expr(), metric) || (a.param() != null && reads(a.param(), metric));
            case Call c -> c.args().stream().anyMatch(x -> reads(x, metric));
            case NumberLiteral n -> false;
            case StringLiteral s -> false;
        };
    }

    private static boolean selects(VectorSelector vs, String metric) {
        if (vs.name() != null && !vs.name().isEmpty() && !vs.name().equals(metric)) return false;
        for (Matcher m : vs.matchers()) {
            if (m.name().equals(Labels.METRIC_NAME) && !m.matches(metric)) return false;
        }
        return true;
    }
}
