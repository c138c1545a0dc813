package dev.vigil.server.api;

import dev.vigil.query.ast.Printer;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.StaleMarker;
import dev.vigil.tsdb.Storage;
import io.javalin.http.Context;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * {@code GET /federate?match[]=...}: the newest sample (within the lookback delta, not stale) of
 * every series matching any selector, in the Prometheus text format with timestamps, grouped by
 * metric name with an {@code untyped} TYPE line each, external labels added where a series lacks
 * them — what Prometheus's {@code web/federate.go} serves.
 */
public final class Federation {
    private final Storage storage;
    private final Supplier<Labels> externalLabels;
    private final long lookbackMs;
    private final LongSupplier clock;

    public Federation(Storage storage, Supplier<Labels> externalLabels, long lookbackMs, LongSupplier clock) {
        this.storage = storage;
        this.externalLabels = externalLabels;
        this.lookbackMs = lookbackMs;
        this.clock = clock;
    }

    private record Latest(long t, double v) {}

    public void handle(Context ctx) {
        List<Matcher[]> sets;
        try {
            sets = Params.matchers(ctx.queryParams("match[]"));
        } catch (ApiError e) {
            ctx.status(400).contentType("text/plain; charset=utf-8").result(e.getMessage() + "\n");
            return;
        }
        long now = clock.getAsLong();
        long mint = now - lookbackMs;
        Labels ext = externalLabels.get();
        Map<Labels, Latest> latest = new TreeMap<>();
        try (Querier q = storage.querier()) {
            for (Matcher[] m : sets) {
                SeriesSet set = q.select(mint, now, SelectHints.DEFAULT, m);
                SampleIterator it = null;
                while (set.next()) {
                    Labels l = set.labels();
                    if (latest.containsKey(l)) continue;
                    it = set.iterator(it);
                    long t = Long.MIN_VALUE;
                    double v = 0;
                    for (int k = it.seek(mint); k != SampleIterator.NONE && it.atT() <= now; k = it.next()) {
                        t = it.atT();
                        v = it.atV();
                    }
                    if (t == Long.MIN_VALUE || StaleMarker.isStale(v)) continue;
                    latest.put(l, new Latest(t, v));
                }
            }
        }
        // Group by metric name (TreeMap on Labels sorts by __name__ first).
        Map<String, StringBuilder> byName = new TreeMap<>(Labels::compareUtf8);
        latest.forEach((labels, s) -> {
            String name = labels.metricName();
            StringBuilder sb = byName.computeIfAbsent(name, k -> new StringBuilder());
            Labels out = RemoteRead.withExternal(labels, ext);
            writeSeries(sb, out);
            sb.append(' ').append(Json.formatValue(s.v())).append(' ').append(s.t()).append('\n');
        });
        StringBuilder body = new StringBuilder();
        byName.forEach((name, lines) -> {
            body.append("# TYPE ").append(Printer.isLegacyMetricName(name) ? name : Printer.quote(name)).append(" untyped\n");
            body.append(lines);
        });
        ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8").result(body.toString());
    }

    static void writeSeries(StringBuilder sb, Labels l) {
        String name = l.metricName();
        boolean legacyName = Printer.isLegacyMetricName(name);
        if (legacyName) sb.append(name);
        if (legacyName && l.size() == 1) return;
        sb.append('{');
        boolean first = true;
        if (!legacyName) {
            sb.append(Printer.quote(name));
            first = false;
        }
        for (int i = 0; i < l.size(); i++) {
            if (l.name(i).equals(Labels.METRIC_NAME)) continue;
            if (!first) sb.append(',');
            first = false;
            String n = l.name(i);
            sb.append(Printer.isLegacyLabelName(n) ? n : Printer.quote(n)).append("=\"");
            String v = l.value(i);
            for (int k = 0; k < v.length(); k++) {
                char c = v.charAt(k);
                if (c == '\\') sb.append("\\\\");
                else if (c == '"') sb.append("\\\"");
                else if (c == '\n') sb.append("\\n");
                else sb.append(c);
            }
            sb.append('"');
        }
        sb.append('}');
    }
}
