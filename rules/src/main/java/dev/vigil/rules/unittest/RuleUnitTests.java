package dev.vigil.rules.unittest;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.ast.VectorSelector;
import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.QueryException;
import dev.vigil.query.eval.Value;
import dev.vigil.rules.Alert;
import dev.vigil.rules.AlertState;
import dev.vigil.rules.AlertingRule;
import dev.vigil.rules.Rule;
import dev.vigil.rules.RuleGroup;
import dev.vigil.rules.RuleManager;
import dev.vigil.rules.config.Durations;
import dev.vigil.rules.config.RuleFiles;
import dev.vigil.rules.config.RuleGroupConfig;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.StaleMarker;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code bin/vigil test rules FILE...}: runs rule unit tests in promtool's format ({@code rule_files},
 * {@code evaluation_interval}, {@code tests[]} with {@code input_series} in expanding notation,
 * {@code alert_rule_test}, {@code promql_expr_test}, {@code external_labels}, {@code external_url}).
 *
 * <p>Semantics follow promtool: input samples are loaded at {@code interval} steps from time 0; every group is
 * evaluated at every {@code evaluation_interval} step from 0 to the last {@code eval_time} (group intervals are
 * ignored); an alert test compares the <em>firing</em> alerts of the named rule after the last evaluation at or before
 * its {@code eval_time}; expression tests run after all evaluations. Prints promtool's per-file
 * {@code Unit Testing:  FILE} / {@code SUCCESS} / {@code FAILED:} blocks, then {@code N passed, M failed}
 * (test cases). Exit code 1 when anything failed.
 */
