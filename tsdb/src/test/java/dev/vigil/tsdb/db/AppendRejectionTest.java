package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad samples are counted rejections with a reason; the rest of the batch still commits. */
class AppendRejectionTest {
    @TempDir
    Path dir;

    static final Labels A = Labels.of("__name__", "a");
    static final Labels B = Labels.of("__name__", "b");

    @Test
    void each_reason_is_counted_and_the_rest_commits() {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withBlockRange(10_000, 10_000);
        try (Db db = Db.open(dir, opts)) {
            Appender app = db.appender();
            long ref = app.append(0, A, 1000, 1);
            assertTrue(ref > 0);
            assertEquals(AppendStatus.OUT_OF_ORDER, app.append(ref, A, 999, 2), "older than the batch's own sample");
            assertEquals(AppendStatus.INVALID_LABELS, app.append(0, Labels.EMPTY, 1000, 1));
            assertEquals(AppendStatus.INVALID_LABELS, app.append(0, null, 1000, 1));
            // raw label sets from a parser: invalid ones are counted rejections, not exceptions
            assertEquals(AppendStatus.INVALID_LABELS, app.append(new String[] {"__name__", "c", "", "x"}, 1000, 1), "empty name");
            assertEquals(AppendStatus.INVALID_LABELS, app.append(new String[] {"__name__", "c", "a", "1", "a", "2"}, 1000, 1), "duplicate");
            assertEquals(AppendStatus.INVALID_LABELS, app.append(new String[] {"__name__", "c\uD800"}, 1000, 1), "invalid UTF-8");
            long c = app.append(new String[] {"__name__", "c", "empty", ""}, 1000, 9);
            assertTrue(c > 0, "an empty value is absent, not invalid");
            assertEquals(c, app.append(0, Labels.of("__name__", "c"), 1001, 9), "{__name__=c, empty=\"\"} is {__name__=c}");
            app.append(0, B, 1000, 5);
            assertEquals(4, app.commit(), "the good samples commit");

            Appender app2 = db.appender();
            assertEquals(AppendStatus.OUT_OF_ORDER, app2.append(ref, A, 500, 1));
            assertEquals(AppendStatus.DUPLICATE, app2.append(ref, A, 1000, 7), "same time, other value");
            assertEquals(ref, app2.append(ref, A, 1000, 1), "an exact duplicate is accepted and dropped");
            app2.append(ref, A, 2000, 3);
            assertEquals(1, app2.commit());

            // push the head past a block boundary so that old samples are out of bounds
            for (long t = 3000; t <= 30_000; t += 1000) {
                Appender a = db.appender();
                a.append(0, A, t, t);
                a.commit();
            }
            db.compact();
            assertTrue(db.stats().blocks().size() >= 1);
            Appender app3 = db.appender();
            assertEquals(AppendStatus.OUT_OF_BOUNDS, app3.append(0, B, 1500, 1));
            app3.rollback();

            long[] r = db.stats().rejectedByReason();
            assertArrayEquals(new long[] {2, 1, 1, 5, 0}, r, "out_of_order, duplicate, out_of_bounds, invalid_labels, too_old");
            assertEquals(List.of("b{} 1000=4014000000000000 "), TestModel.actual(db, 0, Long.MAX_VALUE, Matcher.equal("__name__", "b")));
        }
    }
}
