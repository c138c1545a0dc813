package dev.vigil.query.ast;

import java.util.List;
import java.util.Objects;

/**
 * How the two sides of a binary operation between instant vectors are matched: {@code on}/{@code ignoring}
 * ({@code on} tells which; {@code matchingLabels} lists the labels) and {@code group_left}/{@code group_right}
 * ({@code card} with the extra labels in {@code include}). {@code fillLeft} / {@code fillRight} are Prometheus's
 * experimental {@code fill_left(v)} / {@code fill_right(v)} modifiers ({@code fill(v)} sets both): the value used for
 * a missing sample on that side, or {@code null}.
 */
public record VectorMatching(Cardinality card, List<String> matchingLabels, boolean on, List<String> include,
        Double fillLeft, Double fillRight) {
    /** Matching cardinality. */
    public enum Cardinality {
        ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY
    }

    public VectorMatching {
        Objects.requireNonNull(card);
        matchingLabels = List.copyOf(matchingLabels);
        include = List.copyOf(include);
    }

    public VectorMatching(Cardinality card, List<String> matchingLabels, boolean on, List<String> include) {
        this(card, matchingLabels, on, include, null, null);
    }

    public VectorMatching withCard(Cardinality newCard) {
        return new VectorMatching(newCard, matchingLabels, on, include, fillLeft, fillRight);
    }

    /** Equality that tells NaN fills apart from no fill and compares them by bits, as records compare Doubles. */
    public boolean hasFill() {
        return fillLeft != null || fillRight != null;
    }
}
