/**
 * Prometheus relabeling ({@code relabel_configs}, {@code metric_relabel_configs}): {@link
 * dev.vigil.ingest.relabel.RelabelConfig} describes one rule, validated at construction like
 * Prometheus's {@code relabel.Config.Validate}; {@link dev.vigil.ingest.relabel.Relabel#process}
 * applies a list of rules to a {@link dev.vigil.tsdb.Labels} and returns the result, or {@code
 * null} when a rule dropped the set.
 *
 * <p>Semantics follow Prometheus 3.x {@code model/relabel/relabel.go}: regexes are RE2 (RE2/J),
 * fully anchored and compiled in dot-all mode; replacements expand {@code $1}, {@code ${1}},
 * {@code $name} and {@code $$} exactly like Go's {@code regexp.Expand}; {@code hashmod} uses the
 * last 8 bytes of the MD5 of the joined source values, so it shards targets exactly as Prometheus
 * does. Label names are validated with the UTF-8 scheme by default (Prometheus 3.x), or the legacy
 * scheme when a rule asks for it.
 */
package dev.vigil.ingest.relabel;
