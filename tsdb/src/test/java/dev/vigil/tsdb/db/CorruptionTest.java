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
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damaged files: the store opens, counts and quarantines what it dropped, and serves the rest. */
class CorruptionTest {
    static final long BLOCK = 10_000;

    @TempDir
    Path dir;

    private static TsdbOptions options() {
        return TsdbOptions.defaults().withRetention(0, 0).withBlockRange(BLOCK, BLOCK)
                .withWalSync(WalSyncPolicy.NEVER, 0).withBackground(0, System::currentTimeMillis);
    }

    private static TestModel fill(Db db, long from, long to) {
        TestModel model = new TestModel();
        for (long t = from; t < to; t += 500) {
            Appender app = db.appender();
            for (int s = 0; s < 20; s++) {
                Labels l = Labels.of("__name__", "m", "s", Integer.toString(s));
                app.append(0, l, t, t * 0.5 + s);
                model.add(l, t, t * 0.5 + s);
            }
            app.commit();
        }
        return model;
    }

    private List<Path> files(String glob) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            var m = dir.getFileSystem().getPathMatcher("glob:" + glob);
            return s.filter(p -> m.matches(dir.relativize(p))).sorted().toList();
        }
    }

    @Test
    void torn_wal_tail_is_cut_and_everything_before_it_served() throws IOException {
        TestModel model;
        try (Db db = Db.open(dir, options())) {
            model = fill(db, 0, 5_000);
        }
        // make the WAL the only copy of the head's samples: the clean close sealed them into head chunks
        for (Path p : files("chunks_head/*")) Files.delete(p);
        List<Path> segments = files("wal/*");
        Path last = segments.get(segments.size() - 1);
        long size = Files.size(last);
        assertTrue(size > 100, "last segment has data");
        try (RandomAccessFile f = new RandomAccessFile(last.toFile(), "rw")) {
            f.setLength(size - 7); // tear the last record
        }
        Files.deleteIfExists(dir.resolve("clean-shutdown"));
        try (Db db = Db.open(dir, options())) {
            assertTrue(db.replayResult().corruptions() >= 1, "the torn record was counted");
            // the last commit is gone (20 samples at the last timestamp); everything before it is there
            model.delete(4_500, 4_500, Matcher.regex("__name__", ".+"));
            assertEquals(model.expect(Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("__name__", "m")),
                    TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("__name__", "m")));
            // and it takes appends again
            Appender app = db.appender();
            app.append(0, Labels.of("__name__", "m", "s", "0"), 6_000, 1);
            assertEquals(1, app.commit());
        }
    }

    @Test
    void truncated_block_index_is_quarantined_and_the_rest_served() throws IOException {
        TestModel model;
        try (Db db = Db.open(dir, options())) {
            model = fill(db, 0, 40_000);
            db.compact();
            assertTrue(db.stats().blocks().size() >= 2, "blocks were cut");
        }
        List<Path> indexes = files("*/index");
        Path damaged = indexes.get(0);
        long damagedMaxT = dev.vigil.tsdb.block.BlockMeta.read(damaged.resolveSibling("meta.json"),
                dev.vigil.tsdb.fs.FileSystemFacade.DEFAULT).maxT();
        try (RandomAccessFile f = new RandomAccessFile(damaged.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        try (Db db = Db.open(dir, options())) {
            assertEquals(1, db.stats().quarantined(), "one block quarantined");
            assertTrue(Files.exists(dir.resolve("quarantine")), "quarantine directory");
            assertFalse(Files.exists(damaged), "damaged block moved away");
            // the data of the other blocks and the head are served
            long minOfRest = damagedMaxT;
            assertTrue(db.minTime() >= damagedMaxT - BLOCK / 2, "the damaged block's range is gone: " + db.minTime());
            assertEquals(model.expect(minOfRest, Long.MAX_VALUE, Matcher.equal("__name__", "m")),
                    TestModel.actual(db, minOfRest, Long.MAX_VALUE, Matcher.equal("__name__", "m")));
        }
    }

    @Test
    void bit_flipped_chunk_is_skipped_with_a_warning_and_the_rest_served() throws IOException {
        try (Db db = Db.open(dir, options())) {
            fill(db, 0, 40_000);
            db.compact();
        }
        Path chunkFile = files("*/chunks/*").get(0);
        try (RandomAccessFile f = new RandomAccessFile(chunkFile.toFile(), "rw")) {
            long pos = 40; // inside the first chunk's data
            f.seek(pos);
            int b = f.read();
            f.seek(pos);
            f.write(b ^ 0x10);
        }
        long before = SourceQuerier.CORRUPT_CHUNKS_SKIPPED.get();
        try (Db db = Db.open(dir, options())) {
            List<String> all = TestModel.actual(db, Long.MIN_VALUE, Long.MAX_VALUE, Matcher.equal("__name__", "m"));
            assertEquals(20, all.size(), "every series is still served");
            assertTrue(SourceQuerier.CORRUPT_CHUNKS_SKIPPED.get() > before, "the damaged chunk was counted");
        }
    }
}
