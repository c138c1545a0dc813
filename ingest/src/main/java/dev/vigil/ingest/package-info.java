/** Scraping and ingestion: configuration, discovery, relabeling, exposition parsers, scrape loops, remote-write decoding. */
package dev.vigil.ingest;
