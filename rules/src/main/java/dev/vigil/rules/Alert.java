package dev.vigil.rules;

import dev.vigil.tsdb.Labels;
import java.util.Map;

/**
 * One alert of an alerting rule: the identity (labels after templating, without {@code __name__}, with
 * {@code alertname}), its annotations and its lifecycle times. Times are epoch millis, 0 meaning unset.
 *
 * <p>Mutable; all fields are guarded by the owning {@link AlertingRule}'s lock. Outside the rule, use {@link #copy}.
 */
public final class Alert {
    Labels labels;
    Map<String, String> annotations;
    AlertState state;
    double value;
    long activeAtMs;
    long firedAtMs;
    long resolvedAtMs;
    long lastSentAtMs;
    long validUntilMs;
    long keepFiringSinceMs;

    Alert(Labels labels, Map<String, String> annotations, AlertState state, double value, long activeAtMs) {
        this.labels = labels;
        this.annotations = annotations;
        this.state = state;
        this.value = value;
        this.activeAtMs = activeAtMs;
    }

    Alert copy() {
        Alert a = new Alert(labels, annotations, state, value, activeAtMs);
        a.firedAtMs = firedAtMs;
        a.resolvedAtMs = resolvedAtMs;
        a.lastSentAtMs = lastSentAtMs;
        a.validUntilMs = validUntilMs;
        a.keepFiringSinceMs = keepFiringSinceMs;
        return a;
    }

    /** Prometheus's needsSending: never pending ones; a fresh resolution at once; otherwise every resend delay. */
    boolean needsSending(long tMs, long resendDelayMs) {
        if (state == AlertState.PENDING) return false;
        if (resolvedAtMs > lastSentAtMs) return true;
        return lastSentAtMs + resendDelayMs < tMs;
    }

    public Labels labels() {
        return labels;
    }

    public Map<String, String> annotations() {
        return annotations;
    }

    public AlertState state() {
        return state;
    }

    public double value() {
        return value;
    }

    public long activeAtMs() {
        return activeAtMs;
    }

    public long firedAtMs() {
        return firedAtMs;
    }

    public long resolvedAtMs() {
        return resolvedAtMs;
    }

    public long keepFiringSinceMs() {
        return keepFiringSinceMs;
    }

    public long lastSentAtMs() {
        return lastSentAtMs;
    }

    public long validUntilMs() {
        return validUntilMs;
    }
}
