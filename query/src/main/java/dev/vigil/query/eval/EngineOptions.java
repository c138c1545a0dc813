package dev.vigil.query.eval;

import java.time.Duration;

/**
 * Engine settings, with Prometheus's names and defaults.
 *
 * @param lookbackDeltaMs how far back an instant selector looks for a sample ({@code --query.lookback-delta}, 5m)
 * @param defaultSubqueryStepMs the step of a subquery written without one ({@code [5m:]}), 1m
 * @param maxSamples the most samples held in memory at once ({@code --query.max-samples}, 50M)
 * @param timeoutMs the longest a query may run ({@code --query.timeout}, 2m)
 * @param delayedNameRemoval drop {@code __name__} at the end of evaluation instead of where a function drops it
 *     (Prometheus's {@code promql-delayed-name-removal} feature)
 * @param maxPointsPerSeries the most steps a range query may have (Prometheus rejects more than 11,000)
 * @param maxSeriesPerSelector the most series one selector may select, 0 for no limit; more is an
 *     {@link QueryException.Kind#EXECUTION} error, raised before the samples are loaded
 */
public record EngineOptions(long lookbackDeltaMs, long defaultSubqueryStepMs, long maxSamples, long timeoutMs,
        boolean delayedNameRemoval, int maxPointsPerSeries, int maxSeriesPerSelector) {

    /** Without a series limit (the options before that limit existed). */
    public EngineOptions(long lookbackDeltaMs, long defaultSubqueryStepMs, long maxSamples, long timeoutMs,
            boolean delayedNameRemoval, int maxPointsPerSeries) {
        this(lookbackDeltaMs, defaultSubqueryStepMs, maxSamples, timeoutMs, delayedNameRemoval, maxPointsPerSeries, 0);
    }

    public static EngineOptions defaults() {
        return new EngineOptions(Duration.ofMinutes(5).toMillis(), Duration.ofMinutes(1).toMillis(), 50_000_000,
                Duration.ofMinutes(2).toMillis(), false, 11_000, 0);
    }

    public EngineOptions withMaxSeriesPerSelector(int n) {
        return new EngineOptions(lookbackDeltaMs, defaultSubqueryStepMs, maxSamples, timeoutMs, delayedNameRemoval,
                maxPointsPerSeries, n);
    }

    public EngineOptions withLookbackDelta(long ms) {
        return new EngineOptions(ms, defaultSubqueryStepMs, maxSamples, timeoutMs, delayedNameRemoval, maxPointsPerSeries, maxSeriesPerSelector);
    }

    public EngineOptions withMaxSamples(long n) {
        return new EngineOptions(lookbackDeltaMs, defaultSubqueryStepMs, n, timeoutMs, delayedNameRemoval, maxPointsPerSeries, maxSeriesPerSelector);
    }

    public EngineOptions withTimeout(long ms) {
        return new EngineOptions(lookbackDeltaMs, defaultSubqueryStepMs, maxSamples, ms, delayedNameRemoval, maxPointsPerSeries, maxSeriesPerSelector);
    }

    public EngineOptions withDelayedNameRemoval(boolean on) {
        return new EngineOptions(lookbackDeltaMs, defaultSubqueryStepMs, maxSamples, timeoutMs, on, maxPointsPerSeries, maxSeriesPerSelector);
    }
}
