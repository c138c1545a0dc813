package dev.vigil.ingest.backfill;

import dev.vigil.tsdb.block.BlockMeta;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code bin/vigil import openmetrics FILE [--storage.tsdb.path DIR]}: the offline backfill, with
 * promtool's output table. Exit code 0 on success, 1 on bad input, 2 on bad usage.
 */
public final class ImportCommand {
    private ImportCommand() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        String usage = "usage: vigil import openmetrics FILE [--storage.tsdb.path DIR]   (DIR defaults to data/)";
        if (args.length < 2 || !args[0].equals("openmetrics")) {
            err.println(usage);
            return 2;
        }
        Path file = Path.of(args[1]);
        Path dir = Path.of("data");
        for (int i = 2; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("--storage.tsdb.path=")) {
                dir = Path.of(a.substring("--storage.tsdb.path=".length()));
            } else if (a.equals("--storage.tsdb.path") && i + 1 < args.length) {
                dir = Path.of(args[++i]);
            } else if (!a.startsWith("-") && i == 2) {
                dir = Path.of(a); // promtool's positional output directory
            } else {
                err.println("unknown argument " + a + "\n" + usage);
                return 2;
            }
        }
        if (!Files.isRegularFile(file)) {
            err.println("error: " + file + " is not a readable file");
            return 1;
        }
        List<OpenMetricsBackfill.Written> blocks;
        try {
            blocks = OpenMetricsBackfill.run(file, dir);
        } catch (OpenMetricsBackfill.BackfillException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        out.printf("%-26s  %-24s  %-24s  %8s  %11s  %10s  %10s  %s%n", "BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE");
        for (OpenMetricsBackfill.Written w : blocks) {
            BlockMeta m = w.meta();
            out.printf("%-26s  %-24s  %-24s  %8s  %11d  %10d  %10d  %s%n", m.ulid(), Instant.ofEpochMilli(m.minT()), Instant.ofEpochMilli(m.maxT()),
                    java.time.Duration.ofMillis(m.maxT() - m.minT()).toString().substring(2).toLowerCase(),
                    m.stats().numSamples(), m.stats().numChunks(), m.stats().numSeries(), size(w.dir()));
        }
        return 0;
    }

    private static long size(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        } catch (java.io.IOException e) {
            return -1;
        }
    }
}
