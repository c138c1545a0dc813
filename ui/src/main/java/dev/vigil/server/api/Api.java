package dev.vigil.server.api;

import dev.vigil.ingest.remote.RemoteWriteHandler;
import dev.vigil.ingest.remote.TextImportHandler;
import dev.vigil.query.ast.Printer;
import dev.vigil.query.parse.PromqlParseException;
import dev.vigil.query.parse.PromqlParser;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Prometheus's HTTP API ({@code /api/v1/...}) over Vigil's storage, with its JSON envelope ({@code
 * status}, {@code data}, {@code errorType}, {@code error}, {@code warnings}, {@code infos}) and
 * HTTP status codes. Endpoints that need components still being built (scrape targets, rules)
 * answer with Prometheus's empty shapes.
 */
public final class Api {
    /** The version reported by buildinfo: the Prometheus API level Vigil follows (Grafana needs semver). */
    public static final String PROMETHEUS_VERSION = "3.5.0";

    /** What the API serves from. */
    public record Deps(
            Storage storage,
            Supplier<String> configYaml,
            Map<String, String> flags,
            long startTimeMs,
            Path storagePath,
            Supplier<String> retentionDescription,
            boolean remoteWriteReceiver,
            boolean adminApi,
            RemoteWriteHandler remoteWrite,
            TextImportHandler textImport,
            MetadataStore metadata,
            Supplier<RuntimeState> runtime) {}

    /** Live values for runtimeinfo. */
    public record RuntimeState(boolean reloadConfigSuccess, long lastConfigTimeMs) {}

    private final Deps d;

    public Api(Deps deps) {
        this.d = deps;
    }

    /** Registers the routes under {@code prefix} ("" or "/something"). */
    public void register(JavalinDefaultRoutingApi routes, String prefix) {
        String p = prefix + "/api/v1";
        getPost(routes, p + "/labels", this::labels);
        routes.get(p + "/label/{name}/values", ctx -> respond(ctx, () -> labelValues(ctx)));
        getPost(routes, p + "/series", this::series);
        // Prometheus registers DELETE /series and answers exactly this (its dropSeries is unimplemented);
        // deletion is the admin API's delete_series.
        routes.delete(p + "/series", ctx -> error(ctx, ApiError.internal("not implemented")));
        getPost(routes, p + "/query_exemplars", this::queryExemplars);
        getPost(routes, p + "/format_query", this::formatQuery);
        getPost(routes, p + "/parse_query", ctx -> new Result(AstJson.of(parseQuery(ctx))));
        routes.get(p + "/metadata", ctx -> respond(ctx, () -> metadata(ctx)));
        routes.get(p + "/notifications", ctx -> respond(ctx, () -> new Result("[]")));
        routes.get(p + "/status/config", ctx -> respond(ctx, () -> new Result(new Json().beginObject().field("yaml", d.configYaml().get()).endObject().toString())));
        routes.get(p + "/status/flags", ctx -> respond(ctx, this::flags));
        routes.get(p + "/status/runtimeinfo", ctx -> respond(ctx, this::runtimeInfo));
        routes.get(p + "/status/buildinfo", ctx -> respond(ctx, Api::buildInfo));
        routes.get(p + "/status/tsdb", ctx -> respond(ctx, () -> tsdbStatus(ctx)));
        routes.post(p + "/write", this::remoteWrite);
        routes.post(p + "/import/prometheus", this::textImport);
        for (HandlerType t : List.of(HandlerType.POST, HandlerType.PUT)) {
            routes.addHttpHandler(t, p + "/admin/tsdb/delete_series", ctx -> respond(ctx, () -> deleteSeries(ctx)));
            routes.addHttpHandler(t, p + "/admin/tsdb/clean_tombstones", ctx -> respond(ctx, this::cleanTombstones));
            routes.addHttpHandler(t, p + "/admin/tsdb/snapshot", ctx -> respond(ctx, () -> snapshot(ctx)));
        }
    }

    // ---------------------------------------------------------------- envelope

