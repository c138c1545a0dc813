package dev.vigil.query.promqltest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bin/vigil promqltest PATH...}: runs every {@code .test} file under the given files or directories and
 * prints one line per file, the failing cases with their reasons (with {@code -v}), and a last line
 * {@code N passed, M failed}. Native-histogram cases are counted apart and not run. Exit status 1 when a case failed.
 */
public final class PromqlTestMain {
    private PromqlTestMain() {
    }

    public static void main(String[] args) throws IOException {
        boolean verbose = false;
        Path knownOut = null;
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("-v") || a.equals("--verbose")) {
                verbose = true;
                continue;
            }
            if (a.equals("--write-known-failures") && i + 1 < args.length) {
                knownOut = Path.of(args[++i]);
                continue;
            }
            Path p = Path.of(a);
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".test")).sorted().forEach(files::add);
                }
            } else {
                files.add(p);
            }
        }
        if (files.isEmpty()) {
            System.err.println("usage: vigil promqltest [-v] [--write-known-failures FILE] PATH...");
            System.exit(2);
        }
        ConformanceRunner runner = new ConformanceRunner();
        List<String> known = new ArrayList<>();
        long passed = 0, failed = 0, nativeCases = 0;
        for (Path f : files) {
            var r = runner.run(f.getFileName().toString(), Files.readString(f, StandardCharsets.UTF_8));
            long p = r.count(ConformanceRunner.Status.PASS), x = r.count(ConformanceRunner.Status.FAIL);
            long n = r.count(ConformanceRunner.Status.NATIVE);
            passed += p;
            failed += x;
            nativeCases += n;
            System.out.printf("%-32s %4d passed, %4d failed, %4d native-histogram skipped%s%n", f.getFileName(), p, x, n,
                    r.fileError() == null ? "" : "  FILE ERROR: " + r.fileError());
            if (r.fileError() != null) failed++;
            for (var c : r.cases()) {
                if (c.status() == ConformanceRunner.Status.FAIL) known.add(KnownFailures.line(c));
            }
            if (verbose) {
                for (var c : r.cases()) {
                    if (c.status() == ConformanceRunner.Status.FAIL) {
                        System.out.printf("  %s: %s%n      %s%n", c.id(), c.query(), c.message());
                    }
                }
            }
        }
        if (knownOut != null) KnownFailures.write(knownOut, known);
        System.out.printf("native-histogram cases skipped: %d%n", nativeCases);
        System.out.printf("%d passed, %d failed%n", passed, failed);
        System.exit(failed == 0 ? 0 : 1);
    }
}
