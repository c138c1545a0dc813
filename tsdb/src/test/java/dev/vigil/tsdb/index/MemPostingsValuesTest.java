package dev.vigil.tsdb.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vigil.tsdb.Labels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A name's sorted values are computed once and shared until a value of that name appears or goes. */
class MemPostingsValuesTest {
    @Test
    void sortedValuesFollowAddsAndRemoves() {
        MemPostings p = new MemPostings();
        p.add(1, Labels.of("__name__", "m", "i", "b"));
        p.add(2, Labels.of("__name__", "m", "i", "a"));
        List<String> first = p.values("i");
        assertEquals(List.of("a", "b"), first);
        assertSame(first, p.values("i"), "cached while nothing changes");
        p.add(3, Labels.of("__name__", "m", "i", "a")); // an existing value: still the same list
        assertSame(first, p.values("i"));
        p.add(4, Labels.of("__name__", "m", "i", "Z"));
        assertEquals(List.of("Z", "a", "b"), p.values("i"), "byte order, as Prometheus sorts");
        p.remove(1, Labels.of("__name__", "m", "i", "b"));
        assertEquals(List.of("Z", "a"), p.values("i"));
        p.remove(2, Labels.of("__name__", "m", "i", "a"));
        assertEquals(List.of("Z", "a"), p.values("i"), "series 3 still has a");
        assertEquals(List.of("m"), p.values("__name__"));
        assertEquals(List.of(), p.values("absent"));
    }
}
