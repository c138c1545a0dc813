package dev.vigil.rules;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.QueryLog;
import dev.vigil.rules.config.RuleConfig;
import dev.vigil.rules.config.RuleFiles;
import dev.vigil.rules.config.RuleGroupConfig;
import dev.vigil.rules.notify.AlertSink;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * Loads rule files and evaluates their groups; the server's entry point to rules.
 *
 * <p>Design notes. Each group runs on its own thread, at its interval with a stable phase (see {@link RuleGroup}).
 * Rules reach the engine through a {@link QueryFunction} over a fresh querier per query, and write through the
 * storage's {@link dev.vigil.tsdb.Appender}, one transaction per rule. {@link #load} is all-or-nothing: a file with an
 * error leaves the running rules untouched (the exception lists every error with file and line). On reload, an
 * unchanged group keeps running as it is; a changed group takes over the state of the old group with the same file
 * and name (alerts, staleness tracking); a removed group's series get staleness markers. Alert state is persisted under
 * the data directory after evaluations and restored on the first load (see {@link AlertStateStore}), so a restart
 * neither forgets active-since nor keep_firing_for, nor re-notifies.
 *
 * <p>Thread-safety: public methods may be called from any thread; {@link #load}, {@link #start} and {@link #stop}
 * are serialized on the manager.
 */
public final class RuleManager implements AutoCloseable {

    /** Values from prometheus.yml that rules use; reloadable. */
    public record Settings(long evaluationIntervalMs, long queryOffsetMs, Map<String, String> externalLabels,
                           String externalUrl) {
        public Settings {
            if (evaluationIntervalMs <= 0) throw new IllegalArgumentException("evaluation interval must be positive");
            externalLabels = Map.copyOf(externalLabels);
            externalUrl = externalUrl == null ? "" : externalUrl.replaceAll("/+$", "");
        }

        /** Prometheus's defaults: 1m interval, no query offset, no external labels. */
        public static Settings defaults() {
            return new Settings(60_000, 0, Map.of(), "");
        }
    }

    /**
     * Fixed wiring.
     *
     * @param dataDir where alert state is persisted; null keeps it in memory only
     * @param sink where alerts go (the Alertmanager notifier); null sends nothing
     * @param resendDelayMs how often an unchanged firing alert is re-sent (Prometheus: 1m)
     * @param clock epoch millis, for scheduling
     */
    public record Options(Storage storage, Engine engine, Path dataDir, AlertSink sink, long resendDelayMs,
                          LongSupplier clock, int ruleConcurrency) {
        public Options {
            Objects.requireNonNull(storage, "storage");
            Objects.requireNonNull(engine, "engine");
            if (clock == null) clock = System::currentTimeMillis;
            if (resendDelayMs <= 0) resendDelayMs = 60_000;
            if (ruleConcurrency <= 0) ruleConcurrency = 1;
        }

        public Options(Storage storage, Engine engine, Path dataDir, AlertSink sink, long resendDelayMs,
                LongSupplier clock) {
            this(storage, engine, dataDir, sink, resendDelayMs, clock, 1);
        }

        /** Defaults: resend delay 1m, wall clock, rules of a group evaluated one at a time. */
        public static Options of(Storage storage, Engine engine, Path dataDir, AlertSink sink) {
            return new Options(storage, engine, dataDir, sink, 60_000, System::currentTimeMillis, 1);
        }

        /**
         * Evaluate up to {@code n} independent rules of a group at once (Prometheus 3's concurrent-rule-eval);
         * results equal in-order evaluation. Needs a thread-safe storage.
         */
        public Options withRuleConcurrency(int n) {
            return new Options(storage, engine, dataDir, sink, resendDelayMs, clock, n);
        }
    }

    /** A rule file set that did not load; the previous rules keep running. */
    public static final class RuleLoadException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final List<String> errors;

        RuleLoadException(List<String> errors) {
            super("error loading rules: " + String.join("; ", errors));
            this.errors = List.copyOf(errors);
        }

        /** One line per error: {@code FILE: LINE:COL: group "g", rule N, "name": problem}. */
        public List<String> errors() {
            return errors;
        }
    }

    private final Options options;
    private final AlertStateStore stateStore;
    private volatile Settings settings = Settings.defaults();
    private volatile List<RuleGroup> groups = List.of();
    private volatile boolean running;
    private volatile boolean closing;
    private boolean restoredOnce;
    private volatile String lastPersistError;

    private final java.util.concurrent.ExecutorService ruleExecutor;

    public RuleManager(Options options) {
        this.options = options;
        this.ruleExecutor = options.ruleConcurrency() <= 1 ? null
                : java.util.concurrent.Executors.newFixedThreadPool(options.ruleConcurrency(),
                        Thread.ofPlatform().name("rule-eval-", 0).daemon().factory());
        this.stateStore = options.dataDir() == null ? null : new AlertStateStore(options.dataDir());
    }

    /**
     * Loads the rule files matching {@code patterns} (globs, relative to {@code baseDir}) with {@code settings},
     * replacing the current groups. Returns the files loaded.
     *
     * @throws RuleLoadException when any file is missing or invalid; nothing changes then
     */
    public synchronized List<Path> load(List<String> patterns, Path baseDir, Settings settings) {
        List<Path> files;
        try {
            files = RuleFiles.expand(patterns, baseDir);
        } catch (IOException e) {
            throw new RuleLoadException(List.of("cannot expand rule_files: " + e.getMessage()));
        }
        List<String> errors = new ArrayList<>();
        List<RuleGroupConfig> configs = new ArrayList<>();
        for (Path f : files) {
            RuleFiles.Result r = RuleFiles.parseFile(f);
            errors.addAll(r.errors());
            configs.addAll(r.groups());
        }
        if (!errors.isEmpty()) throw new RuleLoadException(errors);
        apply(configs, settings);
        return files;
    }

    /** Replaces the groups with already-parsed ones (used by load and by the rule unit-test runner). */
    public synchronized void apply(List<RuleGroupConfig> configs, Settings settings) {
        Settings oldSettings = this.settings;
        this.settings = settings;
        Map<String, RuleGroup> old = new LinkedHashMap<>();
        for (RuleGroup g : groups) old.put(g.file + "\u0000" + g.name, g);
        List<RuleGroup> next = new ArrayList<>();
        Map<String, List<Alert>> saved = Map.of();
        if (!restoredOnce && stateStore != null) {
            try {
                saved = stateStore.load();
            } catch (IOException e) {
                // a damaged state file must not keep rules from running; alerts then start fresh, as in Prometheus
                lastPersistError = e.getMessage();
            }
        }
        for (RuleGroupConfig c : configs) {
            String key = c.file() + "\u0000" + c.name();
            RuleGroup prev = old.remove(key);
            if (prev != null && prev.config.equals(c) && settings.equals(oldSettings)) {
                next.add(prev); // unchanged: keep it running as it is
                continue;
            }
            RuleGroup g = build(c, settings);
            if (prev != null) {
                prev.stop();
                g.copyState(prev);
            } else if (!restoredOnce) {
                restore(g, saved);
            }
            next.add(g);
            if (running) startGroup(g);
        }
        long now = options.clock().getAsLong();
        for (RuleGroup removed : old.values()) {
            removed.stop();
            try {
                removed.markStale(now, options.storage());
            } catch (RuntimeException e) {
                // the storage may be closing; the series go stale by lookback anyway
            }
        }
        restoredOnce = true;
        groups = List.copyOf(next);
    }

    private RuleGroup build(RuleGroupConfig c, Settings s) {
        List<Rule> rules = new ArrayList<>();
        for (RuleConfig rc : c.rules()) {
            Map<String, String> labels = new LinkedHashMap<>(c.labels());
            labels.putAll(rc.labels());
            if (rc.kind() == RuleConfig.Kind.RECORD) {
                rules.add(new RecordingRule(rc.name(), rc.expr(), Map.copyOf(labels)));
            } else {
                rules.add(new AlertingRule(rc.name(), rc.expr(), rc.forMs(), rc.keepFiringForMs(),
                        java.util.Collections.unmodifiableMap(labels), rc.annotations(), s.externalLabels(),
                        s.externalUrl()));
            }
        }
        long interval = c.intervalMs() > 0 ? c.intervalMs() : s.evaluationIntervalMs();
        long offset = c.queryOffsetMs() >= 0 ? c.queryOffsetMs() : s.queryOffsetMs();
        return new RuleGroup(c, interval, offset, rules);
    }

    private static void restore(RuleGroup g, Map<String, List<Alert>> saved) {
        Map<String, Integer> ordinals = new HashMap<>();
        for (Rule r : g.rules) {
            if (!(r instanceof AlertingRule ar)) continue;
            int ord = ordinals.merge(r.name, 1, Integer::sum) - 1;
            List<Alert> alerts = saved.get(AlertStateStore.key(g.file, g.name, r.name, ord));
            if (alerts != null) ar.restore(alerts);
        }
    }

    /** Starts evaluating every group on its schedule. */
    public synchronized void start() {
        if (running) return;
        running = true;
        for (RuleGroup g : groups) startGroup(g);
    }

    private void startGroup(RuleGroup g) {
        g.start(options.clock(), t -> evaluateGroup(g, t));
    }

    /** Stops evaluation (waits for running evaluations) and persists the alert state. */
    public synchronized void stop() {
        if (!running) return;
        closing = true;
        for (RuleGroup g : groups) g.stop();
        running = false;
        closing = false;
        persist();
    }

    /** Stops evaluation and releases the rule evaluation threads. */
    @Override
    public void close() {
        stop();
        // shutdown, not shutdownNow: interrupting an append could close the WAL's file channel
        if (ruleExecutor != null) ruleExecutor.shutdown();
    }

    /** Evaluates every group once at {@code tMs}, in order, on the caller's thread (tests and rule unit tests). */
    public void evaluateAll(long tMs) {
        for (RuleGroup g : groups) evaluateGroup(g, tMs);
    }

    /** Evaluates one group at {@code tMs} and persists alert state. */
    void evaluateGroup(RuleGroup g, long tMs) {
        Settings s = settings;
        g.evaluate(tMs, options.storage(), (expr, text, t) -> query(g, expr, text, t), options.sink(), options.resendDelayMs(),
                s.externalUrl(), ruleExecutor);
        boolean hasAlerting = g.rules.stream().anyMatch(r -> r instanceof AlertingRule);
        if (hasAlerting) persist();
    }

    private dev.vigil.query.eval.Value query(RuleGroup g, dev.vigil.query.ast.Expr expr, String text, long tMs) {
        long start = System.nanoTime();
        String error = null;
        try (Querier q = options.storage().querier()) {
            return options.engine().instant(q, expr, text, tMs, () -> closing).value();
        } catch (RuntimeException e) {
            error = e.getMessage() != null ? e.getMessage() : e.toString(); // a failure is never logged as a success
            throw e;
        } finally {
            QueryLog log = queryLog;
            if (log != QueryLog.NONE) {
                log.logged(new QueryLog.Entry(text, tMs, tMs, 0, error, 0, System.nanoTime() - start,
                        Map.of("ruleGroup", Map.of("file", g.file, "name", g.name))));
            }
        }
    }

    /** Where rule queries are logged from now on (the config's query_log_file). */
    public void setQueryLog(QueryLog log) {
        queryLog = log;
    }

    private volatile QueryLog queryLog = QueryLog.NONE;

    private void persist() {
        if (stateStore == null) return;
        Map<String, List<Alert>> byRule = new TreeMap<>();
        for (RuleGroup g : groups) {
            Map<String, Integer> ordinals = new HashMap<>();
            for (Rule r : g.rules) {
                if (!(r instanceof AlertingRule ar)) continue;
                int ord = ordinals.merge(r.name, 1, Integer::sum) - 1;
                byRule.put(AlertStateStore.key(g.file, g.name, r.name, ord), ar.allAlerts());
            }
        }
        try {
            stateStore.save(byRule);
            lastPersistError = null;
        } catch (IOException e) {
            lastPersistError = e.getMessage();
        }
    }

    /**
     * Counters for self-monitoring ({@code /metrics}), summed over the current groups.
     *
     * @param ruleGroups groups loaded
     * @param rules rules loaded
     * @param evaluationFailures rule evaluations that failed (query error, limit, append error)
     * @param samplesRejected rule output samples the storage refused (out of order, duplicate, ...)
     */
    public record Stats(int ruleGroups, int rules, long evaluationFailures, long samplesRejected) {}

    public Stats stats() {
        int rules = 0;
        long failures = 0, rejected = 0;
        for (RuleGroup g : groups) {
            rules += g.rules.size();
            failures += g.evaluationFailures.get();
            rejected += g.appendRejected.get();
        }
        return new Stats(groups.size(), rules, failures, rejected);
    }

    /** The last error writing or reading the alert state file, or null. */
    public String lastPersistError() {
        return lastPersistError;
    }

    /** The current groups, in file and file order. */
    public List<RuleGroup> groupList() {
        return groups;
    }

    /** Snapshots for {@code /api/v1/rules}. */
    public List<RulesApi.GroupInfo> groups() {
        List<RulesApi.GroupInfo> out = new ArrayList<>();
        for (RuleGroup g : groups) {
            List<RulesApi.RuleInfo> rules = new ArrayList<>();
            for (Rule r : g.rules) {
                Map<String, String> labels = new TreeMap<>(r.labels);
                if (r instanceof AlertingRule ar) {
                    List<RulesApi.AlertInfo> alerts = ar.activeAlerts().stream().map(RuleManager::info).toList();
                    rules.add(new RulesApi.RuleInfo("alerting", r.name, r.query(), ar.forMs, ar.keepFiringForMs,
                            labels, new TreeMap<>(ar.annotations), ar.state().text(), alerts, r.health.text(),
                            r.lastError, r.evaluationTimeNanos / 1e9, r.lastEvaluationMs));
                } else {
                    rules.add(new RulesApi.RuleInfo("recording", r.name, r.query(), 0, 0, labels, Map.of(), null,
                            List.of(), r.health.text(), r.lastError, r.evaluationTimeNanos / 1e9,
                            r.lastEvaluationMs));
                }
            }
            out.add(new RulesApi.GroupInfo(g.name, g.file, g.intervalMs, g.limit, g.queryOffsetMs, List.copyOf(rules),
                    g.evaluationTimeNanos() / 1e9, g.lastEvaluationMs()));
        }
        return out;
    }

    /** Snapshots for {@code /api/v1/alerts}: pending and firing alerts of all rules. */
    public List<RulesApi.AlertInfo> alerts() {
        List<RulesApi.AlertInfo> out = new ArrayList<>();
        for (RuleGroup g : groups) {
            for (Rule r : g.rules) {
                if (r instanceof AlertingRule ar) for (Alert a : ar.activeAlerts()) out.add(info(a));
            }
        }
        return out;
    }

    private static RulesApi.AlertInfo info(Alert a) {
        return new RulesApi.AlertInfo(AlertingRule.toMap(a.labels), new TreeMap<>(a.annotations), a.state.text(),
                a.activeAtMs, a.keepFiringSinceMs, a.value);
    }

    /** Writes the {@code data} of {@code /api/v1/rules}. @throws IllegalArgumentException for an unknown type */
    public void writeRulesJson(StringBuilder out, RulesApi.RulesFilter filter) {
        RulesApi.writeRules(out, groups(), filter);
    }

    /** Writes the {@code data} of {@code /api/v1/alerts}. */
    public void writeAlertsJson(StringBuilder out) {
        RulesApi.writeAlerts(out, alerts());
    }
}
