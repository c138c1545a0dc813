package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeleteAndSnapshotTest {
    @TempDir
    Path dir;

    static TsdbOptions opts() {
        return TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withBlockRange(10_000, 30_000);
    }

    static TestModel fill(Db db, long from, long to) {
        TestModel model = new TestModel();
        for (long t = from; t < to; t += 250) {
            Appender app = db.appender();
            for (int s = 0; s < 12; s++) {
                Labels l = Labels.of("__name__", s % 2 == 0 ? "even" : "odd", "s", Integer.toString(s));
                app.append(0, l, t, s * 10_000 + t);
                model.add(l, t, s * 10_000 + t);
            }
            app.commit();
        }
        return model;
    }

    @Test
    void deletes_hide_data_in_blocks_and_head_survive_reopen_and_clean_tombstones_reclaims() {
        Matcher all = Matcher.regex("__name__", ".+");
        TestModel model;
        try (Db db = Db.open(dir, opts())) {
            model = fill(db, 0, 45_000);
            db.compact(); // blocks up to ~30s, head after
            assertFalse(db.stats().blocks().isEmpty());
            // a range that crosses blocks and the head
            db.deleteSeries(5_000, 38_000, Matcher.equal("__name__", "odd"), Matcher.regex("s", "1|3|5"));
            model.delete(5_000, 38_000, Matcher.equal("__name__", "odd"), Matcher.regex("s", "1|3|5"));
            db.deleteSeries(20_000, 20_500, Matcher.equal("s", "4"));
            model.delete(20_000, 20_500, Matcher.equal("s", "4"));
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all));
        }
        try (Db db = Db.open(dir, opts())) {
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all),
                    "deletions survive a reopen");
            long before = db.stats().blocks().stream().mapToLong(b -> b.numSamples()).sum();
            db.cleanTombstones();
            long after = db.stats().blocks().stream().mapToLong(b -> b.numSamples()).sum();
            assertTrue(after < before, "clean_tombstones rewrote blocks without the deleted samples: " + before + " -> " + after);
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all));
            // head deletions carry into the block the head becomes
            TestModel more = fill(db, 45_000, 80_000);
            db.compact();
            assertEquals(model.expect(Long.MIN_VALUE, 44_999, all), TestModel.actual(db, Long.MIN_VALUE, 44_999, all));
            assertEquals(more.expect(45_000, Long.MAX_VALUE, all), TestModel.actual(db, 45_000, Long.MAX_VALUE, all));
        }
    }

    @Test
    void snapshot_is_a_consistent_copy_that_opens_as_a_store() {
        Matcher all = Matcher.regex("__name__", ".+");
        Path snap = dir.resolveSibling(dir.getFileName() + "-snap");
        TestModel model;
        try (Db db = Db.open(dir, opts())) {
            model = fill(db, 0, 40_000);
            db.compact();
            db.snapshot(snap, true);
            // writes after the snapshot are not in it
            fill(db, 40_000, 41_000);
        }
        try (Db copy = Db.open(snap, opts())) {
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(copy, Long.MIN_VALUE, Long.MAX_VALUE, all));
        }
    }
}
