package dev.vigil.query.eval;

import java.util.Map;

/**
 * Where evaluated queries are reported, one entry per query, as Prometheus's engine reports them
 * to its {@code query_log_file}: the API's queries and the rule evaluations alike. Implementations
 * must not throw and should be quick: they run on the querying thread.
 */
@FunctionalInterface
public interface QueryLog {
    /** Logs nothing. */
    QueryLog NONE = e -> {};

    void logged(Entry e);

    /**
     * One evaluated query.
     *
     * @param startMs the evaluation time of an instant query, the first step of a range query
     * @param stepMs 0 for an instant query
     * @param error why it failed, or null
     * @param queueNanos time spent waiting for a concurrency slot
     * @param evalNanos time spent evaluating
     * @param origin who asked, Prometheus's way: {@code httpRequest} (clientIP, method, path) or
     *     {@code ruleGroup} (file, name), mapping to an object
     */
    record Entry(String query, long startMs, long endMs, long stepMs, String error, long queueNanos, long evalNanos,
            Map<String, Object> origin) {}
}