public final class RuleUnitTests {
    private RuleUnitTests() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out));
    }

    /** Runs the test files; returns the exit code. */
    public static int run(String[] files, PrintStream out) {
        int[] counts = new int[2];
        boolean anyFailed = false;
        for (String f : files) {
            out.println("Unit Testing:  " + f);
            List<String> errors = new ArrayList<>();
            try {
                runFile(Path.of(f), counts, errors);
            } catch (IOException | RuntimeException e) {
                errors.add("    " + e.getMessage());
                counts[1]++;
            }
            if (errors.isEmpty()) {
                out.println("  SUCCESS");
            } else {
                anyFailed = true;
                out.println("  FAILED:");
                for (String e : errors) out.println(e);
            }
            out.println();
        }
        out.println(counts[0] + " passed, " + counts[1] + " failed");
        return anyFailed ? 1 : 0;
    }

    @SuppressWarnings("unchecked")
    static void runFile(Path file, int[] counts, List<String> errors) throws IOException {
        Map<String, Object> doc = (Map<String, Object>) new Yaml(new LoaderOptions())
                .load(Files.readString(file, StandardCharsets.UTF_8));
        if (doc == null) throw new IllegalArgumentException("empty test file");
        Path base = file.toAbsolutePath().getParent();
        long evalInterval = doc.containsKey("evaluation_interval")
                ? Durations.parseMs(String.valueOf(doc.get("evaluation_interval"))) : 60_000;
        List<String> ruleFiles = new ArrayList<>();
        for (Object o : (List<Object>) doc.getOrDefault("rule_files", List.of())) ruleFiles.add(String.valueOf(o));
        List<RuleGroupConfig> configs = new ArrayList<>();
        List<String> loadErrors = new ArrayList<>();
        for (Path rf : RuleFiles.expand(ruleFiles, base)) {
            RuleFiles.Result r = RuleFiles.parseFile(rf);
            loadErrors.addAll(r.errors());
            configs.addAll(r.groups());
        }
        if (!loadErrors.isEmpty()) {
            for (String e : loadErrors) errors.add("    " + e);
            counts[1]++;
            return;
        }
        List<Object> order = (List<Object>) doc.get("group_eval_order");
        if (order != null) {
            List<RuleGroupConfig> sorted = new ArrayList<>();
            for (Object name : order) {
                for (RuleGroupConfig c : configs) if (c.name().equals(String.valueOf(name))) sorted.add(c);
            }
            for (RuleGroupConfig c : configs) if (!sorted.contains(c)) sorted.add(c);
            configs = sorted;
        }
        int i = 0;
        for (Object t : (List<Object>) doc.getOrDefault("tests", List.of())) {
            runTestGroup(i++, (Map<String, Object>) t, configs, evalInterval, counts, errors);
        }
    }

    @SuppressWarnings("unchecked")
    private static void runTestGroup(int index, Map<String, Object> tg, List<RuleGroupConfig> configs,
            long evalInterval, int[] counts, List<String> errors) {
        String name = tg.containsKey("name") ? String.valueOf(tg.get("name")) : "";
        long interval = tg.containsKey("interval") ? Durations.parseMs(String.valueOf(tg.get("interval"))) : 60_000;
        Map<String, String> ext = new TreeMap<>();
        ((Map<String, Object>) tg.getOrDefault("external_labels", Map.of())).forEach((k, v) -> ext.put(k, String.valueOf(v)));
        String externalUrl = tg.containsKey("external_url") ? String.valueOf(tg.get("external_url")) : "";
        MemStorage storage = new MemStorage();
        for (Object so : (List<Object>) tg.getOrDefault("input_series", List.of())) {
            Map<String, Object> s = (Map<String, Object>) so;
            Labels l = parseLabels(String.valueOf(s.get("series")));
            List<Double> vals = expand(String.valueOf(s.getOrDefault("values", "")));
            for (int k = 0; k < vals.size(); k++) {
                if (vals.get(k) != null) storage.load(l, k * interval, vals.get(k));
            }
        }
        Engine engine = new Engine(EngineOptions.defaults());
        RuleManager manager = new RuleManager(RuleManager.Options.of(storage, engine, null, null));
        manager.apply(configs, new RuleManager.Settings(evalInterval, 0, ext, externalUrl));

        List<Map<String, Object>> alertTests = (List<Map<String, Object>>) (List<?>) tg.getOrDefault("alert_rule_test", List.of());
        List<Map<String, Object>> exprTests = (List<Map<String, Object>>) (List<?>) tg.getOrDefault("promql_expr_test", List.of());
        long maxT = 0;
        for (Map<String, Object> a : alertTests) maxT = Math.max(maxT, Durations.parseMs(String.valueOf(a.get("eval_time"))));
        for (Map<String, Object> e : exprTests) maxT = Math.max(maxT, Durations.parseMs(String.valueOf(e.get("eval_time"))));
        String prefix = "    name: " + name + ",\n";
        for (long ts = 0; ts <= maxT; ts += evalInterval) {
            manager.evaluateAll(ts);
            for (Map<String, Object> a : alertTests) {
                long et = Durations.parseMs(String.valueOf(a.get("eval_time")));
                if (et < ts || et >= ts + evalInterval) continue;
                String alertname = String.valueOf(a.get("alertname"));
                List<String> exp = new ArrayList<>();
                for (Object eo : (List<Object>) a.getOrDefault("exp_alerts", List.of())) {
                    Map<String, Object> ea = eo == null ? Map.of() : (Map<String, Object>) eo;
                    Map<String, String> labels = new TreeMap<>();
                    ((Map<String, Object>) ea.getOrDefault("exp_labels", Map.of())).forEach((k, v) -> labels.put(k, String.valueOf(v)));
                    labels.put("alertname", alertname);
                    Map<String, String> ann = new TreeMap<>();
                    ((Map<String, Object>) ea.getOrDefault("exp_annotations", Map.of())).forEach((k, v) -> ann.put(k, String.valueOf(v)));
                    exp.add(describe(labels, ann));
                }
                List<String> got = new ArrayList<>();
                for (RuleGroup g : manager.groupList()) {
                    for (Rule r : g.rules()) {
                        if (!(r instanceof AlertingRule ar) || !r.name().equals(alertname)) continue;
                        for (Alert al : ar.activeAlerts()) {
                            if (al.state() != AlertState.FIRING) continue;
                            Map<String, String> labels = new TreeMap<>();
                            for (int k = 0; k < al.labels().size(); k++) labels.put(al.labels().name(k), al.labels().value(k));
                            got.add(describe(labels, new TreeMap<>(al.annotations())));
                        }
                    }
                }
                exp.sort(null);
                got.sort(null);
                if (exp.equals(got)) {
                    counts[0]++;
                } else {
                    counts[1]++;
                    errors.add(prefix + "    alertname: " + alertname + ", time: " + Durations.format(et) + ", \n"
                            + "        exp:" + exp + ", \n        got:" + got);
                }
            }
        }
        for (Map<String, Object> e : exprTests) {
            String expr = String.valueOf(e.get("expr"));
            long et = Durations.parseMs(String.valueOf(e.get("eval_time")));
            List<String> exp = new ArrayList<>();
            for (Object so : (List<Object>) e.getOrDefault("exp_samples", List.of())) {
                Map<String, Object> s = (Map<String, Object>) so;
                Labels l = parseLabels(String.valueOf(s.getOrDefault("labels", "{}")));
                exp.add(l + " " + formatValue(Double.parseDouble(String.valueOf(s.get("value")))));
            }
            List<String> got = new ArrayList<>();
            try {
                Value v = engine.instant(storage, expr, et).value();
                if (v instanceof Value.Vector vec) {
                    for (int k = 0; k < vec.size(); k++) got.add(vec.labels()[k] + " " + formatValue(vec.vs()[k]));
                } else if (v instanceof Value.Scalar s) {
                    got.add(Labels.EMPTY + " " + formatValue(s.v()));
                } else {
                    throw QueryException.execution("expression evaluated to " + v.getClass().getSimpleName()
                            + ", want vector or scalar");
                }
            } catch (QueryException ex) {
                counts[1]++;
                errors.add(prefix + "    expr: \"" + expr + "\", time: " + Durations.format(et) + ", err: " + ex.getMessage());
                continue;
            }
            exp.sort(null);
            got.sort(null);
            if (exp.equals(got)) {
                counts[0]++;
            } else {
                counts[1]++;
                errors.add(prefix + "    expr: \"" + expr + "\", time: " + Durations.format(et) + ",\n        exp: "
                        + exp + "\n        got: " + got);
            }
        }
    }

    private static String describe(Map<String, String> labels, Map<String, String> annotations) {
        return "{labels: " + labels + ", annotations: " + annotations + "}";
    }

    /** Values compared at 12 significant digits, like promtool's tolerance for float noise. */
    private static String formatValue(double v) {
        if (Double.isNaN(v)) return "NaN";
        if (Double.isInfinite(v)) return v > 0 ? "+Inf" : "-Inf";
        return new java.math.BigDecimal(v).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
    }

    /** A series description {@code name{a="b"}}, {@code {a="b"}} or {@code name}, via the PromQL parser. */
    static Labels parseLabels(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.equals("{}")) return Labels.EMPTY;
        Expr e = Engine.parse(t);
        if (!(e instanceof VectorSelector vs)) throw new IllegalArgumentException("not a series description: " + text);
        Labels.Builder b = Labels.builder();
        for (Matcher m : vs.matchers()) {
            if (m.type() != Matcher.Type.EQUAL) throw new IllegalArgumentException("only = matchers in series: " + text);
            b.set(m.name(), m.value());
        }
        return b.build();
    }

    /** Expanding notation: {@code 1 2 _ stale 1+2x3 5-1x2 _x2 7x2}; null entries are gaps ({@code _}). */
    static List<Double> expand(String values) {
        List<Double> out = new ArrayList<>();
        for (String tok : values.trim().split("\\s+")) {
            if (tok.isEmpty()) continue;
            if (tok.equals("_")) {
                out.add(null);
                continue;
            }
            if (tok.equals("stale")) {
                out.add(StaleMarker.STALE_NAN);
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("^(_|[-+]?[^-+x]+(?:[eE][-+]?[0-9]+)?)(?:([-+])([^x]+))?x([0-9]+)$").matcher(tok);
            if (m.matches()) {
                int n = Integer.parseInt(m.group(4));
                if (m.group(1).equals("_")) {
                    for (int k = 0; k < n; k++) out.add(null);
                    continue;
                }
                double start = number(m.group(1));
                double step = m.group(2) == null ? 0 : number(m.group(3)) * (m.group(2).equals("-") ? -1 : 1);
                for (int k = 0; k <= n; k++) out.add(start + k * step);
                continue;
            }
            out.add(number(tok));
        }
        return out;
    }

    private static double number(String s) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (t.equals("inf") || t.equals("+inf")) return Double.POSITIVE_INFINITY;
        if (t.equals("-inf")) return Double.NEGATIVE_INFINITY;
        if (t.equals("nan")) return Double.NaN;
        return Double.parseDouble(s);
    }
}
