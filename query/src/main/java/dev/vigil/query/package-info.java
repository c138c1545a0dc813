/** PromQL: parser (ANTLR grammar to AST) and evaluator over the tsdb {@code Querier}. */
package dev.vigil.query;
