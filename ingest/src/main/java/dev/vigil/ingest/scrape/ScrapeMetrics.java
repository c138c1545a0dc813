package dev.vigil.ingest.scrape;

import dev.vigil.tsdb.AppendStatus;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of all scrape loops of a manager, for self-monitoring (Prometheus's {@code
 * prometheus_target_*} families). Thread-safe; loops add, readers sum.
 */
public final class ScrapeMetrics {
    private final LongAdder scrapes = new LongAdder();
    private final LongAdder failedScrapes = new LongAdder();
    private final LongAdder sampleLimitExceeded = new LongAdder();
    /** How a scrape refused for {@code body_size_limit} starts its error. */
    static final String BODY_SIZE_LIMIT_ERROR = "body size limit exceeded";
    private final LongAdder bodySizeLimitExceeded = new LongAdder();
    private final LongAdder samplesAppended = new LongAdder();
    private final LongAdder[] rejected = new LongAdder[AppendStatus.REASONS];

    public ScrapeMetrics() {
        for (int i = 0; i < rejected.length; i++) rejected[i] = new LongAdder();
    }

    void scrape(boolean failed, String error, int samples) {
        scrapes.increment();
        samplesAppended.add(samples);
        if (!failed) return;
        failedScrapes.increment();
        if (error.equals("sample limit exceeded")) sampleLimitExceeded.increment();
        else if (error.startsWith(BODY_SIZE_LIMIT_ERROR)) bodySizeLimitExceeded.increment();
    }

    void countRejected(long code) {
        rejected[(int) (-code - 1)].increment();
    }

    /** Scrapes done, successful or not. */
    public long scrapes() {
        return scrapes.sum();
    }

    /** Scrapes that failed (fetch, parse, limits); their targets reported {@code up 0}. */
    public long failedScrapes() {
        return failedScrapes.sum();
    }

    /** {@code prometheus_target_scrapes_exceeded_sample_limit_total}. */
    public long sampleLimitExceeded() {
        return sampleLimitExceeded.sum();
    }

    /** {@code prometheus_target_scrapes_exceeded_body_size_limit_total}. */
    public long bodySizeLimitExceeded() {
        return bodySizeLimitExceeded.sum();
    }

    /** Samples of successful scrapes that went to storage (after metric relabeling). */
    public long samplesAppended() {
        return samplesAppended.sum();
    }

    /**
     * Samples the storage refused, by {@link AppendStatus} code ({@code
     * prometheus_target_scrapes_sample_out_of_order_total} and its siblings).
     */
    public long rejected(long code) {
        return rejected[(int) (-code - 1)].sum();
    }
}
