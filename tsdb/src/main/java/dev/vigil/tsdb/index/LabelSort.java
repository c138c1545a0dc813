package dev.vigil.tsdb.index;

import dev.vigil.tsdb.Labels;
import java.util.Arrays;
import java.util.function.IntFunction;

/** Sorting series ordinals by their labels without boxing them. */
public final class LabelSort {
    private LabelSort() {}

    /** Sorts {@code ordinals} in place by {@code labels.apply(ordinal)}; stable for equal labels. */
    public static void sort(int[] ordinals, IntFunction<Labels> labels) {
        int n = ordinals.length;
        if (n < 2) return;
        // labels fetched once each, then a merge sort of primitive positions (stable, no boxing)
        Labels[] ls = new Labels[n];
        for (int i = 0; i < n; i++) ls[i] = labels.apply(ordinals[i]);
        sort(ordinals, ls);
    }

    /**
     * Sorts {@code ordinals} in place by {@code ls} ({@code ls[i]} the labels of {@code ordinals[i]}), and {@code ls}
     * along with them; stable for equal labels.
     */
    public static void sort(int[] ordinals, Labels[] ls) {
        int n = ordinals.length;
        if (n < 2) return;
        int[] pos = new int[n], tmp = new int[n];
        for (int i = 0; i < n; i++) pos[i] = i;
        mergeSort(pos, tmp, 0, n, ls);
        int[] copy = ordinals.clone();
        Labels[] lcopy = ls.clone();
        for (int i = 0; i < n; i++) {
            ordinals[i] = copy[pos[i]];
            ls[i] = lcopy[pos[i]];
        }
    }

    private static void mergeSort(int[] a, int[] tmp, int from, int to, Labels[] ls) {
        if (to - from <= 16) { // insertion sort
            for (int i = from + 1; i < to; i++) {
                int x = a[i], j = i - 1;
                while (j >= from && ls[a[j]].compareTo(ls[x]) > 0) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = x;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(a, tmp, from, mid, ls);
        mergeSort(a, tmp, mid, to, ls);
        if (ls[a[mid - 1]].compareTo(ls[a[mid]]) <= 0) return; // already in order (common: runs)
        System.arraycopy(a, from, tmp, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) a[k++] = ls[tmp[j]].compareTo(ls[tmp[i]]) < 0 ? tmp[j++] : tmp[i++];
        while (i < mid) a[k++] = tmp[i++];
        while (j < to) a[k++] = tmp[j++];
    }

    /**
     * Sorts {@code ordinals} in place by {@code rank[ordinal]} (distinct ranks, as given by a label order); false
     * leaves them unsorted when some ordinal has no rank ({@code rank.length <= ordinal} or a negative rank).
     */
    public static boolean sortByRank(int[] ordinals, int[] rank) {
        int n = ordinals.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            int o = ordinals[i];
            if (o < 0 || o >= rank.length || rank[o] < 0) return false;
            keys[i] = ((long) rank[o] << 32) | (o & 0xFFFFFFFFL);
        }
        Arrays.sort(keys);
        for (int i = 0; i < n; i++) ordinals[i] = (int) keys[i];
        return true;
    }
}
