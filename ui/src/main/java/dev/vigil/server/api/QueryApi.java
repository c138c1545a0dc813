package dev.vigil.server.api;

import dev.vigil.query.ast.Expr;
import dev.vigil.query.eval.CachingEngine;
import dev.vigil.query.eval.Engine;
import dev.vigil.query.eval.EngineOptions;
import dev.vigil.query.eval.ParsedQueryCache;
import dev.vigil.query.eval.QueryException;
import dev.vigil.query.eval.QueryLog;
import dev.vigil.query.eval.QueryResult;
import dev.vigil.query.eval.Value;
import dev.vigil.query.parse.QueryTimes;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.io.OutputStream;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * {@code /api/v1/query} and {@code /api/v1/query_range} (GET and POST form), with Prometheus's
 * parameters, error kinds and result JSON. Results stream to the response in chunks: a large
 * matrix never exists as one string. At most {@code --query.max-concurrency} queries run at once;
 * the others wait, within their timeout.
 */
public final class QueryApi {
    private final Storage storage;
    private final EngineOptions options;
    private final ParsedQueryCache parsed = new ParsedQueryCache(4096);
    /** Range queries over the immutable past come from here (a dashboard refresh recomputes only the tail). */
    private final CachingEngine cachingEngine;
    private final Semaphore slots;
    private final LongSupplier clock;
    final LongAdder queries = new LongAdder();
    final LongAdder failed = new LongAdder();
    private volatile QueryLog queryLog = QueryLog.NONE;

    public QueryApi(Storage storage, EngineOptions options, int maxConcurrency, LongSupplier clock) {
        this.storage = storage;
        this.options = options;
        this.slots = new Semaphore(maxConcurrency, true);
        this.clock = clock;
        this.cachingEngine = new CachingEngine(new Engine(options), storage, clock, CachingEngine.DEFAULT_FRESHNESS_MS,
                CachingEngine.DEFAULT_MAX_BYTES);
    }

    public void register(JavalinDefaultRoutingApi routes, String prefix) {
        Handler instant = this::instant;
        Handler range = this::range;
        routes.get(prefix + "/api/v1/query", instant);
        routes.post(prefix + "/api/v1/query", instant);
        routes.get(prefix + "/api/v1/query_range", range);
        routes.post(prefix + "/api/v1/query_range", range);
    }

    /** The evaluation options of one request: its {@code timeout} can only shorten the server's. */
    private EngineOptions requestOptions(Context ctx) {
        String to = Api.param(ctx, "timeout");
        if (to == null || to.isEmpty()) return options;
        long ms;
        try {
            ms = Params.parseDuration(to);
        } catch (IllegalArgumentException e) {
            throw ApiError.badData("invalid parameter \"timeout\": " + e.getMessage());
        }
        return ms > 0 && ms < options.timeoutMs() ? options.withTimeout(ms) : options;
    }

    private static String query(Context ctx) {
        String q = Api.param(ctx, "query");
        if (q == null || q.isEmpty()) throw ApiError.badData("invalid parameter \"query\": no query given");
        return q;
    }

    private static long timeParam(Context ctx, String name, Long dflt) {
        String v = Api.param(ctx, name);
        if (v == null || v.isEmpty()) {
            if (dflt != null) return dflt;
            throw ApiError.badData("invalid parameter \"" + name + "\": cannot parse \"\" to a valid timestamp");
        }
        try {
            return Params.parseTime(v);
        } catch (IllegalArgumentException e) {
            throw ApiError.badData("invalid parameter \"" + name + "\": " + e.getMessage());
        }
    }

    private void instant(Context ctx) {
        try {
            String q = query(ctx);
            long t = timeParam(ctx, "time", clock.getAsLong());
            EngineOptions opts = requestOptions(ctx);
            int limit = Params.limit(Api.param(ctx, "limit"));
            Expr expr = parse(q, QueryTimes.instant(t));
            QueryResult r = run(opts, querier -> new Engine(opts).instant(querier, expr, q, t, () -> false), null,
                    new Asked(q, t, t, 0, ctx));
            write(ctx, r, limit);
        } catch (ApiError e) {
            failed.increment();
            Api.error(ctx, e);
        }
    }

