package dev.vigil.query.bench;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A profiling harness for the PromQL benchmark's queries without Prometheus: opens the Vigil data of a
 * {@code bench-query} work directory (a copy: the storage takes a lock) and runs the queries in a loop, printing
 * medians. Run under JFR to find hot frames.
 *
 * <p>Arguments: {@code DATA_DIR START_MS REPS [instant|range6h15|range6h60|range1h15|all] [query index or -1]}.
 */
public final class QueryProfile {
    static final List<String> QUERIES = List.of(
            "sum by (job) (rate(x_total[5m]))",
            "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
            "topk(10, sum by (instance) (rate(x_total[5m])))",
            "sum by (path) (rate(x_total{instance=~\"i1.*|i2.*\", path!~\"p9\"}[5m]))",
            "count({__name__=~\".+\"})");

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        long t0 = Long.parseLong(args[1].isEmpty() ? Files.readString(data.resolveSibling("start")).trim() : args[1]);
        int reps = Integer.parseInt(args[2]);
        String modes = args.length > 3 ? args[3] : "all";
        int only = args.length > 4 ? Integer.parseInt(args[4]) : -1;
        long span = 6 * 3_600_000L, step = 15_000;
        long tEnd = t0 + span - step;
        TsdbOptions opts = TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.NEVER, 0)
                .withBackground(0, System::currentTimeMillis);
        try (Storage storage = Tsdb.open(data, opts)) {
            Engine engine = new Engine(EngineOptions.defaults());
            for (int w = 0; w < 3; w++) { // JIT warm-up over every query
                for (String q : QUERIES) engine.instant(storage, q, tEnd);
            }
            for (int qi = 0; qi < QUERIES.size(); qi++) {
                if (only >= 0 && qi != only) continue;
                String q = QUERIES.get(qi);
                for (String m : List.of("instant", "range1h15", "range6h15", "range6h60")) {
                    if (!modes.equals("all") && !modes.contains(m)) continue;
                    double[] ms = new double[reps], cpu = new double[reps];
                    java.lang.management.ThreadMXBean tmx = java.lang.management.ManagementFactory.getThreadMXBean();
                    for (int r = -1; r < reps; r++) {
                        long n0 = System.nanoTime(), c0 = tmx.getCurrentThreadCpuTime();
                        switch (m) {
                            case "instant" -> engine.instant(storage, q, tEnd);
                            case "range1h15" -> engine.range(storage, q, tEnd - 3_600_000, tEnd, 15_000);
                            case "range6h15" -> engine.range(storage, q, tEnd - (span - step), tEnd, 15_000);
                            default -> engine.range(storage, q, tEnd - (span - step), tEnd, 60_000);
                        }
                        if (r >= 0) {
                            ms[r] = (System.nanoTime() - n0) / 1e6;
                            cpu[r] = (tmx.getCurrentThreadCpuTime() - c0) / 1e6;
                        }
                    }
                    Arrays.sort(ms);
                    Arrays.sort(cpu);
                    System.out.printf(Locale.ROOT, "%-75s %-10s median %8.1f ms  min %8.1f ms  cpu median %8.1f min %8.1f%n",
                            q, m, ms[reps / 2], ms[0], cpu[reps / 2], cpu[0]);
                }
            }
        }
    }
}
