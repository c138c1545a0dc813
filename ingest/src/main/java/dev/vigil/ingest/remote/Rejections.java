package dev.vigil.ingest.remote;

import dev.vigil.tsdb.AppendStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples of one push request that the storage rejected, counted by {@link AppendStatus} reason
 * with the first few described, for the 400 body that says what was not stored.
 */
final class Rejections {
    private static final int EXAMPLES = 3;

    private final long[] counts = new long[AppendStatus.REASONS];
    private final List<List<String>> examples = new ArrayList<>(AppendStatus.REASONS);
    private long total;

    Rejections() {
        for (int i = 0; i < AppendStatus.REASONS; i++) examples.add(new ArrayList<>(EXAMPLES));
    }

    /** Counts a rejection with code {@code code}; {@code what} is built only for the first few. */
    void add(long code, java.util.function.Supplier<String> what) {
        int i = (int) -code - 1;
        total++;
        if (counts[i]++ < EXAMPLES) examples.get(i).add(what.get());
    }

    long total() {
        return total;
    }

    /** "N reason (example; example; ...)" per reason that occurred. */
    List<String> describe() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                parts.add(counts[i] + " " + AppendStatus.reason(-i - 1) + " (" + String.join("; ", examples.get(i))
                        + (counts[i] > EXAMPLES ? "; ..." : "") + ")");
            }
        }
        return parts;
    }
}
