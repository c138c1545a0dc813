package dev.vigil.ingest.scrape;

import dev.vigil.ingest.parse.MetricType;

/**
 * What a target's TYPE, HELP and UNIT lines say about a metric family, for {@code
 * /api/v1/metadata} and {@code /api/v1/targets/metadata}.
 *
 * @param help empty when the target gave none
 * @param unit empty when the target gave none (only OpenMetrics has units)
 */
public record MetricMetadata(MetricType type, String help, String unit) {
    static final MetricMetadata NONE = new MetricMetadata(MetricType.UNKNOWN, "", "");

    MetricMetadata withType(MetricType t) {
        return t == type ? this : new MetricMetadata(t, help, unit);
    }

    MetricMetadata withHelp(String h) {
        return h.equals(help) ? this : new MetricMetadata(type, h, unit);
    }

    MetricMetadata withUnit(String u) {
        return u.equals(unit) ? this : new MetricMetadata(type, help, u);
    }
}
