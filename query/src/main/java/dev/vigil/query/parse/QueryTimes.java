package dev.vigil.query.parse;

/**
 * The query parameters that Prometheus's duration expressions read: {@code step()}, {@code range()} (end - start),
 * and {@code start()} / {@code end()} used as values. They are resolved while parsing, so a query that uses them
 * parses to a different AST for different parameters. Epoch milliseconds; an instant query has step and range 0.
 */
public record QueryTimes(long startMs, long endMs, long stepMs) {
    /** For parsing without a query (formatting, validation): every parameter is 0. */
    public static final QueryTimes NONE = new QueryTimes(0, 0, 0);

    public static QueryTimes instant(long t) {
        return new QueryTimes(t, t, 0);
    }
}
