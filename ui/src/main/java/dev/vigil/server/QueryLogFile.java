package dev.vigil.server;

import dev.vigil.ingest.log.JsonLogFile;
import dev.vigil.query.eval.QueryLog;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code query_log_file}: one line per evaluated query in the shape of Prometheus 3's engine
 * ({@code "msg":"promql query logged"}, {@code params} with {@code end}, {@code query},
 * {@code start} and {@code step} in seconds, {@code error} when it failed, {@code stats.timings},
 * then the origin: {@code httpRequest} or {@code ruleGroup}). The timings are those Vigil
 * measures: the wait for a concurrency slot, the evaluation, and their sum. Prometheus's finer
 * split (preparation, inner evaluation, sorting) has no counterpart in Vigil's evaluator and is
 * left out rather than made up.
 */
final class QueryLogFile implements QueryLog {
    private static final DateTimeFormatter GO_DATE =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final JsonLogFile file;

    QueryLogFile(JsonLogFile file) {
        this.file = file;
    }

    /** The log for {@code file}, or {@link QueryLog#NONE} when there is none. */
    static QueryLog of(JsonLogFile file) {
        return file == null ? QueryLog.NONE : new QueryLogFile(file);
    }

    JsonLogFile file() {
        return file;
    }

    @Override
    public void logged(Entry e) {
        Map<String, Object> params = new LinkedHashMap<>(); // Go writes map keys sorted
        params.put("end", GO_DATE.format(Instant.ofEpochMilli(e.endMs())));
        params.put("query", e.query());
        params.put("start", GO_DATE.format(Instant.ofEpochMilli(e.startMs())));
        params.put("step", e.stepMs() / 1000);
        Map<String, Object> timings = new LinkedHashMap<>();
        timings.put("evalTotalTime", e.evalNanos() / 1e9);
        timings.put("execQueueTime", e.queueNanos() / 1e9);
        timings.put("execTotalTime", (e.queueNanos() + e.evalNanos()) / 1e9);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("params", params);
        if (e.error() != null) fields.put("error", e.error());
        fields.put("stats", Map.of("timings", timings));
        fields.putAll(e.origin());
        file.log("INFO", "promql query logged", fields);
    }
}
