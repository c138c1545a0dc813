package dev.vigil.tsdb.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TombstonesTest {
    private static final FileSystemFacade FS = FileSystemFacade.DEFAULT;

    @TempDir
    Path dir;

    @Test
    void write_read_roundTrip() {
        Tombstones t = Tombstones.builder().add(7, Long.MIN_VALUE, -1).add(0, 5, 10).add(7, 100, Long.MAX_VALUE).add(3, 0, 0).build();
        Path f = dir.resolve("tombstones");
        Tombstones.write(f, t, FS);
        assertEquals(t, Tombstones.read(f, FS));
        Tombstones.write(f, Tombstones.EMPTY, FS);
        assertEquals(Tombstones.EMPTY, Tombstones.read(f, FS));
    }

    @Test
    void missingFile_readsEmpty() {
        assertTrue(Tombstones.read(dir.resolve("nope"), FS).isEmpty());
    }

    @Test
    void build_sortsAndMergesOverlappingAndTouchingIntervals() {
        Tombstones t = Tombstones.builder().add(1, 10, 20).add(1, 21, 30).add(1, 15, 16).add(1, 40, 50).add(0, 5, 5).add(1, 0, 3).build();
        assertEquals(2, t.numSeries());
        assertEquals(0, t.ordinalAt(0));
        assertEquals(1, t.ordinalAt(1));
        int s = t.intervalStart(1), e = t.intervalEnd(1);
        assertEquals(3, e - s);
        assertEquals("[0,3][10,30][40,50]", describe(t, 1));
        assertEquals(s, t.intervalEnd(0));
        assertEquals(t.intervalStart(2), t.intervalEnd(2), "no intervals for an unknown series");
    }

    @Test
    void build_mergesAnIntervalReachingLongMaxValue() {
        Tombstones t = Tombstones.builder().add(0, 5, Long.MAX_VALUE).add(0, 7, 8).add(0, Long.MAX_VALUE, Long.MAX_VALUE).build();
        assertEquals("[5,9223372036854775807]", describe(t, 0));
    }

    @Test
    void isDeleted_inclusiveBounds() {
        Tombstones t = Tombstones.builder().add(4, 10, 20).add(4, 30, 30).build();
        for (long ts : new long[] {10, 15, 20, 30}) assertTrue(t.isDeleted(4, ts), "t=" + ts);
        for (long ts : new long[] {9, 21, 29, 31, Long.MIN_VALUE, Long.MAX_VALUE}) assertFalse(t.isDeleted(4, ts), "t=" + ts);
        assertFalse(t.isDeleted(3, 15));
        assertFalse(t.isDeleted(5, 15));
    }

    @Test
    void invalidIntervals_areRejected() {
        assertThrows(IllegalArgumentException.class, () -> Tombstones.builder().add(0, 2, 1));
        assertThrows(IllegalArgumentException.class, () -> Tombstones.builder().add(-1, 0, 1));
    }

    @Test
    void damagedFile_isCorruption() throws Exception {
        Path f = dir.resolve("tombstones");
        Tombstones.write(f, Tombstones.builder().add(1, 2, 3).add(100000, -5, 5).build(), FS);
        byte[] good = Files.readAllBytes(f);
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                Files.write(f, bad);
                CorruptionException e = assertThrows(CorruptionException.class, () -> Tombstones.read(f, FS), "flip at " + i + "." + bit);
                assertEquals(f, e.file());
            }
        }
        for (int len = 0; len < good.length; len++) {
            Files.write(f, Arrays.copyOf(good, len));
            assertThrows(CorruptionException.class, () -> Tombstones.read(f, FS), "truncated to " + len);
        }
    }

    private static String describe(Tombstones t, int ordinal) {
        StringBuilder sb = new StringBuilder();
        for (int i = t.intervalStart(ordinal); i < t.intervalEnd(ordinal); i++) {
            sb.append('[').append(t.intervalMinT(i)).append(',').append(t.intervalMaxT(i)).append(']');
        }
        return sb.toString();
    }
}
