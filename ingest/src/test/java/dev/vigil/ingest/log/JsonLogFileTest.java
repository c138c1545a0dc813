package dev.vigil.ingest.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.doubles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLogFileTest {
    @TempDir
    Path dir;

    static String number(double v) {
        StringBuilder b = new StringBuilder();
        JsonLogFile.number(b, v);
        return b.toString();
    }

    @Test
    void floats_are_written_as_go_writes_them() {
        // Go: json.Marshal(v) of each left-hand value gives the right-hand text
        Object[][] table = {
            {0.000447452, "0.000447452"},
            {7.599e-06, "0.000007599"},
            {6.48e-07, "6.48e-7"},
            {1e-6, "0.000001"},
            {1.5, "1.5"},
            {100.0, "100"},
            {-2.25, "-2.25"},
            {123456789.0, "123456789"},
            {1e20, "100000000000000000000"},
            {1e21, "1e+21"},
            {-1.25e-10, "-1.25e-10"},
            {0.0, "0"},
        };
        for (Object[] row : table) assertEquals(row[1], number((Double) row[0]), String.valueOf(row[0]));
    }

    @Test
    void every_float_reads_back_to_itself() {
        Pattern json = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?");
        qt().forAll(doubles().any()).assuming(d -> !Double.isNaN(d) && !Double.isInfinite(d)).checkAssert(d -> {
            String s = number(d);
            assertTrue(json.matcher(s).matches(), s + " is not a JSON number");
            assertEquals(d == 0 ? 0.0 : d, Double.parseDouble(s), s); // -0 is written as 0, as Go does
        });
    }

    @Test
    void lines_are_appended_with_the_fields_in_order_and_strings_escaped() throws Exception {
        Path file = dir.resolve("q.log");
        Files.writeString(file, "kept\n");
        try (JsonLogFile log = JsonLogFile.open(file.toString())) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("params", Map.of("query", "up{job=\"a\\b\"}\n"));
            fields.put("step", 15L);
            fields.put("ok", true);
            log.log("INFO", "promql query logged", fields);
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("kept", lines.get(0), "an existing file is appended to");
        String line = lines.get(1);
        assertTrue(line.matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\",.*"), line);
        assertTrue(line.endsWith(",\"level\":\"INFO\",\"msg\":\"promql query logged\","
                + "\"params\":{\"query\":\"up{job=\\\"a\\\\b\\\"}\\n\"},\"step\":15,\"ok\":true}"), line);
    }

    @Test
    void concurrent_writers_never_interleave_lines() throws Exception {
        Path file = dir.resolve("f.log");
        try (JsonLogFile log = JsonLogFile.open(file.toString())) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String who = "w" + t + "x".repeat(2_000); // lines longer than a typical buffer
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 200; i++) log.log("ERROR", who, Map.of("i", (long) i));
                }));
            }
            for (Thread t : threads) t.join();
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(800, lines.size());
        for (String l : lines) assertTrue(l.matches("\\{\"time\":\"[^\"]+\",\"level\":\"ERROR\",\"msg\":\"w[0-3]x{2000}\",\"i\":\\d+}"), l);
    }

    @Test
    void a_file_that_cannot_be_opened_is_named() {
        String path = dir.resolve("no/such/dir/q.log").toString();
        IOException e = assertThrows(IOException.class, () -> JsonLogFile.open(path));
        assertTrue(e.getMessage().startsWith("can't create json log file: open " + path), e.getMessage());
        IOException set = assertThrows(IOException.class, () -> LogFiles.open(List.of(dir.resolve("ok.log").toString(), path)));
        assertEquals(e.getMessage().substring(0, 40), set.getMessage().substring(0, 40));
    }

    @Test
    void a_closed_file_takes_no_more_lines() throws Exception {
        Path file = dir.resolve("c.log");
        JsonLogFile log = JsonLogFile.open(file.toString());
        log.log("ERROR", "one", Map.of());
        log.close();
        log.log("ERROR", "two", Map.of());
        assertEquals(1, Files.readAllLines(file).size());
        assertEquals(0, log.failures());
    }
}
