/**
 * The {@code prometheus.yml} model and its strict parser. {@link dev.vigil.ingest.config.ConfigParser}
 * turns a file into an immutable {@link dev.vigil.ingest.config.PrometheusConfig} with Prometheus
 * 3.x defaults applied (scrape configs inherit the global interval, timeout and limits), or throws
 * a {@link dev.vigil.ingest.config.ConfigException} naming file, line, column and key.
 * {@link dev.vigil.ingest.CheckConfig} is {@code vigil check config}.
 */
package dev.vigil.ingest.config;
