package dev.vigil.query.ast;

/** Aggregation operators. */
public enum AggregateOp {
    SUM, AVG, COUNT, MIN, MAX, GROUP, STDDEV, STDVAR, TOPK, BOTTOMK, COUNT_VALUES, QUANTILE, LIMITK, LIMIT_RATIO;

    /** The operator as written in PromQL, e.g. {@code count_values}. */
    public String symbol() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Whether the operator takes a parameter before the vector ({@code topk(3, x)}). */
    public boolean hasParam() {
        return switch (this) {
            case TOPK, BOTTOMK, COUNT_VALUES, QUANTILE, LIMITK, LIMIT_RATIO -> true;
            default -> false;
        };
    }

    /** Prometheus 3.x puts these behind {@code --enable-feature=promql-experimental-functions}. */
    public boolean isExperimental() {
        return this == LIMITK || this == LIMIT_RATIO;
    }
}
