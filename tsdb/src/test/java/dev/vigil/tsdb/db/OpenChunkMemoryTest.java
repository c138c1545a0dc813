package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.TestModel;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The open chunks on the heap hold what they encode plus a bounded room to grow, chunk after chunk. */
class OpenChunkMemoryTest {
    @TempDir
    Path dir;

    @Test
    void after_sealing_a_series_keeps_a_buffer_for_its_new_chunk_not_its_largest_one() {
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
        TestModel model = new TestModel();
        SplittableRandom random = new SplittableRandom(7);
        int series = 50;
        try (Db db = Db.open(dir, opts)) {
            // 250 samples of random values: two full chunks sealed (about 1 KiB each), 10 samples open
            for (long t = 0; t < 250_000; t += 1000) {
                Appender app = db.appender();
                for (int s = 0; s < series; s++) {
                    Labels l = Labels.of("__name__", "m", "s", Integer.toString(s));
                    double v = random.nextDouble();
                    app.append(0, l, t, v);
                    model.add(l, t, v);
                }
                app.commit();
            }
            long encoded = db.head().openChunkBytes();
            long capacity = db.head().openChunkCapacityBytes();
            assertTrue(encoded > 0 && encoded < series * 150L, "10 samples of 8-9 bytes per open chunk: " + encoded);
            // a growing buffer: the encoded bytes, up to half more, and one append's headroom (29 bytes)
            assertTrue(capacity <= encoded * 3 / 2 + series * 64L, "capacity " + capacity + " for " + encoded + " encoded");
            Matcher all = Matcher.equal("__name__", "m");
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, all), TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, all));
        }
    }
}
