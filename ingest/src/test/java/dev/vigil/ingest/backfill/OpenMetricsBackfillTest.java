package dev.vigil.ingest.backfill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenMetricsBackfillTest {
    static final long HOUR = 3_600_000;
    // recent enough that the default 15d retention keeps it
    static final long T0 = (System.currentTimeMillis() / (2 * HOUR) - 24) * 2 * HOUR;

    @TempDir
    Path dir;

    static Map<Labels, List<long[]>> dump(Storage s) {
        Map<Labels, List<long[]>> out = new TreeMap<>();
        try (Querier q = s.querier()) {
            SeriesSet set = q.select(Long.MIN_VALUE, Long.MAX_VALUE, SelectHints.DEFAULT, Matcher.regex("__name__", ".+"));
            SampleIterator it = null;
            while (set.next()) {
                it = set.iterator(it);
                List<long[]> points = new ArrayList<>();
                while (it.next() != SampleIterator.NONE) points.add(new long[] {it.atT(), Double.doubleToRawLongBits(it.atV())});
                out.put(set.labels(), points);
            }
        }
        return out;
    }

    @Test
    void writesAlignedBlocksThatTheStorageServesAfterOpen() throws Exception {
        StringBuilder om = new StringBuilder("# HELP jobs_total Jobs.\n# TYPE jobs_total counter\n");
        // 5 hours at 15 minutes for two series: spans three 2h blocks
        for (int s = 0; s < 2; s++) {
            for (long t = T0 + HOUR; t < T0 + 6 * HOUR; t += 15 * 60_000) {
                om.append("jobs_total{kind=\"k").append(s).append("\"} ").append(t / 60_000).append(' ').append(t / 1000).append(".000\n");
            }
        }
        om.append("# EOF\n");
        Path file = dir.resolve("in.om");
        Files.writeString(file, om);
        Path data = dir.resolve("data");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = ImportCommand.run(new String[] {"openmetrics", file.toString(), "--storage.tsdb.path", data.toString()}, new PrintStream(out), System.err);
        assertEquals(0, rc);
        String table = out.toString();
        assertTrue(table.startsWith("BLOCK ULID"), table);
        assertEquals(4, table.lines().count(), table); // header + 3 blocks
        try (Storage s = Tsdb.open(data, TsdbOptions.defaults())) {
            Map<Labels, List<long[]>> got = dump(s);
            assertEquals(2, got.size());
            List<long[]> k1 = got.get(Labels.of("__name__", "jobs_total", "kind", "k1"));
            assertEquals(20, k1.size());
            assertEquals(T0 + HOUR, k1.get(0)[0]);
            assertEquals((double) ((T0 + HOUR) / 60_000), Double.longBitsToDouble(k1.get(0)[1]));
            assertEquals(T0 + HOUR + 19 * 15 * 60_000, k1.get(19)[0]);
        }
    }

    private String error(String content) throws Exception {
        Path dirIn = Files.createTempDirectory(dir, "bf"); // one per call; @TempDir removes them
        Path file = dirIn.resolve("x.om");
        Files.writeString(file, content);
        OpenMetricsBackfill.BackfillException e = assertThrows(OpenMetricsBackfill.BackfillException.class,
                () -> OpenMetricsBackfill.run(file, dirIn.resolve("data")));
        assertTrue(!Files.exists(dirIn.resolve("data")) || Files.list(dirIn.resolve("data")).noneMatch(p -> p.getFileName().toString().length() == 26),
                "no block written");
        return e.getMessage();
    }

    @Test
    void badInputIsAClearErrorAndWritesNothing() throws Exception {
        long s = T0 / 1000;
        String e = error("a 1 " + s + "\na 2 " + (s - 1) + "\n# EOF\n");
        assertTrue(e.contains("line 2: sample of a{} at " + (s - 1) * 1000 + " ms is not after the previous one"), e);
        e = error("a 1\n# EOF\n");
        assertTrue(e.contains("line 1: sample without a timestamp"), e);
        e = error("a 1 " + s + "\n");
        assertTrue(e.contains("line 2"), e);
        e = error("# EOF\n");
        assertTrue(e.contains("no samples"), e);
    }

    @Test
    void aDataDirectoryInUseIsRefused() throws Exception {
        Path file = dir.resolve("in.om");
        Files.writeString(file, "a 1 " + T0 / 1000 + "\n# EOF\n");
        Path data = dir.resolve("data");
        try (Storage s = Tsdb.open(data, TsdbOptions.defaults())) {
            OpenMetricsBackfill.BackfillException e = assertThrows(OpenMetricsBackfill.BackfillException.class, () -> OpenMetricsBackfill.run(file, data));
            assertTrue(e.getMessage().contains("in use by a running Vigil"), e.getMessage());
        }
    }
}
