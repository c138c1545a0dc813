package dev.vigil.ingest.parse;

import java.util.Locale;

/**
 * The text exposition formats Vigil scrapes, chosen by response Content-Type like Prometheus's
 * {@code textparse.New}.
 */
public enum ExpositionFormat {
    /** {@code text/plain} version 0.0.4 or 1.0.0: timestamps in integer milliseconds. */
    PROMETHEUS_TEXT,
    /** {@code application/openmetrics-text} 0.0.1 or 1.0.0: {@code # EOF}, timestamps in seconds. */
    OPENMETRICS_TEXT;

    /**
     * The Accept header Prometheus 3.x sends with its default {@code scrape_protocols}
     * (OpenMetricsText1.0.0, OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4) and the
     * UTF-8 escaping scheme {@code allow-utf-8}, built as {@code scrape/scrape.go} acceptHeader does
     * (weights from 0.6 down, as its header table has five protocols). Protobuf is not offered: Vigil
     * does not parse it.
     */
    public static final String ACCEPT_HEADER =
            "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,"
                    + "application/openmetrics-text;version=0.0.1;q=0.5,"
                    + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,"
                    + "text/plain;version=0.0.4;q=0.3,"
                    + "*/*;q=0.2";

    /**
     * The format for a response Content-Type: {@code application/openmetrics-text} is OpenMetrics;
     * {@code text/plain}, a missing or blank header, or an unrecognised media type fall back to the
     * Prometheus text format (Prometheus itself fails such scrapes unless {@code
     * fallback_scrape_protocol} is set; Vigil assumes the most common format instead).
     */
    public static ExpositionFormat forContentType(String contentType) {
        if (contentType == null) return PROMETHEUS_TEXT;
        int semi = contentType.indexOf(';');
        String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return media.equals("application/openmetrics-text") ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
    }

    /** A new parser for this format; parsers are reusable but not thread-safe. */
    public ExpositionParser newParser() {
        return new ExpositionParser(this);
    }
}
