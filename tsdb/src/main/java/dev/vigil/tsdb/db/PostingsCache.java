package dev.vigil.tsdb.db;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.index.IndexReader;
import java.util.List;
import org.roaringbitmap.RoaringBitmap;

/**
 * A Caffeine cache of resolved postings (matcher set to matching ordinals) of persisted blocks. A block's index never
 * changes after it is written and every block has its own ULID, so an entry keyed by (ULID, matchers) is never stale:
 * deletions are tombstones applied while iterating, not postings changes, and a rewritten block gets a new ULID.
 * Entries of retired blocks simply age out. The head is not cached: its postings grow with every new series.
 *
 * <p>Dashboards repeat the same selectors on every refresh; a regex selector over a large label-value dictionary, or
 * an intersection of large postings, costs far more than a lookup (see the PromQL benchmark in README.md). Bounded by
 * the bitmaps' serialized size. Thread-safe; cached bitmaps are shared, so callers only read them.
 */
final class PostingsCache {
    /** 64 MiB holds the postings of a few thousand distinct selectors over blocks of a million series. */
    static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** A rough per-entry cost of the key and Caffeine's node, so that tiny bitmaps are not weighed as free. */
    private static final int ENTRY_OVERHEAD_BYTES = 128;

    private record Key(String ulid, List<Matcher> matchers) {}

    private final Cache<Key, RoaringBitmap> cache;

    PostingsCache(long maxBytes) {
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, RoaringBitmap b) -> (int) Math.min(Integer.MAX_VALUE,
                        (long) b.getSizeInBytes() + ENTRY_OVERHEAD_BYTES))
                .recordStats()
                .build();
    }

    /** The view of one block (by ULID) that its querier uses. */
    ForBlock forBlock(String ulid) {
        return new ForBlock(ulid);
    }

    long hits() {
        return cache.stats().hitCount();
    }

    long misses() {
        return cache.stats().missCount();
    }

    /** The cache as seen by one block's querier. */
    final class ForBlock {
        private final String ulid;

        private ForBlock(String ulid) {
            this.ulid = ulid;
        }

        /** The ordinals of {@code index} matching all matchers; the returned bitmap is shared and must not change. */
        RoaringBitmap resolve(IndexReader index, Matcher[] matchers) {
            return cache.get(new Key(ulid, List.of(matchers)), k -> {
                RoaringBitmap b = PostingsForMatchers.resolve(index, matchers);
                b.runOptimize(); // shared for the block's life: compress runs once here, not per query
                return b;
            });
        }
    }
}
