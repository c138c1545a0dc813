package dev.vigil.rules;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.eval.Value;

/**
 * How rules reach the PromQL engine: evaluate a parsed expression at one instant. Rules never see the storage's read
 * side directly, so tests can substitute anything that answers queries.
 *
 * @see RuleManager the production implementation over {@link dev.vigil.query.eval.Engine} and a tsdb Storage
 */
@FunctionalInterface
public interface QueryFunction {
    /**
     * @param tMs evaluation time, epoch millis
     * @throws dev.vigil.query.eval.QueryException on an evaluation error or a limit
     */
    Value query(Expr expr, String text, long tMs);
}
