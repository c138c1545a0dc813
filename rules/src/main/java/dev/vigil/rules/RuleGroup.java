package dev.vigil.rules;

import dev.vigil.rules.config.RuleGroupConfig;
import dev.vigil.rules.notify.AlertSink;
import dev.vigil.rules.notify.NotifierAlert;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A rule group: its rules evaluated in order at one timestamp per interval, as Prometheus's rules.Group does.
 *
 * <p>Each rule's output is appended and committed before the next rule runs, so a recording rule's series is visible
 * to later rules of the same evaluation. Series a rule produced last time but not now get a staleness marker. The
 * evaluation timestamp is aligned to the interval with a per-group offset derived from a hash of the group's name and
 * file, so groups spread over the interval and keep their phase across restarts.
 *
 * <p>Threading: {@link #evaluate} runs on the group's own thread (or the caller's in tests); one evaluation at a time.
 * The scheduling loop is started and stopped by {@link RuleManager}. Outcome fields are volatile for API readers.
 */
public final class RuleGroup {
    final RuleGroupConfig config;
    final String file;
    final String name;
    final long intervalMs;
    final long queryOffsetMs;
    final int limit;
    final List<Rule> rules;
    // per rule; written by the rule's evaluation task, read after the group joined its tasks
    private final Set<Labels>[] seriesInPreviousEval;
    private final int[] waves;
    private volatile long lastEvaluationMs;
    private volatile long evaluationTimeNanos;
    final AtomicLong appendRejected = new AtomicLong();
    final AtomicLong evaluationFailures = new AtomicLong();
    private volatile Thread thread;
    private volatile boolean stopping;

    RuleGroup(RuleGroupConfig config, long intervalMs, long queryOffsetMs, List<Rule> rules) {
        this.config = config;
        this.file = config.file();
        this.name = config.name();
        this.intervalMs = intervalMs;
        this.queryOffsetMs = queryOffsetMs;
        this.limit = config.limit();
        this.rules = List.copyOf(rules);
        @SuppressWarnings("unchecked")
        Set<Labels>[] prev = new Set[rules.size()];
        java.util.Arrays.fill(prev, Set.of());
        this.seriesInPreviousEval = prev;
        this.waves = RuleDependencies.waves(this.rules);
    }

    public String name() {
        return name;
    }

    public String file() {
        return file;
    }

    public long intervalMs() {
        return intervalMs;
    }

    public long queryOffsetMs() {
        return queryOffsetMs;
    }

    public int limit() {
        return limit;
    }

    public List<Rule> rules() {
        return rules;
    }

    public long lastEvaluationMs() {
        return lastEvaluationMs;
    }

    public long evaluationTimeNanos() {
        return evaluationTimeNanos;
    }

    /** The group's phase within its interval, stable for a given name and file. */
    long offsetMs() {
        long h = Labels.of("file", file, "name", name).hash();
        return Long.remainderUnsigned(h, intervalMs);
    }

    /** The latest aligned evaluation time at or before {@code nowMs} (Prometheus's EvalTimestamp). */
    long evalTimestamp(long nowMs) {
        long offset = offsetMs();
        long adjNow = nowMs - offset;
        long base = adjNow - Math.floorMod(adjNow, intervalMs);
        return base + offset;
    }

    /**
     * Evaluates every rule at {@code tMs}, appending results to {@code storage} and handing alerts to {@code sink}
     * (may be null). With an {@code executor}, rules of one dependency wave (see {@link RuleDependencies}) run
     * concurrently; the results equal those of in-order evaluation because no rule of a wave reads another's output.
     */
    void evaluate(long tMs, Storage storage, QueryFunction query, AlertSink sink, long resendDelayMs,
            String externalUrl, java.util.concurrent.ExecutorService executor) {
        long start = System.nanoTime();
        if (executor == null || rules.size() < 2) {
            for (int i = 0; i < rules.size(); i++) evaluateRule(i, tMs, storage, query, sink, resendDelayMs, externalUrl);
        } else {
            int maxWave = 0;
            for (int w : waves) maxWave = Math.max(maxWave, w);
            for (int w = 0; w <= maxWave; w++) {
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int i = 0; i < rules.size(); i++) {
                    if (waves[i] != w) continue;
                    int idx = i;
                    running.add(executor.submit(() -> evaluateRule(idx, tMs, storage, query, sink, resendDelayMs,
                            externalUrl)));
                }
                for (java.util.concurrent.Future<?> f : running) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException("rule evaluation task failed", e.getCause());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
            }
        }
        lastEvaluationMs = tMs;
        evaluationTimeNanos = System.nanoTime() - start;
    }

    private void evaluateRule(int i, long tMs, Storage storage, QueryFunction query, AlertSink sink,
            long resendDelayMs, String externalUrl) {
        Rule rule = rules.get(i);
        long rs = System.nanoTime();
        Rule.Output out;
        try {
            out = rule.eval(tMs, queryOffsetMs, query, limit);
            rule.health = RuleHealth.OK;
            rule.lastError = null;
        } catch (RuntimeException e) {
            // one failing rule never stops the group: record it and go on with the next
            rule.health = RuleHealth.ERR;
            rule.lastError = e.getMessage() == null ? e.toString() : e.getMessage();
            rule.lastEvaluationMs = tMs;
            rule.evaluationTimeNanos = System.nanoTime() - rs;
            evaluationFailures.incrementAndGet();
            return;
        }
        if (rule instanceof AlertingRule ar && sink != null) {
            List<Alert> toSend = ar.alertsToSend(tMs, resendDelayMs, intervalMs);
            if (!toSend.isEmpty()) {
                String url = (externalUrl == null ? "" : externalUrl) + "/graph?g0.expr="
                        + URLEncoder.encode(ar.exprText, StandardCharsets.UTF_8) + "&g0.tab=1";
                List<NotifierAlert> batch = new ArrayList<>(toSend.size());
                for (Alert a : toSend) {
                    batch.add(new NotifierAlert(a.labels, a.annotations, a.firedAtMs,
                            a.resolvedAtMs != 0 ? a.resolvedAtMs : a.validUntilMs, url));
                }
                try {
                    sink.send(batch);
                } catch (RuntimeException e) {
                    // a notifier problem (e.g. a relabel rule failing) must not cost the rule its output
                    evaluationFailures.incrementAndGet();
                }
            }
        }
        try {
            Set<Labels> returned = new HashSet<>();
            Appender app = storage.appender();
            try {
                for (int k = 0; k < out.labels().length; k++) {
                    long r = app.append(0, out.labels()[k], out.t(), out.values()[k]);
                    if (AppendStatus.isRejected(r)) appendRejected.incrementAndGet();
                    else returned.add(out.labels()[k]);
                }
                for (Labels gone : seriesInPreviousEval[i]) {
                    if (!returned.contains(gone)) app.append(0, gone, out.t(), StaleMarker.STALE_NAN);
                }
                app.commit();
            } catch (RuntimeException e) {
                app.rollback();
                throw e;
            }
            seriesInPreviousEval[i] = returned;
        } catch (RuntimeException e) {
            rule.health = RuleHealth.ERR;
            rule.lastError = "append: " + (e.getMessage() == null ? e.toString() : e.getMessage());
            evaluationFailures.incrementAndGet();
        }
        rule.lastEvaluationMs = tMs;
        rule.evaluationTimeNanos = System.nanoTime() - rs;
    }

    /** Marks every series this group wrote as stale (the group was removed by a reload). */
    void markStale(long tMs, Storage storage) {
        Appender app = storage.appender();
        for (Set<Labels> s : seriesInPreviousEval) {
            for (Labels l : s) app.append(0, l, tMs, StaleMarker.STALE_NAN);
        }
        app.commit();
    }

    /** Takes over the evaluation state of the group it replaces (same file and name) across a reload. */
    void copyState(RuleGroup old) {
        lastEvaluationMs = old.lastEvaluationMs;
        evaluationTimeNanos = old.evaluationTimeNanos;
        List<Rule> taken = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            Rule r = rules.get(i);
            for (int j = 0; j < old.rules.size(); j++) {
                Rule o = old.rules.get(j);
                if (taken.contains(o) || !o.name.equals(r.name) || o.getClass() != r.getClass()
                        || !o.labels.equals(r.labels)) continue;
                taken.add(o);
                seriesInPreviousEval[i] = old.seriesInPreviousEval[j];
                r.health = o.health;
                r.lastError = o.lastError;
                r.lastEvaluationMs = o.lastEvaluationMs;
                r.evaluationTimeNanos = o.evaluationTimeNanos;
                if (r instanceof AlertingRule ar) ar.restore(((AlertingRule) o).allAlerts());
                break;
            }
        }
    }

    /** Runs the scheduling loop on a new thread until {@link #stop}. */
    void start(LongSupplier clock, java.util.function.LongConsumer evaluate) {
        stopping = false;
        thread = Thread.ofPlatform().name("rule-group-" + name).daemon().start(() -> loop(clock, evaluate));
    }

    private void loop(LongSupplier clock, java.util.function.LongConsumer evaluate) {
        long evalTs = evalTimestamp(clock.getAsLong()) + intervalMs;
        while (!stopping) {
            long wait = evalTs - clock.getAsLong();
            if (wait > 0) {
                // park, not sleep + interrupt: interrupting a thread inside a FileChannel write (the WAL) would
                // close the channel
                java.util.concurrent.locks.LockSupport.parkNanos(this, wait * 1_000_000L);
                continue;
            }
            try {
                evaluate.accept(evalTs);
            } catch (RuntimeException e) {
                // keep the schedule alive whatever happened; rule errors are already recorded per rule
                evaluationFailures.incrementAndGet();
            }
            long now = clock.getAsLong();
            // skip missed iterations instead of catching up, as Prometheus does
            long missed = Math.max(0, (now - evalTs) / intervalMs - 1);
            evalTs += (missed + 1) * intervalMs;
        }
    }

    void stop() {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            java.util.concurrent.locks.LockSupport.unpark(t);
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        thread = null;
    }
}
