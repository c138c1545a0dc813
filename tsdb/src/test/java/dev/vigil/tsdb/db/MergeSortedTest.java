package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The label lists of several sources merge into the same sorted union a TreeSet gives. */
class MergeSortedTest {
    @Test
    void unionOfSortedDistinctLists() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            TreeSet<String> a = new TreeSet<>(Labels::compareUtf8), b = new TreeSet<>(Labels::compareUtf8);
            for (int i = rnd.nextInt(30); i > 0; i--) a.add(Integer.toString(rnd.nextInt(50), 36));
            for (int i = rnd.nextInt(30); i > 0; i--) b.add(Integer.toString(rnd.nextInt(50), 36));
            TreeSet<String> union = new TreeSet<>(Labels::compareUtf8);
            union.addAll(a);
            union.addAll(b);
            assertEquals(new ArrayList<>(union), MergeQuerier.mergeSorted(new ArrayList<>(a), new ArrayList<>(b)));
        }
        List<String> only = List.of("x", "y");
        assertSame(only, MergeQuerier.mergeSorted(List.of(), only));
        assertSame(only, MergeQuerier.mergeSorted(only, List.of()));
    }
}