    private void range(Context ctx) {
        try {
            String q = query(ctx);
            long start = timeParam(ctx, "start", null);
            long end = timeParam(ctx, "end", null);
            if (end < start) throw ApiError.badData("invalid parameter \"end\": end timestamp must not be before start time");
            String stepParam = Api.param(ctx, "step");
            long step;
            try {
                step = Params.parseDuration(stepParam == null ? "" : stepParam);
            } catch (IllegalArgumentException e) {
                throw ApiError.badData("invalid parameter \"step\": " + e.getMessage());
            }
            if (step <= 0) {
                throw ApiError.badData("invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer");
            }
            if ((end - start) / step > 11_000) {
                throw ApiError.badData("exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
            }
            EngineOptions opts = requestOptions(ctx);
            int limit = Params.limit(Api.param(ctx, "limit"));
            Expr expr = parse(q, new QueryTimes(start, end, step));
            Asked asked = new Asked(q, start, end, step, ctx);
            QueryResult r = opts == options
                    ? run(opts, null, () -> cachingEngine.range(expr, q, start, end, step, () -> false), asked)
                    : run(opts, querier -> new Engine(opts).range(querier, expr, q, start, end, step, () -> false), null, asked);
            write(ctx, r, limit);
        } catch (ApiError e) {
            failed.increment();
            Api.error(ctx, e);
        }
    }

    /**
     * The matrix of a range query as the API's {@code result} array, for the live-update socket:
     * short ranges after a graph's last step, so no result cache.
     *
     * @throws ApiError with Prometheus's message when the query is bad or fails
     */
    public String rangeResultJson(String q, long start, long end, long step) {
        if (step <= 0 || end < start || (end - start) / step > 11_000) throw ApiError.badData("invalid live range");
        Expr expr = parse(q, new QueryTimes(start, end, step));
        QueryResult r = run(options, querier -> new Engine(options).range(querier, expr, q, start, end, step, () -> false), null,
                new Asked(q, start, end, step, null));
        Json j = new Json();
        j.beginArray();
        if (r.value() instanceof Value.Matrix m) matrixSeries(j, m, m.series().size());
        return j.endArray().toString();
    }

    /** The first {@code n} series of a matrix as the API's result objects ({@code metric}, {@code values}). */
    private static void matrixSeries(Json j, Value.Matrix m, int n) {
        for (int i = 0; i < n; i++) {
            Value.Series s = m.series().get(i);
            j.beginObject().name("metric");
            Api.labelsObject(j, s.labels());
            j.name("values").beginArray();
            for (int k = 0; k < s.ts().length; k++) j.beginArray().timestamp(s.ts()[k]).sampleValue(s.vs()[k]).endArray();
            j.endArray().endObject();
        }
    }

    /** Queries evaluated (or attempted) so far. */
    public long queries() {
        return queries.sum();
    }

    /** Queries answered with an error so far. */
    public long failures() {
        return failed.sum();
    }

    /** Range-query cache hits so far (self-monitoring, tests). */
    public long rangeCacheHits() {
        return cachingEngine.hits();
    }

    private Expr parse(String q, QueryTimes times) {
        try {
            return parsed.parse(q, times);
        } catch (QueryException e) {
            throw ApiError.badData("invalid parameter \"query\": " + e.getMessage());
        }
    }

    private interface Evaluation {
        QueryResult run(Querier q);
    }

    /** A query as asked, for the query log; {@code ctx} is null for the live-update socket. */
    private record Asked(String query, long start, long end, long step, Context ctx) {}

    /** Where evaluated queries are logged from now on (the config's query_log_file). */
    public void setQueryLog(QueryLog log) {
        queryLog = log;
    }

    /**
     * Runs {@code ev} on a fresh querier, or {@code self} (which opens its own), in a concurrency
     * slot, and logs it with its outcome.
     */
    private QueryResult run(EngineOptions opts, Evaluation ev, java.util.function.Supplier<QueryResult> self, Asked asked) {
        queries.increment();
        long queued = System.nanoTime();
        long started = -1; // until a slot is ours
        String error = null;
        try {
            acquireSlot(opts);
            started = System.nanoTime();
            try {
                if (self != null) return self.get();
                try (Querier q = storage.querier()) {
                    return ev.run(q);
                }
            } finally {
                slots.release();
            }
        } catch (QueryException e) {
            error = e.getMessage();
            throw switch (e.kind()) {
                case BAD_DATA -> ApiError.badData(e.getMessage());
                case EXECUTION, TOO_MANY_SAMPLES -> ApiError.execution(e.getMessage());
                case TIMEOUT -> ApiError.timeout(e.getMessage());
                case CANCELED -> ApiError.canceled(e.getMessage());
                case INTERNAL -> ApiError.internal(e.getMessage());
            };
        } catch (ApiError e) {
            error = e.getMessage();
            throw e;
        } catch (RuntimeException e) {
            error = e.getClass().getSimpleName() + ": " + e.getMessage();
            throw ApiError.internal(error);
        } finally {
            QueryLog log = queryLog;
            if (log != QueryLog.NONE) {
                long now = System.nanoTime();
                long evalFrom = started < 0 ? now : started;
                log.logged(new QueryLog.Entry(asked.query(), asked.start(), asked.end(), asked.step(), error, evalFrom - queued,
                        now - evalFrom, origin(asked.ctx())));
            }
        }
    }

    private void acquireSlot(EngineOptions opts) {
        try {
            if (!slots.tryAcquire(opts.timeoutMs(), TimeUnit.MILLISECONDS)) {
                throw ApiError.timeout("query timed out in query queue");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.canceled("query was canceled in query queue");
        }
    }

    /** Prometheus's {@code httpRequest} origin: the client's address, the method and the path. */
    private static java.util.Map<String, Object> origin(Context ctx) {
        if (ctx == null) return java.util.Map.of();
        java.util.Map<String, Object> http = new java.util.LinkedHashMap<>();
        http.put("clientIP", ctx.req().getRemoteAddr());
        http.put("method", ctx.method().name());
        http.put("path", ctx.path());
        return java.util.Map.of("httpRequest", http);
    }

    /** Streams the success envelope with the result. */
    private static void write(Context ctx, QueryResult r, int limit) {
        ctx.status(200).contentType("application/json");
        OutputStream out = ctx.outputStream();
        Json j = new Json(out);
        List<String> warnings = r.warnings();
        j.beginObject().field("status", "success").name("data").beginObject();
        switch (r.value()) {
            case Value.Scalar s -> {
                j.field("resultType", "scalar").name("result").beginArray().timestamp(s.t()).sampleValue(s.v()).endArray();
            }
            case Value.StringValue s -> {
                j.field("resultType", "string").name("result").beginArray().timestamp(s.t()).value(s.s()).endArray();
            }
            case Value.Vector v -> {
                j.field("resultType", "vector").name("result").beginArray();
                int n = limit > 0 ? Math.min(limit, v.size()) : v.size();
                for (int i = 0; i < n; i++) {
                    j.beginObject().name("metric");
                    Api.labelsObject(j, v.labels()[i]);
                    j.name("value").beginArray().timestamp(v.ts()[i]).sampleValue(v.vs()[i]).endArray().endObject();
                }
                j.endArray();
                if (limit > 0 && v.size() > limit) warnings = concat(warnings, "results truncated due to limit");
            }
            case Value.Matrix m -> {
                j.field("resultType", "matrix").name("result").beginArray();
                matrixSeries(j, m, limit > 0 ? Math.min(limit, m.series().size()) : m.series().size());
                j.endArray();
                if (limit > 0 && m.series().size() > limit) warnings = concat(warnings, "results truncated due to limit");
            }
        }
        j.endObject();
        Api.annotations(j, warnings, r.infos());
        j.endObject();
        j.flush();
    }

    private static List<String> concat(List<String> a, String b) {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(a);
        out.add(b);
        return out;
    }
}
