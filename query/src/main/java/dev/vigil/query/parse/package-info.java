/**
 * The PromQL parser: {@link dev.vigil.query.parse.PromqlParser#parse(String)} turns query text into a
 * {@link dev.vigil.query.ast.Expr} or throws {@link dev.vigil.query.parse.PromqlParseException}. This is the only
 * package that imports the ANTLR-generated code (in {@code target/generated-sources/antlr4}); everything else sees
 * records of {@code dev.vigil.query.ast}.
 */
package dev.vigil.query.parse;
