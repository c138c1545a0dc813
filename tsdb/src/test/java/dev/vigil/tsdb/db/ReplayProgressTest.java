package dev.vigil.tsdb.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.ReplayProgress;
import dev.vigil.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening reports the WAL's segment range and ends with current = max, as /api/v1/status/walreplay shows it. */
class ReplayProgressTest {
    @TempDir
    Path dir;

    @Test
    void replayAfterACrashWalksEverySegment() throws Exception {
        TsdbOptions opts = TsdbOptions.defaults().withBackground(0, System::currentTimeMillis).withSegmentSizes(16 << 10, 16 << 10);
        try (Db db = Db.open(dir, opts)) {
            for (int i = 0; i < 200; i++) {
                Appender app = db.appender();
                for (int s = 0; s < 50; s++) app.append(0, Labels.of("__name__", "m", "s", Integer.toString(s)), 1_000L * i, i);
                app.commit();
            }
        }
        // without the clean-shutdown marker the next open replays the whole log, as after a crash
        Files.delete(dir.resolve(Db.CLEAN_MARKER));
        ReplayProgress progress = new ReplayProgress();
        try (Db db = Db.open(dir, opts, progress)) {
            assertTrue(progress.done());
            assertTrue(progress.max() - progress.min() >= 2, "segments " + progress.min() + ".." + progress.max());
            assertEquals(progress.max(), progress.current());
        }
    }

    @Test
    void emptyStorageIsDoneAtOnce() {
        ReplayProgress progress = new ReplayProgress();
        try (Db db = Db.open(dir, TsdbOptions.defaults().withBackground(0, System::currentTimeMillis), progress)) {
            assertTrue(progress.done());
            assertEquals(progress.max(), progress.current());
        }
    }
}
