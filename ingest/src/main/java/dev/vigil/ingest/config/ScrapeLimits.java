package dev.vigil.ingest.config;

/**
 * Per-job limits; 0 means no limit. Breaching sample, label, name-length or value-length limits
 * fails the whole scrape (Prometheus semantics); {@code targetLimit} fails every scrape of the job;
 * {@code keepDroppedTargets} bounds how many dropped targets are remembered for the targets page.
 */
public record ScrapeLimits(
        long bodySizeLimitBytes,
        long sampleLimit,
        long targetLimit,
        long labelLimit,
        long labelNameLengthLimit,
        long labelValueLengthLimit,
        long keepDroppedTargets) {

    public static final ScrapeLimits NONE = new ScrapeLimits(0, 0, 0, 0, 0, 0, 0);

    /** Each limit that is 0 here takes the value of {@code global}. */
    public ScrapeLimits orElse(ScrapeLimits global) {
        return new ScrapeLimits(
                or(bodySizeLimitBytes, global.bodySizeLimitBytes), or(sampleLimit, global.sampleLimit),
                or(targetLimit, global.targetLimit), or(labelLimit, global.labelLimit),
                or(labelNameLengthLimit, global.labelNameLengthLimit), or(labelValueLengthLimit, global.labelValueLengthLimit),
                or(keepDroppedTargets, global.keepDroppedTargets));
    }

    private static long or(long a, long b) {
        return a != 0 ? a : b;
    }
}
