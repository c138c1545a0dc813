package dev.vigil.rules;

import dev.vigil.rules.json.Json;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Alert state that survives a restart: every alert of every alerting rule (pending, firing and recently resolved),
 * with active-since, fired, resolved, keep-firing-since and last-sent times, in one small JSON file
 * ({@code <data dir>/rules/alert-state.json}). Prometheus restores only active-since, from {@code ALERTS_FOR_STATE};
 * keeping everything lets a restart neither re-notify nor forget a {@code keep_firing_for} window.
 *
 * <p>Written after group evaluations when the content changed, to a temporary file then atomically renamed, so a
 * crash leaves the old or the new file, never a torn one. Thread-safe ({@code synchronized}).
 */
final class AlertStateStore {
    private final Path file;
    private String lastWritten = "";

    AlertStateStore(Path dataDir) {
        this.file = dataDir.resolve("rules").resolve("alert-state.json");
    }

    Path file() {
        return file;
    }

    /** The key of an alerting rule: file, group, name and ordinal among same-named alerting rules of the group. */
    static String key(String file, String group, String rule, int ordinal) {
        return file + "\u0000" + group + "\u0000" + rule + "\u0000" + ordinal;
    }

    /** Writes the state if it differs from the last write. @throws IOException when the file cannot be written */
    synchronized void save(Map<String, List<Alert>> byRule) throws IOException {
        StringBuilder b = new StringBuilder("{\"version\":1,\"rules\":[");
        boolean firstRule = true;
        for (Map.Entry<String, List<Alert>> e : new TreeMap<>(byRule).entrySet()) {
            if (e.getValue().isEmpty()) continue;
            String[] k = e.getKey().split("\u0000", -1);
            if (!firstRule) b.append(',');
            firstRule = false;
            b.append("\n{\"file\":");
            Json.string(b, k[0]).append(",\"group\":");
            Json.string(b, k[1]).append(",\"rule\":");
            Json.string(b, k[2]).append(",\"ordinal\":").append(k[3]).append(",\"alerts\":[");
            boolean first = true;
            for (Alert a : e.getValue()) {
                if (!first) b.append(',');
                first = false;
                b.append("{\"labels\":");
                Json.stringMap(b, AlertingRule.toMap(a.labels));
                b.append(",\"annotations\":");
                Json.stringMap(b, new TreeMap<>(a.annotations));
                b.append(",\"state\":\"").append(a.state.text()).append('"');
                b.append(",\"value\":");
                Json.string(b, Double.toString(a.value));
                b.append(",\"activeAt\":").append(a.activeAtMs);
                b.append(",\"firedAt\":").append(a.firedAtMs);
                b.append(",\"resolvedAt\":").append(a.resolvedAtMs);
                b.append(",\"lastSentAt\":").append(a.lastSentAtMs);
                b.append(",\"validUntil\":").append(a.validUntilMs);
                b.append(",\"keepFiringSince\":").append(a.keepFiringSinceMs).append('}');
            }
            b.append("]}");
        }
        b.append("]}\n");
        String text = b.toString();
        if (text.equals(lastWritten)) return;
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        lastWritten = text;
    }

    /** Reads the saved state; an absent file is empty state. @throws IOException on a read or format error */
    synchronized Map<String, List<Alert>> load() throws IOException {
        if (!Files.exists(file)) return Map.of();
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, List<Alert>> out = new HashMap<>();
        try {
            Map<?, ?> root = (Map<?, ?>) Json.parse(text);
            for (Object ro : (List<?>) root.get("rules")) {
                Map<?, ?> r = (Map<?, ?>) ro;
                String key = key((String) r.get("file"), (String) r.get("group"), (String) r.get("rule"),
                        ((Double) r.get("ordinal")).intValue());
                List<Alert> alerts = new ArrayList<>();
                for (Object ao : (List<?>) r.get("alerts")) {
                    Map<?, ?> a = (Map<?, ?>) ao;
                    Map<String, String> lm = strings((Map<?, ?>) a.get("labels"));
                    Alert al = new Alert(Labels.of(lm), java.util.Collections.unmodifiableMap(
                            new TreeMap<>(strings((Map<?, ?>) a.get("annotations")))),
                            AlertState.of((String) a.get("state")), Double.parseDouble((String) a.get("value")),
                            num(a, "activeAt"));
                    al.firedAtMs = num(a, "firedAt");
                    al.resolvedAtMs = num(a, "resolvedAt");
                    al.lastSentAtMs = num(a, "lastSentAt");
                    al.validUntilMs = num(a, "validUntil");
                    al.keepFiringSinceMs = num(a, "keepFiringSince");
                    alerts.add(al);
                }
                out.put(key, alerts);
            }
        } catch (RuntimeException e) {
            throw new IOException("bad alert state file [file=" + file + "]: " + e.getMessage(), e);
        }
        lastWritten = text;
        return out;
    }

    private static long num(Map<?, ?> m, String k) {
        Object o = m.get(k);
        return o == null ? 0 : ((Double) o).longValue();
    }

    private static Map<String, String> strings(Map<?, ?> m) {
        Map<String, String> out = new LinkedHashMap<>();
        if (m != null) m.forEach((k, v) -> out.put((String) k, (String) v));
        return out;
    }
}
