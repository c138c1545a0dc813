/**
 * The PromQL abstract syntax tree: one immutable record per node kind under the sealed {@link dev.vigil.query.ast.Expr},
 * each carrying its {@link dev.vigil.query.ast.PositionRange} in the query text; function signatures
 * ({@link dev.vigil.query.ast.Functions}); and the canonical {@link dev.vigil.query.ast.Printer}. Nodes are safe to
 * share between threads and queries (the parsed-query cache does). Nothing here depends on ANTLR.
 */
package dev.vigil.query.ast;
