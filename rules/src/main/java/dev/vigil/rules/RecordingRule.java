package dev.vigil.rules;

import dev.vigil.query.eval.QueryException;
import dev.vigil.query.eval.Value;
import dev.vigil.tsdb.Labels;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A recording rule: the query's samples renamed to the record name, with the rule's labels applied. */
public final class RecordingRule extends Rule {

    public RecordingRule(String name, String exprText, Map<String, String> labels) {
        super(name, exprText, labels);
    }

    @Override
    Output eval(long tMs, long queryOffsetMs, QueryFunction query, int limit) {
        long qt = tMs - queryOffsetMs;
        Value v = query.query(expr, exprText, qt);
        Value.Vector result = asVector(v, qt);
        Labels[] in = result.labels();
        double[] vs = result.vs();
        Labels[] out = new Labels[in.length];
        Set<Labels> seen = new HashSet<>();
        for (int i = 0; i < in.length; i++) {
            out[i] = applyLabels(in[i], labels, name, false);
            if (!seen.add(out[i])) {
                throw QueryException.execution("vector contains metrics with the same labelset after applying rule labels");
            }
        }
        if (limit > 0 && out.length > limit) {
            throw QueryException.execution("exceeded limit of " + limit + " with " + out.length + " series");
        }
        return new Output(out, vs.clone(), qt);
    }
}
