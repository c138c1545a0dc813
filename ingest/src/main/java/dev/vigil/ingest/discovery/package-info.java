/**
 * Service discovery: {@link dev.vigil.ingest.discovery.Discoverer}s report target groups ({@code
 * static_configs}, {@code file_sd_configs}, {@code http_sd_configs}, {@code dns_sd_configs}); a
 * {@link dev.vigil.ingest.discovery.TargetGroupSet} merges those of one scrape job or Alertmanager
 * set into its current list of groups.
 */
package dev.vigil.ingest.discovery;
