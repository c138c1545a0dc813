package dev.vigil.ingest.parse;

import java.util.Locale;

/** Metric family types of the text formats; {@code untyped} (0.0.4) is {@link #UNKNOWN}. */
public enum MetricType {
    COUNTER,
    GAUGE,
    HISTOGRAM,
    GAUGEHISTOGRAM,
    SUMMARY,
    INFO,
    STATESET,
    UNKNOWN;

    /** The name Prometheus's {@code /api/v1/metadata} reports, e.g. {@code "gaugehistogram"}. */
    public String apiName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
