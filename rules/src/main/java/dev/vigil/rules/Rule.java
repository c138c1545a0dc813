package dev.vigil.rules;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.Printer;
import dev.vigil.query.eval.Engine;
import dev.vigil.tsdb.Labels;
import java.util.Map;

/**
 * A recording or alerting rule: its parsed expression, its labels (group labels merged under its own) and the outcome
 * of its last evaluation. Evaluation runs on the group's thread; the outcome fields are volatile so API snapshots
 * read them without locking.
 */
public abstract sealed class Rule permits RecordingRule, AlertingRule {
    final String name;
    final String exprText;
    final Expr expr;
    final Map<String, String> labels;
    volatile RuleHealth health = RuleHealth.UNKNOWN;
    volatile String lastError;
    volatile long lastEvaluationMs;
    volatile long evaluationTimeNanos;

    Rule(String name, String exprText, Map<String, String> labels) {
        this.name = name;
        this.exprText = exprText;
        this.expr = Engine.parse(exprText);
        this.labels = labels;
    }

    public String name() {
        return name;
    }

    /** The expression as Prometheus prints it in the API (normalised by the PromQL printer). */
    public String query() {
        return Printer.print(expr);
    }

    public Map<String, String> labels() {
        return labels;
    }

    public RuleHealth health() {
        return health;
    }

    public String lastError() {
        return lastError;
    }

    public long lastEvaluationMs() {
        return lastEvaluationMs;
    }

    public long evaluationTimeNanos() {
        return evaluationTimeNanos;
    }

    /**
     * Evaluates the rule at {@code tMs} (the group's evaluation time) querying at {@code tMs - queryOffsetMs}.
     * Returns the samples to append, as parallel arrays in {@link Output}.
     *
     * @throws RuntimeException an evaluation error: the caller records it as the rule's lastError
     */
    abstract Output eval(long tMs, long queryOffsetMs, QueryFunction query, int limit);

    /** A rule's query result as a vector: a scalar is one sample without labels, as in Prometheus. */
    static dev.vigil.query.eval.Value.Vector asVector(dev.vigil.query.eval.Value v, long t) {
        return switch (v) {
            case dev.vigil.query.eval.Value.Vector vec -> vec;
            case dev.vigil.query.eval.Value.Scalar s -> new dev.vigil.query.eval.Value.Vector(
                    new Labels[] {Labels.EMPTY}, new long[] {t}, new double[] {s.v()});
            default -> throw dev.vigil.query.eval.QueryException.execution("rule result is not a vector or scalar");
        };
    }

    /** Samples to append: labels, one timestamp for all (the query time) and values. */
    record Output(Labels[] labels, double[] values, long t) {}

    static Labels applyLabels(Labels base, Map<String, String> extra, String metricName, boolean dropName) {
        Labels.Builder b = base.toBuilder();
        if (dropName) b.remove(Labels.METRIC_NAME);
        if (metricName != null) b.set(Labels.METRIC_NAME, metricName);
        for (Map.Entry<String, String> e : extra.entrySet()) {
            if (e.getValue().isEmpty()) b.remove(e.getKey());
            else b.set(e.getKey(), e.getValue());
        }
        return b.build();
    }
}
