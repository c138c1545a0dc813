package dev.vigil.query.promqltest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the promqltest files: Vigil's own must pass entirely; the upstream suite must fail exactly the cases listed in
 * {@code upstream-known-failures.txt}, so that file stays true in both directions.
 */
class ConformanceTest {
    private static final Path ROOT = Path.of("src/test/resources/promqltest");

    static Stream<Path> ownFiles() throws IOException {
        return Files.list(ROOT).filter(p -> p.toString().endsWith(".test")).sorted();
    }

    @ParameterizedTest
    @MethodSource("ownFiles")
    void own_test_file_passes(Path file) throws IOException {
        var r = new ConformanceRunner().run(file.getFileName().toString(), Files.readString(file, StandardCharsets.UTF_8));
        assertNull(r.fileError(), "file error");
        List<String> failures = new ArrayList<>();
        for (var c : r.cases()) {
            if (c.status() == ConformanceRunner.Status.FAIL) failures.add(c.id() + " " + c.query() + ": " + c.message());
        }
        assertEquals(List.of(), failures);
        assertTrue(r.count(ConformanceRunner.Status.PASS) > 0, "no cases ran");
    }

    @Test
    void upstream_suite_fails_exactly_the_known_failures() throws IOException {
        Map<String, String> known = KnownFailures.read(ROOT.resolve("upstream-known-failures.txt"));
        TreeSet<String> unexpected = new TreeSet<>(), fixed = new TreeSet<>(known.keySet());
        ConformanceRunner runner = new ConformanceRunner();
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("upstream"))) {
            files = s.filter(p -> p.toString().endsWith(".test")).sorted().toList();
        }
        for (Path f : files) {
            var r = runner.run(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            assertNull(r.fileError(), f + ": file error");
            for (var c : r.cases()) {
                if (c.status() != ConformanceRunner.Status.FAIL) continue;
                if (!fixed.remove(c.id())) unexpected.add(c.id() + " " + c.query() + ": " + c.message());
            }
        }
        // fixed now holds listed cases that did not fail: they pass now (or vanished) and must leave the list
        assertEquals(List.of(), List.copyOf(unexpected), "failing cases missing from upstream-known-failures.txt");
        assertEquals(List.of(), List.copyOf(fixed), "listed cases that pass now; remove them from upstream-known-failures.txt");
    }
}
