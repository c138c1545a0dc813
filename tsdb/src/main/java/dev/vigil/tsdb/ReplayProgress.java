package dev.vigil.tsdb;

/**
 * How far opening the storage has got through the write-ahead log, for Prometheus's
 * {@code /api/v1/status/walreplay} ({@code min}, {@code max}, {@code current} segment numbers), read
 * by the web server while {@link Tsdb#open} runs on another thread.
 */
public final class ReplayProgress {
    private volatile int min;
    private volatile int max;
    private volatile int current;
    private volatile boolean done;

    /** The segments to replay, first and last. */
    public void start(int firstSegment, int lastSegment) {
        min = firstSegment;
        max = lastSegment;
        current = firstSegment;
    }

    /** The replay reads this segment now. */
    public void at(int segment) {
        if (segment != current) current = segment;
    }

    /** Nothing (more) to replay: current is max. */
    public void finish() {
        current = max;
        done = true;
    }

    public int min() {
        return min;
    }

    public int max() {
        return max;
    }

    public int current() {
        return current;
    }

    public boolean done() {
        return done;
    }
}
