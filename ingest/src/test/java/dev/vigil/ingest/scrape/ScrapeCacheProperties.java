package dev.vigil.ingest.scrape;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.ingest.parse.SeriesHash;
import dev.vigil.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ScrapeCacheProperties {
    /**
     * Random scrapes (random subsets of series, in random order, some with explicit timestamps,
     * some failing) against a model of Prometheus's staleness: a series gets a stale marker when it
     * was in the last successful scrape without a timestamp and is not in this one; a failed scrape
     * is an empty one.
     */
    @Test
    void stale_markers_match_the_model_and_refs_stay_attached() {
        qt().withExamples(300).forAll(longs().all()).checkAssert(seed -> {
            Random r = new Random(seed);
            int universe = 1 + r.nextInt(400);
            ScrapeCache c = new ScrapeCache();
            Map<Integer, Boolean> prev = new HashMap<>(); // series of the last good scrape -> tracked
            for (int scrape = 0; scrape < 40; scrape++) {
                boolean fails = r.nextInt(6) == 0;
                Map<Integer, Boolean> cur = new HashMap<>();
                int n = r.nextInt(universe + 1);
                for (int k = 0; k < n; k++) {
                    int s = r.nextInt(universe);
                    boolean tracked = r.nextInt(5) != 0;
                    byte[] key = ("series_" + s + "{x=\"" + (s * 7) + "\"}").getBytes(StandardCharsets.UTF_8);
                    long h = SeriesHash.hash(key, 0, key.length);
                    int e = c.find(key, 0, key.length, h);
                    if (e < 0) e = c.insert(key, 0, key.length, h, s + 1, Labels.of("__name__", "s" + s));
                    assertEquals(s + 1, c.ref(e));
                    c.markSeen(e, tracked);
                    cur.put(s, tracked); // the last sample of a series in a scrape decides
                }
                TreeSet<Long> got = new TreeSet<>();
                if (fails) {
                    c.failIteration((ref, l) -> got.add(ref));
                } else {
                    c.forEachStale((ref, l) -> got.add(ref));
                }
                TreeSet<Long> want = new TreeSet<>();
                for (var e : prev.entrySet()) {
                    if (e.getValue() && (fails || !cur.containsKey(e.getKey()))) want.add((long) e.getKey() + 1);
                }
                assertEquals(want, got, "scrape " + scrape + (fails ? " (failed)" : ""));
                c.endIteration();
                prev = fails ? Map.of() : cur;
            }
        });
    }
}
