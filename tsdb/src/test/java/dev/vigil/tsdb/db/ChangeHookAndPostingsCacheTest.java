package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.TestModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeHookAndPostingsCacheTest {
    @TempDir
    Path dir;

    record Change(long minT, long maxT) {}

    @Test
    void listener_hears_commits_deletes_and_retention_after_they_are_visible() {
        List<Change> seen = new ArrayList<>();
        try (Db db = Db.open(dir, DeleteAndSnapshotTest.opts().withRetention(20_000, 0))) {
            assertTrue(db.addChangeListener((minT, maxT) -> {
                // told only once readable: a querier opened now sees the data of the change
                seen.add(new Change(minT, maxT));
            }));
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "a"), 1_000, 1);
            app.append(0, Labels.of("__name__", "b"), 500, 2);
            app.commit();
            assertEquals(List.of(new Change(500, 1_000)), seen);

            Appender empty = db.appender();
            empty.append(0, Labels.of("__name__", "a"), 900, 1); // out of order: rejected, nothing changes
            empty.commit();
            assertEquals(1, seen.size());

            db.deleteSeries(100, 200, Matcher.equal("__name__", "a"));
            assertEquals(new Change(100, 200), seen.get(1));

            seen.clear();
            DeleteAndSnapshotTest.fill(db, 2_000, 60_000);
            seen.clear();
            db.compact(); // blocks written, old ones dropped by time retention
            assertFalse(seen.isEmpty(), "retention dropped a block: its range changed");
            assertTrue(seen.stream().allMatch(c -> c.maxT() < 40_000), "only the dropped blocks' ranges: " + seen);
        }
    }

    @Test
    void block_postings_are_cached_and_stay_right_under_tombstones() {
        Matcher name = Matcher.equal("__name__", "odd");
        Matcher re = Matcher.regex("s", "1|3|5|7");
        try (Db db = Db.open(dir, DeleteAndSnapshotTest.opts())) {
            TestModel model = DeleteAndSnapshotTest.fill(db, 0, 45_000);
            db.compact();
            assertFalse(db.stats().blocks().isEmpty());
            assertEquals(model.expect(0, 29_999, name, re), TestModel.actual(db, 0, 29_999, name, re));
            long hits = db.postingsCacheForTests().hits();
            assertEquals(model.expect(0, 29_999, name, re), TestModel.actual(db, 0, 29_999, name, re));
            assertTrue(db.postingsCacheForTests().hits() > hits, "the second select hit the cache");

            // deletions are tombstones, applied while reading: cached postings stay valid
            db.deleteSeries(0, 20_000, Matcher.equal("s", "3"));
            model.delete(0, 20_000, Matcher.equal("s", "3"));
            assertEquals(model.expect(0, 44_999, name, re), TestModel.actual(db, 0, 44_999, name, re));
            // clean_tombstones writes new blocks (new ULIDs), so nothing cached for the old ones is reused
            db.cleanTombstones();
            assertEquals(model.expect(0, 44_999, name, re), TestModel.actual(db, 0, 44_999, name, re));
        }
    }
}
