package dev.vigil.tsdb.index;

import dev.vigil.tsdb.Labels;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * The index shape shared by the head and persisted blocks: label dictionary, postings over 32-bit
 * series ordinals (local to the head or the block) and per-series labels and chunk references. A
 * querier over a time range merges one of these per block, so it never knows which is which.
 * Implementations are thread-safe for reads.
 */
public interface IndexReader {
    /** All label names, sorted. */
    List<String> labelNames();

    /** All values of {@code name}, sorted; empty when the name is unknown. */
    List<String> labelValues(String name);

    /** The ordinals of series with {@code name="value"}; callers must not mutate the result. */
    RoaringBitmap postings(String name, String value);

    /** The ordinals of all series; callers must not mutate the result. */
    RoaringBitmap allPostings();

    /** The labels of the series at {@code ordinal}. */
    Labels labels(int ordinal);

    /** Fills {@code out} (cleared first) with the series' chunk references in time order. */
    void chunkMetas(int ordinal, ChunkMetas out);

    /**
     * Sorts {@code ordinals} in place by their series' labels. Sources whose ordinals are not in label order (the
     * head) override this with something cheaper than comparing labels.
     */
    default void sortByLabels(int[] ordinals) {
        LabelSort.sort(ordinals, this::labels);
    }
}
