/**
 * The PromQL evaluator: {@link dev.vigil.query.eval.Engine} runs instant and range queries over a tsdb
 * {@link dev.vigil.tsdb.Querier} and returns a {@link dev.vigil.query.eval.Value} with its annotations.
 */
package dev.vigil.query.eval;
