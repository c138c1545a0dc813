/**
 * Prometheus's JSON log files ({@code query_log_file}, {@code scrape_failure_log_file}): one JSON
 * object per line, in the shape of Go's {@code slog} JSON handler, which is what tools that read
 * Prometheus's files expect.
 */
package dev.vigil.ingest.log;
