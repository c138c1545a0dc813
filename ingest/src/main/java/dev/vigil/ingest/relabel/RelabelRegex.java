package dev.vigil.ingest.relabel;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Map;

/**
 * A relabeling regular expression: RE2 syntax, fully anchored and dot-all, as Prometheus compiles
 * it ({@code ^(?s:<regex>)$}). Matching is linear-time, so a hostile configuration cannot hang a
 * scrape. Immutable and thread-safe; equality is by source text.
 */
public final class RelabelRegex {
    /** The default regex {@code (.*)}. */
    public static final RelabelRegex DEFAULT = of("(.*)");

    private final String source;
    private final Pattern pattern;
    private final Map<String, Integer> namedGroups;

    private RelabelRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
        this.namedGroups = pattern.namedGroups();
    }

    /**
     * Compiles {@code source}.
     *
     * @throws IllegalArgumentException naming the regex and RE2's complaint
     */
    public static RelabelRegex of(String source) {
        try {
            return new RelabelRegex(source, Pattern.compile("(?s:" + source + ")"));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("invalid relabel regex \"" + source + "\": " + e.getDescription(), e);
        }
    }

    /** The regex as written, without the anchors. */
    public String source() {
        return source;
    }

    Pattern pattern() {
        return pattern;
    }

    /** Group index of a named group, or -1. */
    int groupIndex(String name) {
        Integer i = namedGroups.get(name);
        return i == null ? -1 : i;
    }

    /** Whether the whole of {@code s} matches. */
    public boolean matches(String s) {
        return pattern.matches(s);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelabelRegex r && r.source.equals(source);
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return source;
    }
}
