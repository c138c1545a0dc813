package dev.vigil.query.ast;

/**
 * The {@code @} modifier of a selector or subquery: a fixed timestamp in epoch milliseconds, or the query's start or
 * end.
 */
public record AtModifier(Kind kind, long timestampMs) {
    /** What the modifier pins evaluation to. */
    public enum Kind {
        TIMESTAMP, START, END
    }

    public static final AtModifier START = new AtModifier(Kind.START, 0);
    public static final AtModifier END = new AtModifier(Kind.END, 0);

    public static AtModifier at(long timestampMs) {
        return new AtModifier(Kind.TIMESTAMP, timestampMs);
    }

    public AtModifier {
        java.util.Objects.requireNonNull(kind);
        if (kind != Kind.TIMESTAMP && timestampMs != 0) {
            throw new IllegalArgumentException("timestamp only with kind TIMESTAMP");
        }
    }
}
