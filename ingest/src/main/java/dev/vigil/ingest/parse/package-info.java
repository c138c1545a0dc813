/**
 * Streaming parsers for the Prometheus text exposition format (0.0.4 and 1.0.0, which adds quoted
 * UTF-8 names) and OpenMetrics 1.0 text.
 *
 * <p>{@link dev.vigil.ingest.parse.ExpositionParser} walks a scrape body byte by byte and reports
 * each sample to a {@link dev.vigil.ingest.parse.SampleSink} as a slice of the body (the raw
 * series text: metric name and label block) plus its hash, value and timestamp. Nothing is
 * allocated per sample: a scrape cache maps the raw series text to a series ref and only asks the
 * parser for {@link dev.vigil.tsdb.Labels} on a miss. Metadata (TYPE, HELP, UNIT) arrives once per
 * family as Strings.
 *
 * <p>Syntax and error messages follow Prometheus 3.x's {@code model/textparse} ({@code
 * promparse.go}, {@code openmetricsparse.go}); every error is a {@link
 * dev.vigil.ingest.parse.ParseException} naming the line and column.
 * {@link dev.vigil.ingest.parse.ExpositionFormat} picks the parser from a Content-Type and holds
 * the Accept header Prometheus sends.
 */
package dev.vigil.ingest.parse;
