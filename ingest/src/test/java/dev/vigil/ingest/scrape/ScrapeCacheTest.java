package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.ingest.parse.SeriesHash;
import dev.vigil.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ScrapeCacheTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    int find(ScrapeCache c, String s) {
        byte[] x = b("xx" + s + "yy"); // an offset slice, as the parser reports it
        return c.find(x, 2, x.length - 2, SeriesHash.hash(x, 2, x.length - 2));
    }

    int insert(ScrapeCache c, String s, long ref) {
        byte[] x = b(s);
        return c.insert(x, 0, x.length, SeriesHash.hash(x, 0, x.length), ref, Labels.of("__name__", s));
    }

    @Test
    void staleness_follows_iterations_and_failed_scrapes() {
        ScrapeCache c = new ScrapeCache();
        c.markSeen(insert(c, "a", 1), true);
        c.markSeen(insert(c, "b", 2), true);
        c.markSeen(insert(c, "ts", 3), false); // explicit timestamp: not tracked
        List<Long> stale = new ArrayList<>();
        c.forEachStale((ref, l) -> stale.add(ref));
        assertEquals(List.of(), stale, "nothing before a previous scrape exists");
        c.endIteration();

        c.markSeen(find(c, "a"), true);
        c.forEachStale((ref, l) -> stale.add(ref));
        assertEquals(List.of(2L), stale, "b vanished; ts is not tracked");
        c.endIteration();

        // A failed scrape saw a and b, then counts as empty: a (from the previous scrape) goes stale.
        c.markSeen(find(c, "a"), true);
        c.markSeen(find(c, "b"), true);
        stale.clear();
        c.failIteration((ref, l) -> stale.add(ref));
        assertEquals(List.of(1L), stale);
        c.endIteration();
        stale.clear();
        c.forEachStale((ref, l) -> stale.add(ref));
        assertEquals(List.of(), stale, "nothing is marked twice");
    }

    @Test
    void many_series_survive_growth_and_eviction_keeps_the_live_ones() {
        ScrapeCache c = new ScrapeCache();
        Random r = new Random(42);
        Map<String, Long> model = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String s = "m{i=\"" + i + "\",r=\"" + r.nextInt() + "\"}";
            c.markSeen(insert(c, s, i + 1), true);
            model.put(s, (long) i + 1);
        }
        c.endIteration();
        for (var e : model.entrySet()) assertEquals(e.getValue(), c.ref(find(c, e.getKey())), e.getKey());
        assertEquals(-1, find(c, "m{i=\"absent\"}"));
        // Keep a tenth alive for longer than the eviction horizon: the rest is evicted.
        Set<String> live = new HashSet<>();
        for (String s : model.keySet()) if (live.size() < 2000) live.add(s);
        for (int it = 0; it < ScrapeCache.EVICT_AFTER_ITERATIONS + 2; it++) {
            for (String s : live) c.markSeen(find(c, s), true);
            c.endIteration();
        }
        assertEquals(2000, c.size());
        for (String s : live) assertEquals(model.get(s), c.ref(find(c, s)));
        assertTrue(find(c, model.keySet().stream().filter(s -> !live.contains(s)).findFirst().orElseThrow()) < 0);
    }

    @Test
    void a_stable_series_set_gives_back_the_room_growth_left_and_can_grow_again() {
        ScrapeCache c = new ScrapeCache();
        List<String> series = new ArrayList<>();
        for (int i = 0; i < 2100; i++) series.add("http_requests_total{path=\"/api/v1/item/" + i + "\",code=\"200\"}");
        for (int i = 0; i < series.size(); i++) c.markSeen(insert(c, series.get(i), i + 1), true);
        c.endIteration(); // this scrape added everything: nothing to trim yet
        long grown = c.retainedBytes();
        for (String s : series) c.markSeen(find(c, s), true);
        c.endIteration(); // unchanged series set
        long trimmed = c.retainedBytes();
        long keyBytes = series.stream().mapToLong(x -> b(x).length).sum();
        // 36 bytes of arrays per series and its key, with at most a quarter spare, plus the index
        // (at most 4 int slots per series: load factor <= 1/2, a power of two)
        long fits = (keyBytes + 36L * series.size()) * 5 / 4 + 16L * series.size() + 64;
        assertTrue(trimmed < grown && trimmed <= fits, "trimmed " + trimmed + " of " + grown + ", fits " + fits);
        for (int i = 0; i < series.size(); i++) assertEquals(i + 1, c.ref(find(c, series.get(i))), series.get(i));

        for (int i = 0; i < 500; i++) {
            String s = "new_series{i=\"" + i + "\"}";
            series.add(s);
            c.markSeen(insert(c, s, series.size()), true);
        }
        c.endIteration();
        for (int i = 0; i < series.size(); i++) assertEquals(i + 1, c.ref(find(c, series.get(i))), series.get(i));
        assertEquals(series.size(), c.size());
    }
}
