package dev.vigil.tsdb.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The size of the data directory is read while compaction creates, renames and deletes files. */
class SizeOfTest {
    @TempDir
    Path dir;

    @Test
    void countsRegularFilesAndAMissingPathIsZero() throws Exception {
        Files.createDirectories(dir.resolve("a/b"));
        Files.write(dir.resolve("a/b/x"), new byte[100]);
        Files.write(dir.resolve("y"), new byte[23]);
        assertEquals(123, FileSystemFacade.DEFAULT.sizeOf(dir));
        assertEquals(0, FileSystemFacade.DEFAULT.sizeOf(dir.resolve("missing")));
    }

    @Test
    void filesVanishingDuringTheWalkAreNotAnError() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread churn = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (!stop.get()) {
                try {
                    Path d = dir.resolve("blk" + (i % 4) + ".tmp-for-creation");
                    Files.createDirectories(d.resolve("chunks"));
                    for (int k = 0; k < 5; k++) Files.write(d.resolve("chunks/00000" + k), new byte[10]);
                    try (var s = Files.walk(d)) {
                        s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    }
                    i++;
                } catch (Exception e) {
                    // the churn itself races nobody; ignore
                }
            }
        });
        try {
            for (int n = 0; n < 3000; n++) assertTrue(FileSystemFacade.DEFAULT.sizeOf(dir) >= 0);
        } finally {
            stop.set(true);
            churn.join();
        }
    }
}
