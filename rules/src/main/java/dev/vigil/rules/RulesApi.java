package dev.vigil.rules;

import dev.vigil.rules.json.Json;
import dev.vigil.rules.template.GoFmt;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What {@code /api/v1/rules} and {@code /api/v1/alerts} show, as plain records and as Prometheus's JSON (the
 * {@code data} part of the envelope). Field order, time format (Go's RFC3339Nano, {@code 0001-01-01T00:00:00Z} for
 * never), alert values ({@code 1e+00}) and seconds as JSON numbers follow Prometheus's web/api/v1 so clients such as
 * Grafana parse them unchanged. Records are immutable snapshots; the writers are stateless.
 */
public final class RulesApi {
    private RulesApi() {}

    /** One alert. Times epoch millis, 0 for unset. */
    public record AlertInfo(Map<String, String> labels, Map<String, String> annotations, String state,
                            long activeAtMs, long keepFiringSinceMs, double value) {}

    /**
     * One rule; {@code type} is {@code alerting} or {@code recording}. For recording rules {@code state},
     * {@code annotations} and {@code alerts} are empty / null and durations 0. {@code lastError} is null when healthy.
     */
    public record RuleInfo(String type, String name, String query, long durationMs, long keepFiringForMs,
                           Map<String, String> labels, Map<String, String> annotations, String state,
                           List<AlertInfo> alerts, String health, String lastError, double evaluationTimeSeconds,
                           long lastEvaluationMs) {}

    /** One group. */
    public record GroupInfo(String name, String file, long intervalMs, int limit, long queryOffsetMs,
                            List<RuleInfo> rules, double evaluationTimeSeconds, long lastEvaluationMs) {}

    /**
     * The filters of {@code /api/v1/rules}: {@code type} ({@code alert}, {@code record} or null for both),
     * {@code rule_name[]}, {@code rule_group[]}, {@code file[]} (empty sets match everything) and
     * {@code exclude_alerts}.
     */
    public record RulesFilter(String type, Set<String> ruleNames, Set<String> groupNames, Set<String> files,
                              boolean excludeAlerts) {
        public static final RulesFilter ALL = new RulesFilter(null, Set.of(), Set.of(), Set.of(), false);

        public RulesFilter {
            if (type != null && !type.isEmpty() && !type.equals("alert") && !type.equals("record")) {
                throw new IllegalArgumentException("unsupported type: \"" + type + "\"");
            }
            if (type != null && type.isEmpty()) type = null;
        }

        boolean filtersRules() {
            return type != null || !ruleNames.isEmpty();
        }

        boolean matches(RuleInfo r) {
            if ("alert".equals(type) && !r.type().equals("alerting")) return false;
            if ("record".equals(type) && !r.type().equals("recording")) return false;
            return ruleNames.isEmpty() || ruleNames.contains(r.name());
        }
    }

    // ---------------------------------------------------------------- JSON

    /** Writes {@code {"groups":[...]}}. */
    public static void writeRules(StringBuilder out, List<GroupInfo> groups, RulesFilter f) {
        out.append("{\"groups\":[");
        boolean firstGroup = true;
        for (GroupInfo g : groups) {
            if (!f.groupNames().isEmpty() && !f.groupNames().contains(g.name())) continue;
            if (!f.files().isEmpty() && !f.files().contains(g.file())) continue;
            List<RuleInfo> rules = g.rules().stream().filter(f::matches).toList();
            if (rules.isEmpty() && f.filtersRules()) continue;
            if (!firstGroup) out.append(',');
            firstGroup = false;
            out.append("{\"name\":");
            Json.string(out, g.name()).append(",\"file\":");
            Json.string(out, g.file()).append(",\"rules\":[");
            for (int i = 0; i < rules.size(); i++) {
                if (i > 0) out.append(',');
                writeRule(out, rules.get(i), f.excludeAlerts());
            }
            out.append("],\"interval\":").append(jsonSeconds(g.intervalMs()));
            out.append(",\"limit\":").append(g.limit());
            out.append(",\"evaluationTime\":").append(jsonFloat(g.evaluationTimeSeconds()));
            out.append(",\"lastEvaluation\":");
            Json.string(out, rfc3339(g.lastEvaluationMs())).append('}');
        }
        out.append("]}");
    }

