package dev.vigil.tsdb.db;

import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.index.IndexReader;
import org.roaringbitmap.RoaringBitmap;

/**
 * Resolves label matchers to the ordinals of matching series, with set operations on postings.
 * Matchers that do not match the empty string select (intersect); those that do match it can only
 * exclude (subtract), because a series without the label matches them. Regexes run over the label's
 * value dictionary, never over series.
 */
final class PostingsForMatchers {
    private PostingsForMatchers() {}

    static RoaringBitmap resolve(IndexReader index, Matcher... matchers) {
        RoaringBitmap result = null;
        for (Matcher m : matchers) {
            if (m.matchesEmpty()) continue;
            RoaringBitmap p = select(index, m, false);
            result = result == null ? p.clone() : and(result, p);
            if (result.isEmpty()) return result;
        }
        if (result == null) result = index.allPostings().clone();
        for (Matcher m : matchers) {
            if (!m.matchesEmpty()) continue;
            // series without the label match too: remove only those whose value does not match
            RoaringBitmap exclude = select(index, m, true);
            if (!exclude.isEmpty()) result.andNot(exclude);
            if (result.isEmpty()) return result;
        }
        return result;
    }

    private static RoaringBitmap and(RoaringBitmap a, RoaringBitmap b) {
        a.and(b);
        return a;
    }

    /** Union of the postings of values of m's label that match m (or, when {@code negate}, that do not). */
    private static RoaringBitmap select(IndexReader index, Matcher m, boolean negate) {
        if (!negate && m.type() == Matcher.Type.EQUAL) {
            return index.postings(m.name(), m.value());
        }
        if (negate && m.type() == Matcher.Type.NOT_EQUAL) {
            return index.postings(m.name(), m.value());
        }
        RoaringBitmap union = new RoaringBitmap();
        for (String v : index.labelValues(m.name())) {
            if (m.matches(v) != negate) union.or(index.postings(m.name(), v));
        }
        return union;
    }
}
