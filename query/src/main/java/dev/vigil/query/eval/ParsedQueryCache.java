package dev.vigil.query.eval;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.vigil.query.ast.Expr;
import dev.vigil.query.parse.QueryTimes;
import java.util.Locale;

/**
 * A Caffeine cache of parsed queries; the AST is immutable, so entries are shared between threads. A query whose text
 * may use {@code step()}, {@code range()}, {@code start()} or {@code end()} parses differently per query parameters,
 * so those are part of its key; every other query is keyed by its text alone. Parse errors are not cached.
 * Thread-safe.
 */
public final class ParsedQueryCache {
    private record Key(String query, QueryTimes times) {}

    private final Cache<Key, Expr> cache;

    /** @param maxEntries the most parsed queries kept (least recently used go first) */
    public ParsedQueryCache(long maxEntries) {
        this.cache = Caffeine.newBuilder().maximumSize(maxEntries).recordStats().build();
    }

    /** The parsed query, from the cache when possible; a syntax error is a {@code BAD_DATA} {@link QueryException}. */
    public Expr parse(String query, QueryTimes times) {
        Key key = new Key(query, dependsOnTimes(query) ? times : QueryTimes.NONE);
        return cache.get(key, k -> Engine.parse(k.query(), times));
    }

    /** Cache hits so far (for self-monitoring and tests). */
    public long hits() {
        return cache.stats().hitCount();
    }

    // Conservative: any mention of these words counts, so a false positive only costs a cache miss.
    static boolean dependsOnTimes(String query) {
        String q = query.toLowerCase(Locale.ROOT);
        return q.contains("step") || q.contains("range") || q.contains("start") || q.contains("end");
    }
}
