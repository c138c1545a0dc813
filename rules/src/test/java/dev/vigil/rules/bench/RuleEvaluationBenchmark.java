package dev.vigil.rules.bench;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.rules.RuleManager;
import dev.vigil.rules.RulesApi;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The rule target: 1,000 rules over 100k series evaluated within a 15 s interval. Loads 100k counter series
 * (100 jobs x 1,000 instances, 10 minutes at 15 s) into a real tsdb, then evaluates one group of 1,000 rules: 900
 * per-job recording rules over 1k series each, 90 alerting rules over 1k series, 10 rules over all 100k series.
 * Prints the wall time of evaluations and the slowest rules (the same evaluationTime /api/v1/rules shows).
 *
 * <p>Run: {@code java <chronicle flags> -cp <rules test classpath> dev.vigil.rules.bench.RuleEvaluationBenchmark
 * [ruleConcurrency]} (default: the number of cores).
 */
public final class RuleEvaluationBenchmark {
    public static void main(String[] args) throws Exception {
        int jobs = 100, instances = 1000;
        Path dir = Files.createTempDirectory("vigil-rule-bench");
        long t0 = 1_700_000_000_000L;
        try (Storage storage = Tsdb.open(dir.resolve("data"), TsdbOptions.defaults())) {
            long loadStart = System.nanoTime();
            long[] refs = new long[jobs * instances];
            Labels[] labels = new Labels[refs.length];
            for (int j = 0; j < jobs; j++) {
                for (int i = 0; i < instances; i++) {
                    labels[j * instances + i] = Labels.of("__name__", "http_requests_total", "instance", "i" + i,
                            "job", "j" + j);
                }
            }
            for (int step = 0; step <= 40; step++) {
                Appender app = storage.appender();
                for (int k = 0; k < refs.length; k++) {
                    refs[k] = app.append(refs[k] > 0 ? refs[k] : 0, labels[k], t0 + step * 15_000L, step * (k % 7 + 1));
                }
                app.commit();
            }
            System.out.printf(Locale.ROOT, "loaded %d series x 41 samples in %.1f s%n", refs.length,
                    (System.nanoTime() - loadStart) / 1e9);

            StringBuilder rules = new StringBuilder("groups:\n  - name: bench\n    interval: 15s\n    rules:\n");
            for (int r = 0; r < 900; r++) {
                rules.append("      - record: job:http_requests:rate5m_").append(r).append('\n')
                        .append("        expr: sum by (job) (rate(http_requests_total{job=\"j").append(r % jobs)
                        .append("\"}[5m]))\n");
            }
            for (int r = 0; r < 90; r++) {
                rules.append("      - alert: HighRate").append(r).append('\n')
                        .append("        expr: rate(http_requests_total{job=\"j").append(r % jobs)
                        .append("\"}[5m]) > 0.4\n        for: 1m\n        annotations:\n")
                        .append("          summary: \"{{ $labels.instance }} at {{ $value | humanize }}\"\n");
            }
            for (int r = 0; r < 10; r++) {
                rules.append("      - record: global:http_requests:rate5m_").append(r).append('\n')
                        .append("        expr: sum(rate(http_requests_total[5m]))\n");
            }
            Files.writeString(dir.resolve("rules.yml"), rules);
            int concurrency = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
            System.out.println("rule concurrency " + concurrency + ", " + Runtime.getRuntime().availableProcessors()
                    + " cores");
            RuleManager m = new RuleManager(RuleManager.Options.of(storage, new Engine(EngineOptions.defaults()
                    .withMaxSamples(500_000_000L)), dir, null).withRuleConcurrency(concurrency));
            m.load(List.of("rules.yml"), dir, new RuleManager.Settings(15_000, 0, Map.of(), ""));
            long evalT = t0 + 40 * 15_000L;
            for (int round = 0; round < 3; round++) {
                long s = System.nanoTime();
                m.evaluateAll(evalT + round * 15_000L);
                System.out.printf(Locale.ROOT, "evaluation %d: 1000 rules in %.2f s%n", round, (System.nanoTime() - s) / 1e9);
            }
            List<RulesApi.RuleInfo> all = m.groups().get(0).rules();
            long errors = all.stream().filter(r -> !r.health().equals("ok")).count();
            System.out.println("rules not ok: " + errors + (errors > 0 ? " e.g. " + all.stream()
                    .filter(r -> !r.health().equals("ok")).findFirst().get().lastError() : ""));
            all.stream().sorted((a, b) -> Double.compare(b.evaluationTimeSeconds(), a.evaluationTimeSeconds()))
                    .limit(3).forEach(r -> System.out.printf(Locale.ROOT, "slowest: %-40s %.3f s%n", r.name(),
                            r.evaluationTimeSeconds()));
            System.out.println("alerts pending/firing: " + m.alerts().size());
            for (String prefix : List.of("job:", "HighRate", "global:")) {
                double sum = all.stream().filter(r -> r.name().startsWith(prefix))
                        .mapToDouble(RulesApi.RuleInfo::evaluationTimeSeconds).sum();
                long n = all.stream().filter(r -> r.name().startsWith(prefix)).count();
                System.out.printf(Locale.ROOT, "%-10s %4d rules %.2f s (%.1f ms each)%n", prefix, n, sum, sum * 1000 / n);
            }
            // the same queries straight through the engine, without the rules around them
            Engine engine = new Engine(EngineOptions.defaults().withMaxSamples(500_000_000L));
            long qs = System.nanoTime();
            for (int r = 0; r < 90; r++) {
                engine.instant(storage, "rate(http_requests_total{job=\"j" + (r % jobs) + "\"}[5m]) > 0.4", evalT);
            }
            System.out.printf(Locale.ROOT, "engine only, the 90 alert queries: %.2f s%n", (System.nanoTime() - qs) / 1e9);
        } finally {
            try (var w = Files.walk(dir)) {
                w.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
