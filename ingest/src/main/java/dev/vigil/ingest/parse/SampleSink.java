package dev.vigil.ingest.parse;

/**
 * Receives what {@link ExpositionParser#parse} finds, in input order, on the parsing thread.
 *
 * <p>{@link #sample} is the hot path and gets primitives only. The byte slice it names is valid
 * only during the call: copy it to keep it.
 */
public interface SampleSink {
    /** The {@code timestampMs} of a sample that carried no timestamp. */
    long NO_TIMESTAMP = Long.MIN_VALUE;

    /**
     * One float sample.
     *
     * @param buf the scrape body; do not modify
     * @param seriesStart first byte of the raw series text (metric name and label block, as written)
     * @param seriesEnd one past its last byte
     * @param seriesHash {@link SeriesHash#hash} of that slice: equal texts give equal hashes in every
     *     process; different texts that denote the same label set (spacing, label order) differ;
     *     0 when the sink {@link #predict predicted} the series
     * @param value the value; any NaN is reported as Prometheus's normal NaN (never the stale marker)
     * @param timestampMs epoch millis, or {@link #NO_TIMESTAMP}
     */
    void sample(byte[] buf, int seriesStart, int seriesEnd, long seriesHash, double value, long timestampMs);

    /**
     * Asked before a series text is parsed: true when the sink has seen exactly these bytes in an
     * earlier {@link #sample} from a parser of the same format (a scrape-cache hit). The parser
     * then skips parsing and validating the labels, which were valid then and, being the same
     * bytes, are valid now; {@link #sample} follows for the line as usual. Answering true for any
     * other text lets invalid input through. False by default.
     *
     * @param seriesStart first byte of the series text
     * @param seriesEnd one past its last byte, as {@link #sample} will report it
     * @param seriesHash {@link SeriesHash#hash} of the slice
     */
    default boolean known(byte[] buf, int seriesStart, int seriesEnd, long seriesHash) {
        return false;
    }

    /**
     * Asked first, before the parser looks at a series text: when the sink expects a particular
     * series next (a scrape cache in the target's usual order) and {@code buf} at {@code
     * seriesStart} holds exactly the bytes of that series as an earlier {@link #sample} from a
     * parser of the same format reported them, their length; else -1. The parser checks that the
     * text really ends there and then treats it as {@link #known}, without scanning or hashing
     * it; the {@link #sample} that follows carries a series hash of 0. -1 by default.
     *
     * @param limit the end of the input: the expected bytes must end at or before it
     */
    default int predict(byte[] buf, int seriesStart, int limit) {
        return -1;
    }

    /**
     * The exemplar of the sample just reported (OpenMetrics only), called right after that {@link
     * #sample}. Ignored by default.
     *
     * @param labelsStart first byte of the exemplar's label block, its opening brace; pass the slice
     *     to {@link ExpositionParser#labels} to get the exemplar labels
     * @param labelsEnd one past the closing brace
     * @param value the exemplar value
     * @param timestampMs epoch millis, or {@link #NO_TIMESTAMP}
     */
    default void exemplar(byte[] buf, int labelsStart, int labelsEnd, double value, long timestampMs) {}

    /** A {@code # HELP} line, unescaped. */
    default void help(String metricFamily, String help) {}

    /** A {@code # TYPE} line. */
    default void type(String metricFamily, MetricType type) {}

    /** A {@code # UNIT} line (OpenMetrics only); the unit may be empty. */
    default void unit(String metricFamily, String unit) {}
}
