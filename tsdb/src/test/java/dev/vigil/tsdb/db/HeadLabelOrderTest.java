package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Head selects come in label order while series are added: the head keeps label-order ranks and sorts series added
 * since by their labels, merging them in, so every select must still match a plain sort of the live series.
 */
class HeadLabelOrderTest {
    @TempDir
    Path dir;

    @Test
    void selects_stay_in_label_order_as_series_are_added() {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis).withBlockRange(100_000, 100_000);
        Random rnd = new Random(42);
        TreeSet<Labels> live = new TreeSet<>();
        long t = 0;
        Db db = Db.open(dir, opts);
        try {
            for (int round = 0; round < 40; round++, t += 1000) {
                // a few new series in random label positions, then a large batch now and then
                int add = round % 10 == 0 ? 600 : rnd.nextInt(12);
                Appender app = db.appender();
                for (Labels l : live) app.append(0, l, t, 1);
                for (int i = 0; i < add; i++) {
                    Labels l = Labels.of("__name__", "m", "a", Integer.toString(rnd.nextInt(100_000)),
                            "b", "x" + rnd.nextInt(50));
                    live.add(l);
                    app.append(0, l, t, 1);
                }
                app.commit();
                assertSorted(db, t, live);
                // a small selection too: a value of b
                String b = "x" + rnd.nextInt(50);
                List<Labels> want = new ArrayList<>();
                for (Labels l : live) if (l.get("b").equals(b)) want.add(l);
                assertEquals(want, select(db, t, Matcher.equal("__name__", "m"), Matcher.equal("b", b)));
            }
        } finally {
            db.close();
        }
    }

    private static void assertSorted(Db db, long t, TreeSet<Labels> live) {
        assertEquals(new ArrayList<>(live), select(db, t, Matcher.equal("__name__", "m")));
    }

    private static List<Labels> select(Db db, long t, Matcher... ms) {
        List<Labels> got = new ArrayList<>();
        try (Querier q = db.querier()) {
            SeriesSet set = q.select(t, t, SelectHints.DEFAULT, ms);
            while (set.next()) got.add(set.labels());
        }
        return got;
    }
}
