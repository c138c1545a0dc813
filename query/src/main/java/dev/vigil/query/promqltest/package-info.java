/**
 * A runner for Prometheus's promqltest {@code .test} files ({@code load}, {@code clear}, {@code eval}), used by the
 * conformance tests and by {@code bin/vigil promqltest}. The language is specified in
 * {@code shared/promql-conformance/DSL.md}.
 */
package dev.vigil.query.promqltest;