    private static void writeRule(StringBuilder out, RuleInfo r, boolean excludeAlerts) {
        out.append('{');
        if (r.type().equals("alerting")) {
            out.append("\"state\":");
            Json.string(out, r.state()).append(',');
        }
        out.append("\"name\":");
        Json.string(out, r.name()).append(",\"query\":");
        Json.string(out, r.query());
        if (r.type().equals("alerting")) {
            out.append(",\"duration\":").append(jsonSeconds(r.durationMs()));
            out.append(",\"keepFiringFor\":").append(jsonSeconds(r.keepFiringForMs()));
        }
        // Prometheus: always present for alerting rules, omitted when empty for recording rules
        if (r.type().equals("alerting") || !r.labels().isEmpty()) {
            out.append(",\"labels\":");
            Json.stringMap(out, r.labels());
        }
        if (r.type().equals("alerting")) {
            out.append(",\"annotations\":");
            Json.stringMap(out, r.annotations());
            if (!excludeAlerts) {
                out.append(",\"alerts\":");
                writeAlertList(out, r.alerts());
            }
        }
        out.append(",\"health\":");
        Json.string(out, r.health());
        if (r.lastError() != null && !r.lastError().isEmpty()) {
            out.append(",\"lastError\":");
            Json.string(out, r.lastError());
        }
        out.append(",\"evaluationTime\":").append(jsonFloat(r.evaluationTimeSeconds()));
        out.append(",\"lastEvaluation\":");
        Json.string(out, rfc3339(r.lastEvaluationMs()));
        out.append(",\"type\":");
        Json.string(out, r.type()).append('}');
    }

    /** Writes {@code {"alerts":[...]}}. */
    public static void writeAlerts(StringBuilder out, List<AlertInfo> alerts) {
        out.append("{\"alerts\":");
        writeAlertList(out, alerts);
        out.append('}');
    }

    private static void writeAlertList(StringBuilder out, List<AlertInfo> alerts) {
        out.append('[');
        for (int i = 0; i < alerts.size(); i++) {
            AlertInfo a = alerts.get(i);
            if (i > 0) out.append(',');
            out.append("{\"labels\":");
            Json.stringMap(out, a.labels());
            out.append(",\"annotations\":");
            Json.stringMap(out, a.annotations());
            out.append(",\"state\":");
            Json.string(out, a.state());
            out.append(",\"activeAt\":");
            Json.string(out, rfc3339(a.activeAtMs()));
            if (a.keepFiringSinceMs() != 0) {
                out.append(",\"keepFiringSince\":");
                Json.string(out, rfc3339(a.keepFiringSinceMs()));
            }
            out.append(",\"value\":");
            Json.string(out, GoFmt.formatFloat(a.value(), 'e', -1));
            out.append('}');
        }
        out.append(']');
    }

    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    /** Go's time.Time JSON form in UTC (RFC3339Nano, fraction without trailing zeros); 0 is Go's zero time. */
    public static String rfc3339(long ms) {
        if (ms == 0) return "0001-01-01T00:00:00Z";
        Instant t = Instant.ofEpochMilli(ms);
        StringBuilder b = new StringBuilder(SECONDS.format(t));
        int frac = (int) Math.floorMod(ms, 1000);
        if (frac != 0) {
            String f = String.format("%03d", frac).replaceAll("0+$", "");
            b.append('.').append(f);
        }
        return b.append('Z').toString();
    }

    private static String jsonSeconds(long ms) {
        return jsonFloat(ms / 1000.0);
    }

    /** Go encoding/json's float64 form: shortest digits, exponent only below 1e-6 or from 1e21. */
    static String jsonFloat(double v) {
        double abs = Math.abs(v);
        if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
            String s = GoFmt.formatFloat(v, 'e', -1);
            // Go cleans e-07 to e-7
            int e = s.indexOf('e');
            if (e > 0 && s.length() == e + 4 && s.charAt(e + 2) == '0') s = s.substring(0, e + 2) + s.charAt(e + 3);
            return s;
        }
        return GoFmt.formatFloat(v, 'f', -1);
    }
}