    /** A successful answer: {@code data} as JSON, and annotations. */
    public record Result(String dataJson, List<String> warnings, List<String> infos) {
        public Result(String dataJson) {
            this(dataJson, List.of(), List.of());
        }
    }

    interface Endpoint {
        Result handle(Context ctx);
    }

    private void getPost(JavalinDefaultRoutingApi routes, String path, Endpoint e) {
        Handler h = ctx -> respond(ctx, () -> e.handle(ctx));
        routes.get(path, h);
        routes.post(path, h);
    }

    /** Runs {@code body}, writing the success or error envelope; never lets an exception escape. */
    public static void respond(Context ctx, Supplier<Result> body) {
        Result r;
        try {
            r = body.get();
        } catch (ApiError e) {
            error(ctx, e);
            return;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            error(ctx, ApiError.internal(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())));
            return;
        }
        if (r == null) { // admin actions answer 204 like Prometheus
            ctx.status(204);
            return;
        }
        Json j = new Json().beginObject().field("status", "success").name("data").raw(r.dataJson());
        annotations(j, r.warnings(), r.infos());
        ctx.status(200).contentType("application/json").result(j.endObject().toString());
    }

    public static void error(Context ctx, ApiError e) {
        Json j = new Json().beginObject().field("status", "error").field("errorType", e.type()).field("error", e.getMessage()).endObject();
        ctx.status(e.status()).contentType("application/json").result(j.toString());
    }

    static void annotations(Json j, List<String> warnings, List<String> infos) {
        if (!warnings.isEmpty()) {
            j.name("warnings").beginArray();
            for (String w : warnings) j.value(w);
            j.endArray();
        }
        if (!infos.isEmpty()) {
            j.name("infos").beginArray();
            for (String i : infos) j.value(i);
            j.endArray();
        }
    }

    /** A parameter from the URL or, for POST forms, the body (Prometheus reads r.Form: both). */
    public static List<String> params(Context ctx, String name) {
        List<String> out = new ArrayList<>();
        if (ctx.method() == HandlerType.POST) {
            String ct = ctx.contentType();
            if (ct != null && ct.startsWith("application/x-www-form-urlencoded")) out.addAll(ctx.formParams(name));
        }
        out.addAll(ctx.queryParams(name));
        return out;
    }

    public static String param(Context ctx, String name) {
        List<String> v = params(ctx, name);
        return v.isEmpty() ? null : v.getFirst();
    }

    // ---------------------------------------------------------------- labels and series

    private record Range(long start, long end) {}

    private static Range range(Context ctx) {
        long start = Params.time(param(ctx, "start"), "start", Params.MIN_TIME);
        long end = Params.time(param(ctx, "end"), "end", Params.MAX_TIME);
        if (end < start) throw ApiError.badData("end timestamp must not be before start time");
        return new Range(start, end);
    }

    private Result labels(Context ctx) {
        Range r = range(ctx);
        List<Matcher[]> sets = Params.matchers(params(ctx, "match[]"));
        int limit = Params.limit(param(ctx, "limit"));
        try (Querier q = d.storage().querier()) {
            // the querier's lists are sorted and distinct: only several match[] sets need a union
            if (sets.isEmpty()) return stringList(q.labelNames(r.start(), r.end()), limit);
            if (sets.size() == 1) return stringList(q.labelNames(r.start(), r.end(), sets.getFirst()), limit);
            TreeSet<String> names = new TreeSet<>(Labels::compareUtf8);
            for (Matcher[] m : sets) names.addAll(q.labelNames(r.start(), r.end(), m));
            return stringList(names, limit);
        }
    }

    private Result labelValues(Context ctx) {
        String name = Params.unescapeLabelName(ctx.pathParam("name"));
        if (name.isEmpty() || !name.codePoints().allMatch(Character::isValidCodePoint)) {
            throw ApiError.badData("invalid label name: \"" + name + "\"");
        }
        Range r = range(ctx);
        List<Matcher[]> sets = Params.matchers(params(ctx, "match[]"));
        int limit = Params.limit(param(ctx, "limit"));
        try (Querier q = d.storage().querier()) {
            if (sets.isEmpty()) return stringList(q.labelValues(name, r.start(), r.end()), limit);
            if (sets.size() == 1) return stringList(q.labelValues(name, r.start(), r.end(), sets.getFirst()), limit);
            TreeSet<String> values = new TreeSet<>(Labels::compareUtf8);
            for (Matcher[] m : sets) values.addAll(q.labelValues(name, r.start(), r.end(), m));
            return stringList(values, limit);
        }
    }

    private static Result stringList(java.util.Collection<String> items, int limit) {
        Json j = new Json().beginArray();
        int n = 0;
        for (String s : items) {
            if (limit > 0 && n == limit) break;
            j.value(s);
            n++;
        }
        j.endArray();
        List<String> warnings = limit > 0 && items.size() > limit ? List.of("results truncated due to limit") : List.of();
        return new Result(j.toString(), warnings, List.of());
    }

    private Result series(Context ctx) {
        List<String> match = params(ctx, "match[]");
        if (match.isEmpty()) throw ApiError.badData("no match[] parameter provided");
        Range r = range(ctx);
        List<Matcher[]> sets = Params.matchers(match);
        int limit = Params.limit(param(ctx, "limit"));
        TreeSet<Labels> all = new TreeSet<>();
        try (Querier q = d.storage().querier()) {
            for (Matcher[] m : sets) {
                SeriesSet s = q.select(r.start(), r.end(), new SelectHints(false, 0), m);
                while (s.next()) all.add(s.labels());
            }
        }
        Json j = new Json().beginArray();
        int n = 0;
        for (Labels l : all) {
            if (limit > 0 && n == limit) break;
            labelsObject(j, l);
            n++;
        }
        j.endArray();
        List<String> warnings = limit > 0 && all.size() > limit ? List.of("results truncated due to limit") : List.of();
        return new Result(j.toString(), warnings, List.of());
    }

    public static void labelsObject(Json j, Labels l) {
        j.beginObject();
        for (int i = 0; i < l.size(); i++) j.field(l.name(i), l.value(i));
        j.endObject();
    }

    // ---------------------------------------------------------------- queries without evaluation

    private static String queryParam(Context ctx) {
        String q = param(ctx, "query");
        if (q == null) throw ApiError.badData("invalid parameter \"query\": no query given");
        return q;
    }

    private static dev.vigil.query.ast.Expr parseQuery(Context ctx) {
        String q = queryParam(ctx);
        try {
            return PromqlParser.parse(q);
        } catch (PromqlParseException e) {
            throw ApiError.badData("invalid parameter \"query\": " + e.getMessage());
        }
    }

    private Result formatQuery(Context ctx) {
        return new Result(new Json().value(Printer.print(parseQuery(ctx))).toString());
    }

    private Result queryExemplars(Context ctx) {
        parseQuery(ctx);
        // Grafana probes with millisecond times; never fail on them. Vigil stores no exemplars.
        return new Result("[]");
    }

    // ---------------------------------------------------------------- metadata and status

    private Result metadata(Context ctx) {
        int limit = Params.limit(param(ctx, "limit"));
        String perMetric = param(ctx, "limit_per_metric");
        int limitPerMetric = perMetric == null ? 0 : Params.limit(perMetric);
        Json j = new Json().beginObject();
        int n = 0;
        for (Map.Entry<String, List<MetadataStore.Entry>> e : d.metadata().snapshot(param(ctx, "metric")).entrySet()) {
            if (limit > 0 && n >= limit) break;
            j.name(e.getKey()).beginArray();
            int k = 0;
            for (MetadataStore.Entry m : e.getValue()) {
                if (limitPerMetric > 0 && k++ >= limitPerMetric) break;
                j.beginObject().field("type", m.type()).field("help", m.help()).field("unit", m.unit()).endObject();
            }
            j.endArray();
            n++;
        }
        return new Result(j.endObject().toString());
    }

    private Result flags() {
        Json j = new Json().beginObject();
        d.flags().forEach(j::field);
        return new Result(j.endObject().toString());
    }

    private Result runtimeInfo() {
        RuntimeState rs = d.runtime().get();
        Runtime rt = Runtime.getRuntime();
        Json j = new Json().beginObject()
                .field("startTime", Instant.ofEpochMilli(d.startTimeMs()).toString())
                .field("CWD", Path.of("").toAbsolutePath().toString())
                .field("reloadConfigSuccess", rs.reloadConfigSuccess())
                .field("lastConfigTime", Instant.ofEpochMilli(rs.lastConfigTimeMs()).toString())
                .field("corruptionCount", d.storage().stats().walCorruptions())
                .field("goroutineCount", Thread.activeCount())
                .field("GOMAXPROCS", rt.availableProcessors())
                .field("GOMEMLIMIT", rt.maxMemory())
                .field("GOGC", "")
                .field("GODEBUG", "")
                .field("storageRetention", d.retentionDescription().get());
        return new Result(j.endObject().toString());
    }

    static Result buildInfo() {
        Package pkg = Api.class.getPackage();
        String impl = pkg == null || pkg.getImplementationVersion() == null ? "0.1.0-SNAPSHOT" : pkg.getImplementationVersion();
        Json j = new Json().beginObject()
                .field("version", PROMETHEUS_VERSION)
                .field("revision", "vigil-" + impl)
                .field("branch", "main")
                .field("buildUser", "vigil")
                .field("buildDate", "")
                .field("goVersion", "java" + Runtime.version().feature())
                .endObject();
        return new Result(j.toString());
    }

    /**
     * Head cardinality, as Prometheus's TSDB status (top {@code limit}, default 10). The figures are
     * those of Prometheus's MemPostings.Stats: a label name's memory is the UTF-8 bytes of its values
     * times the series carrying each, since every series stores its own copy of the value.
     */
    private Result tsdbStatus(Context ctx) {
        int limit = tsdbStatusLimit(param(ctx, "limit"));
        StorageStats st = d.storage().stats();
        long minT = st.headMinT(), maxT = st.headMaxT();
        Map<String, Long> byMetric = new LinkedHashMap<>();
        Map<String, Long> valuesByName = new LinkedHashMap<>();
        Map<String, Long> memoryByName = new LinkedHashMap<>();
        Map<String, Long> byPair = new LinkedHashMap<>();
        long labelPairs = 0;
        if (st.headSeries() > 0 && minT <= maxT) {
            try (Querier q = d.storage().querier()) {
                for (String name : q.labelNames(minT, maxT)) {
                    List<String> values = q.labelValues(name, minT, maxT);
                    valuesByName.put(name, (long) values.size());
                    long mem = 0;
                    for (String v : values) {
                        long count = countSeries(q, minT, maxT, Matcher.equal(name, v));
                        mem += (long) v.getBytes(StandardCharsets.UTF_8).length * count;
                        byPair.put(name + "=" + v, count);
                        if (name.equals(Labels.METRIC_NAME)) byMetric.put(v, count);
                    }
                    memoryByName.put(name, mem);
                    labelPairs += values.size();
                }
            }
        }
        Json j = new Json().beginObject().name("headStats").beginObject()
                .field("numSeries", st.headSeries())
                .field("numLabelPairs", labelPairs)
                .field("chunkCount", st.headChunks())
                .field("minTime", st.headSeries() > 0 ? minT : Long.MAX_VALUE)
                .field("maxTime", st.headSeries() > 0 ? maxT : Long.MIN_VALUE)
                .endObject();
        topN(j, "seriesCountByMetricName", byMetric, limit);
        topN(j, "labelValueCountByLabelName", valuesByName, limit);
        topN(j, "memoryInBytesByLabelName", memoryByName, limit);
        topN(j, "seriesCountByLabelValuePair", byPair, limit);
        return new Result(j.endObject().toString());
    }

    /** Prometheus answers any limit that is not a whole number above zero with this one message. */
    private static int tsdbStatusLimit(String value) {
        if (value == null || value.isEmpty()) return 10;
        try {
            int n = Integer.parseInt(value);
            if (n >= 1) return n;
        } catch (NumberFormatException e) {
            // falls through to the same answer as a non-positive number
        }
        throw ApiError.badData("limit must be a positive number");
    }

    private static long countSeries(Querier q, long minT, long maxT, Matcher m) {
        SeriesSet s = q.select(minT, maxT, new SelectHints(false, 0), m);
        long n = 0;
        while (s.next()) n++;
        return n;
    }

    private static void topN(Json j, String name, Map<String, Long> counts, int limit) {
        j.name(name).beginArray();
        counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
                .limit(limit)
                .forEach(e -> j.beginObject().field("name", e.getKey()).field("value", e.getValue()).endObject());
        j.endArray();
    }

    // ---------------------------------------------------------------- push

    private void remoteWrite(Context ctx) {
        if (!d.remoteWriteReceiver()) {
            ctx.status(404).contentType("text/plain; charset=utf-8")
                    .result("remote write receiver needs to be enabled with --web.enable-remote-write-receiver\n");
            return;
        }
        byte[] body = ctx.bodyAsBytes();
        RemoteWriteHandler.Response r = d.remoteWrite().handle(ctx.header("Content-Type"), ctx.header("Content-Encoding"), body, body.length);
        r.headers().forEach(ctx::header);
        ctx.status(r.status());
        if (r.status() != 204) ctx.contentType("text/plain; charset=utf-8").result(r.body() + "\n");
    }

    private void textImport(Context ctx) {
        if (!d.remoteWriteReceiver()) {
            ctx.status(404).contentType("text/plain; charset=utf-8")
                    .result("the import API is a write path; enable it with --web.enable-remote-write-receiver\n");
            return;
        }
        Labels.Builder extra = Labels.builder();
        for (String el : ctx.queryParams("extra_label")) {
            int eq = el.indexOf('=');
            if (eq <= 0) {
                ctx.status(400).result("extra_label must be name=value, got \"" + el + "\"\n");
                return;
            }
            extra.set(el.substring(0, eq), el.substring(eq + 1));
        }
        byte[] body = ctx.bodyAsBytes();
        RemoteWriteHandler.Response r = d.textImport().handle(ctx.header("Content-Type"), ctx.header("Content-Encoding"), body, body.length, extra.build());
        ctx.status(r.status());
        if (r.status() != 204) ctx.contentType("text/plain; charset=utf-8").result(r.body() + "\n");
    }

    // ---------------------------------------------------------------- admin

    private void requireAdmin() {
        if (!d.adminApi()) throw ApiError.unavailable("admin APIs disabled");
    }

    private Result deleteSeries(Context ctx) {
        requireAdmin();
        List<String> match = params(ctx, "match[]");
        if (match.isEmpty()) throw ApiError.badData("no match[] parameter provided");
        Range r = range(ctx);
        for (Matcher[] m : Params.matchers(match)) d.storage().deleteSeries(r.start(), r.end(), m);
        return null;
    }

    private Result cleanTombstones() {
        requireAdmin();
        d.storage().cleanTombstones();
        return null;
    }

    private Result snapshot(Context ctx) {
        requireAdmin();
        String skip = param(ctx, "skip_head");
        boolean skipHead = skip != null && !skip.isEmpty() && Boolean.parseBoolean(skip);
        String name = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(java.time.ZoneOffset.UTC).format(Instant.now())
                + "-" + Long.toHexString(Double.doubleToLongBits(Math.random())).substring(0, 16);
        Path dir = d.storagePath().resolve("snapshots").resolve(name);
        try {
            java.nio.file.Files.createDirectories(dir.getParent());
        } catch (java.io.IOException e) {
            throw ApiError.internal("create snapshot directory: " + e.getMessage());
        }
        d.storage().snapshot(dir, !skipHead);
        return new Result(new Json().beginObject().field("name", name).endObject().toString());
    }
}
