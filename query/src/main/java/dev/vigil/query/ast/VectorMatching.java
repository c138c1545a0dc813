package dev.vigil.query.ast;

import java.util.List;
import java.util.Objects;

/**
 * How the two sides of a binary operation between instant vectors are matched: {@code on}/{@code ignoring}
 * ({@code on} tells which; {@code matchingLabels} lists the labels) and {@code group_left}/{@code group_right}
 * ({@code card} with the extra labels in {@code include}).
 */
public record VectorMatching(Cardinality card, List<String> matchingLabels, boolean on, List<String> include) {
    /** Matching cardinality. */
    public enum Cardinality {
        ONE_TO_ONE, MANY_TO_ONE, ONE_TO_MANY, MANY_TO_MANY
    }

    public VectorMatching {
        Objects.requireNonNull(card);
        matchingLabels = List.copyOf(matchingLabels);
        include = List.copyOf(include);
    }

    public VectorMatching withCard(Cardinality newCard) {
        return new VectorMatching(newCard, matchingLabels, on, include);
    }
}
