package dev.vigil.query.ast;

/**
 * A span of the query text as character offsets, {@code start} inclusive and {@code end} exclusive, like Prometheus's
 * {@code posrange.PositionRange}.
 */
public record PositionRange(int start, int end) {
    /** A range for nodes that were not parsed from text (built by hand or by a generator). */
    public static final PositionRange NONE = new PositionRange(0, 0);

    /** Prometheus's {@code line:column} of {@code start} in {@code query}; lines and columns count from 1. */
    public String startPosition(String query) {
        if (query == null || query.isEmpty()) {
            return "unknown position";
        }
        if (start < 0 || start > query.length()) {
            return "invalid position";
        }
        int line = 1;
        int lastBreak = -1;
        for (int i = 0; i < start; i++) {
            if (query.charAt(i) == '\n') {
                line++;
                lastBreak = i;
            }
        }
        return line + ":" + (start - lastBreak);
    }
}
