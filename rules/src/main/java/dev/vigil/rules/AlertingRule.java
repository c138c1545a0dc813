package dev.vigil.rules;

import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.QueryException;
import dev.vigil.query.eval.Value;
import dev.vigil.rules.template.Expander;
import dev.vigil.rules.template.Template;
import dev.vigil.rules.template.TemplateException;
import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An alerting rule: each sample of its query is an alert, identified by the sample's labels (without {@code __name__})
 * plus the rule's templated labels and {@code alertname}. Follows Prometheus's state machine exactly
 * (rules/alerting.go): a new alert is pending, fires once it has been active for {@code for}; when its sample
 * disappears a pending alert is dropped and a firing one resolves, unless {@code keep_firing_for} holds it; resolved
 * alerts stay 15 minutes so their resolution is re-sent to Alertmanager. Each evaluation writes {@code ALERTS} and
 * {@code ALERTS_FOR_STATE} for pending and firing alerts.
 *
 * <p>Thread-safety: {@link #active} and every {@link Alert} in it are guarded by {@code this}; the group thread
 * evaluates, API and persistence threads take copies.
 */
public final class AlertingRule extends Rule {
    /** How long a resolved alert is kept (and re-sent as resolved), as Prometheus's resolvedRetention. */
    static final long RESOLVED_RETENTION_MS = 15 * 60_000L;

    final long forMs;
    final long keepFiringForMs;
    final Map<String, String> annotations;
    private final Map<String, Object> labelTemplates = new LinkedHashMap<>();
    private final Map<String, Object> annotationTemplates = new LinkedHashMap<>();
    private final Map<String, String> externalLabels;
    private final String externalUrl;
    private final Map<Labels, Alert> active = new LinkedHashMap<>(); // guarded by this

    public AlertingRule(String name, String exprText, long forMs, long keepFiringForMs, Map<String, String> labels,
            Map<String, String> annotations, Map<String, String> externalLabels, String externalUrl) {
        super(name, exprText, labels);
        this.forMs = forMs;
        this.keepFiringForMs = keepFiringForMs;
        this.annotations = annotations;
        this.externalLabels = externalLabels;
        this.externalUrl = externalUrl;
        // parsed once: a parse error is kept and shown as the expansion, as Prometheus does at run time
        labels.forEach((k, v) -> labelTemplates.put(k, parse(v)));
        annotations.forEach((k, v) -> annotationTemplates.put(k, parse(v)));
    }

    private Object parse(String text) {
        if (!text.contains("{{")) return text;
        try {
            return Expander.parseAlert(name, text);
        } catch (TemplateException e) {
            return new TemplateError(Expander.parseErrorText(name, e));
        }
    }

    private record TemplateError(String text) {}

    /** Whether a label or annotation template calls {@code query}, which may read any series. */
    boolean templatesQuery() {
        for (Map<String, String> m : List.of(labels, annotations)) {
            for (String v : m.values()) if (v.contains("{{") && v.contains("query")) return true;
        }
        return false;
    }

    public long forMs() {
        return forMs;
    }

    public long keepFiringForMs() {
        return keepFiringForMs;
    }

    public Map<String, String> annotations() {
        return annotations;
    }

    private String expand(Object t, Expander.AlertData data, long tMs, Expander.QueryFunction q) {
        if (t instanceof String s) return s;
        if (t instanceof TemplateError e) return e.text();
        return Expander.expandAlert((Template) t, data, tMs, q);
    }

    static List<Template.Sample> toSamples(Value v) {
        List<Template.Sample> out = new ArrayList<>();
        switch (v) {
            case Value.Vector vec -> {
                for (int i = 0; i < vec.size(); i++) out.add(new Template.Sample(toMap(vec.labels()[i]), vec.vs()[i]));
            }
            case Value.Scalar s -> out.add(new Template.Sample(Map.of(), s.v()));
            default -> throw QueryException.execution("rule result is not a vector or scalar");
        }
        return out;
    }

    static Map<String, String> toMap(Labels l) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < l.size(); i++) m.put(l.name(i), l.value(i));
        return Collections.unmodifiableMap(m);
    }

    @Override
    Output eval(long tMs, long queryOffsetMs, QueryFunction query, int limit) {
        long qt = tMs - queryOffsetMs;
        Value v = query.query(expr, exprText, qt);
        Expander.QueryFunction tq = (q, t) -> toSamples(query.query(Engine.parse(q), q, t));
        Value.Vector result = asVector(v, qt);
        Labels[] in = result.labels();
        double[] vs = result.vs();
        Map<Labels, Alert> fresh = new LinkedHashMap<>();
        for (int i = 0; i < in.length; i++) {
            Expander.AlertData data = new Expander.AlertData(toMap(in[i]), externalLabels, externalUrl, vs[i]);
            Map<String, String> expandedLabels = new LinkedHashMap<>();
            labelTemplates.forEach((k, t) -> expandedLabels.put(k, expand(t, data, tMs, tq)));
            expandedLabels.put("alertname", name);
            Labels lbs = applyLabels(in[i], expandedLabels, null, true);
            Map<String, String> ann = new TreeMap<>();
            annotationTemplates.forEach((k, t) -> ann.put(k, expand(t, data, tMs, tq)));
            if (fresh.containsKey(lbs)) {
                throw QueryException.execution(
                        "vector contains metrics with the same labelset after applying alert labels");
            }
            fresh.put(lbs, new Alert(lbs, Collections.unmodifiableMap(ann), AlertState.PENDING, vs[i], tMs));
        }
        List<Labels> outLabels = new ArrayList<>();
        List<Double> outValues = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<Labels, Alert> e : fresh.entrySet()) {
                Alert existing = active.get(e.getKey());
                if (existing != null && existing.state != AlertState.INACTIVE) {
                    existing.value = e.getValue().value;
                    existing.annotations = e.getValue().annotations;
                } else {
                    active.put(e.getKey(), e.getValue());
                }
            }
            int numActive = 0;
            for (Iterator<Map.Entry<Labels, Alert>> it = active.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Labels, Alert> e = it.next();
                Alert a = e.getValue();
                if (!fresh.containsKey(e.getKey())) {
                    boolean keepFiring = false;
                    if (a.state == AlertState.FIRING && keepFiringForMs > 0) {
                        if (a.keepFiringSinceMs == 0) a.keepFiringSinceMs = tMs;
                        if (tMs - a.keepFiringSinceMs < keepFiringForMs) keepFiring = true;
                    }
                    if (a.state == AlertState.PENDING
                            || (a.resolvedAtMs != 0 && tMs - a.resolvedAtMs > RESOLVED_RETENTION_MS)) {
                        it.remove();
                    }
                    if (a.state != AlertState.INACTIVE && !keepFiring) {
                        a.state = AlertState.INACTIVE;
                        a.resolvedAtMs = tMs;
                    }
                    if (!keepFiring) continue;
                } else {
                    a.keepFiringSinceMs = 0;
                }
                numActive++;
                if (a.state == AlertState.PENDING && tMs - a.activeAtMs >= forMs) {
                    a.state = AlertState.FIRING;
                    a.firedAtMs = tMs;
                }
                outLabels.add(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS")
                        .set("alertstate", a.state.text()).build());
                outValues.add(1.0);
                outLabels.add(a.labels.toBuilder().set(Labels.METRIC_NAME, "ALERTS_FOR_STATE").build());
                // Prometheus stores whole seconds here (ActiveAt.Unix())
                outValues.add((double) Math.floorDiv(a.activeAtMs, 1000));
            }
            if (limit > 0 && numActive > limit) {
                active.clear();
                throw QueryException.execution("exceeded limit of " + limit + " with " + numActive + " alerts");
            }
        }
        double[] out = new double[outValues.size()];
        for (int i = 0; i < out.length; i++) out[i] = outValues.get(i);
        return new Output(outLabels.toArray(Labels[]::new), out, qt);
    }

    /** The alerts to send now (Prometheus's sendAlerts): marks them sent and sets their validity. */
    synchronized List<Alert> alertsToSend(long tMs, long resendDelayMs, long intervalMs) {
        List<Alert> out = new ArrayList<>();
        for (Alert a : active.values()) {
            if (!a.needsSending(tMs, resendDelayMs)) continue;
            a.lastSentAtMs = tMs;
            // allow for two missed evaluations or failed sends before Alertmanager resolves it on its own
            long delta = Math.max(resendDelayMs, intervalMs);
            a.validUntilMs = tMs + 4 * delta;
            out.add(a.copy());
        }
        return out;
    }

    /** The rule's state: the highest state of its alerts. */
    public synchronized AlertState state() {
        AlertState s = AlertState.INACTIVE;
        for (Alert a : active.values()) if (a.state.ordinal() > s.ordinal()) s = a.state;
        return s;
    }

    /** Copies of the pending and firing alerts. */
    public synchronized List<Alert> activeAlerts() {
        List<Alert> out = new ArrayList<>();
        for (Alert a : active.values()) if (a.state != AlertState.INACTIVE) out.add(a.copy());
        return out;
    }

    /** Copies of every alert held, resolved ones included (for persistence). */
    synchronized List<Alert> allAlerts() {
        List<Alert> out = new ArrayList<>();
        for (Alert a : active.values()) out.add(a.copy());
        return out;
    }

    /** Replaces the held alerts (restore after restart, or state carried over a reload). */
    synchronized void restore(List<Alert> alerts) {
        active.clear();
        for (Alert a : alerts) active.put(a.labels, a.copy());
    }
}
