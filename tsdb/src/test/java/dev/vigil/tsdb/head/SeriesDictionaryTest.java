package dev.vigil.tsdb.head;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.vigil.tsdb.Labels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeriesDictionaryTest {
    @TempDir
    Path dir;

    @Test
    void entries_survive_reopen_and_removal_sticks() {
        Map<String, Long> expected = new HashMap<>();
        try (SeriesDictionary d = SeriesDictionary.open(dir.resolve("series.dict").toFile(), 1000, false)) {
            for (int i = 1; i <= 5000; i++) {
                Labels l = Labels.of("__name__", "m" + (i % 7), "i", Integer.toString(i));
                d.put(l.encode(), i);
                expected.put(l.toString(), (long) i);
            }
            Labels gone = Labels.of("__name__", "m3", "i", "10");
            d.remove(gone.encode());
            expected.remove(gone.toString());
        }
        try (SeriesDictionary d = SeriesDictionary.open(dir.resolve("series.dict").toFile(), 1000, true)) {
            Map<String, Long> actual = new HashMap<>();
            d.forEach((bytes, id) -> actual.put(Labels.decode(bytes, 0, bytes.length).toString(), id));
            assertEquals(expected, actual);
            assertEquals(42, d.get(Labels.of("__name__", "m0", "i", "42").encode()));
            assertEquals(0, d.get(Labels.of("__name__", "m3", "i", "10").encode()));
        }
    }
}
