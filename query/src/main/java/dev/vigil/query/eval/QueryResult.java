package dev.vigil.query.eval;

import java.util.List;

/**
 * A query's value and its annotations, each already formatted as Prometheus shows them, e.g. {@code PromQL info:
 * metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "x" (1:6)}.
 */
public record QueryResult(Value value, List<String> warnings, List<String> infos) {
    public QueryResult {
        warnings = List.copyOf(warnings);
        infos = List.copyOf(infos);
    }
}
