package dev.vigil.query.eval;

/** The evaluation times of one (sub)query: {@code start + i * interval} for {@code i < steps}, epoch millis. */
record Span(long start, long end, long interval, int steps) {
    static Span of(long start, long end, long interval) {
        int steps = end < start ? 0 : (int) ((end - start) / interval + 1);
        return new Span(start, end, interval, steps);
    }

    long t(int i) {
        return start + i * interval;
    }
}
