package dev.vigil.server.api;

import dev.vigil.ingest.config.PromDuration;
import dev.vigil.ingest.scrape.MetricMetadata;
import dev.vigil.ingest.scrape.ScrapeManager;
import dev.vigil.ingest.scrape.ScrapePool;
import dev.vigil.ingest.scrape.TargetStatus;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import io.javalin.http.Context;
import io.javalin.router.JavalinDefaultRoutingApi;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * {@code /api/v1/targets} and {@code /api/v1/targets/metadata} from the scrape manager, in
 * Prometheus's shapes; also the scrape side of {@code /api/v1/metadata}.
 */
public final class TargetsApi {
    private static final Set<String> LOCALHOST = Set.of("127.0.0.1", "localhost", "::1");

    private final ScrapeManager scrapes;
    private final java.util.function.UnaryOperator<String> globalUrl;

    /** @param globalUrl a target's scrape URL as seen from elsewhere (see {@link #globalUrl(String, String, int, int)}) */
    public TargetsApi(ScrapeManager scrapes, java.util.function.UnaryOperator<String> globalUrl) {
        this.scrapes = scrapes;
        this.globalUrl = globalUrl;
    }

    /**
     * A scrape URL as reachable from elsewhere, as Prometheus's getGlobalURL makes it: a target on
     * localhost at Vigil's own port is Vigil itself, so it gets the external URL's scheme and host;
     * any other target on localhost keeps its port but gets the external URL's host name.
     *
     * @param ownPorts the listen address's port and the port actually bound (they differ for port 0)
     */
    public static String globalUrl(String scrapeUrl, String externalUrl, int... ownPorts) {
        java.net.URI u, ext;
        try {
            u = new java.net.URI(scrapeUrl);
            ext = new java.net.URI(externalUrl);
        } catch (java.net.URISyntaxException e) {
            return scrapeUrl;
        }
        String host = u.getHost();
        if (host == null || ext.getHost() == null || u.getPort() < 0) return scrapeUrl;
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (!LOCALHOST.contains(host)) return scrapeUrl;
        boolean self = false;
        for (int p : ownPorts) self |= p == u.getPort();
        String authority = self ? ext.getRawAuthority() : hostForUrl(ext.getHost()) + ":" + u.getPort();
        String scheme = self ? ext.getScheme() : u.getScheme();
        return scheme + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath())
                + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    private static String hostForUrl(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    public void register(JavalinDefaultRoutingApi routes, String prefix) {
        routes.get(prefix + "/api/v1/targets", ctx -> Api.respond(ctx, () -> targets(ctx)));
        routes.get(prefix + "/api/v1/targets/metadata", ctx -> Api.respond(ctx, () -> targetMetadata(ctx)));
        routes.get(prefix + "/api/v1/scrape_pools", ctx -> Api.respond(ctx, this::scrapePools));
    }

    /** The scrape pools (one per job), sorted, as Prometheus lists them for its targets page. */
    private Api.Result scrapePools() {
        Json j = new Json().beginObject().name("scrapePools").beginArray();
        for (String job : new java.util.TreeSet<>(scrapes.jobNames())) j.value(job);
        return new Api.Result(j.endArray().endObject().toString());
    }

    private Api.Result targets(Context ctx) {
        String state = Api.param(ctx, "state");
        if (state == null || state.isEmpty()) state = "any";
        state = state.toLowerCase();
        if (!Set.of("any", "active", "dropped").contains(state)) throw ApiError.badData("invalid state: " + state);
        String poolFilter = Api.param(ctx, "scrapePool");
        boolean active = !state.equals("dropped"), dropped = !state.equals("active");
        Json j = new Json().beginObject().name("activeTargets").beginArray();
        if (active) {
            for (TargetStatus t : scrapes.activeTargets()) {
                if (poolFilter != null && !poolFilter.isEmpty() && !poolFilter.equals(t.scrapePool())) continue;
                j.beginObject().name("discoveredLabels");
                Api.labelsObject(j, t.discoveredLabels());
                j.name("labels");
                Api.labelsObject(j, t.labels());
                j.field("scrapePool", t.scrapePool()).field("scrapeUrl", t.scrapeUrl()).field("globalUrl", globalUrl.apply(t.scrapeUrl()))
                        .field("lastError", t.lastError() == null ? "" : t.lastError())
                        .field("lastScrape", t.lastScrapeMs() <= 0 ? "0001-01-01T00:00:00Z" : Instant.ofEpochMilli(t.lastScrapeMs()).toString())
                        .name("lastScrapeDuration").number(t.lastScrapeDurationSeconds())
                        .field("health", t.health().apiName())
                        .field("scrapeInterval", PromDuration.format(t.intervalMs()))
                        .field("scrapeTimeout", PromDuration.format(t.timeoutMs()))
                        .endObject();
            }
        }
        j.endArray().name("droppedTargets").beginArray();
        Map<String, Long> droppedCounts = new LinkedHashMap<>();
        for (String job : scrapes.jobNames()) {
            ScrapePool pool = scrapes.pool(job);
            if (pool == null) continue;
            List<Labels> d = pool.droppedTargets();
            droppedCounts.put(job, (long) d.size());
            if (!dropped || (poolFilter != null && !poolFilter.isEmpty() && !poolFilter.equals(job))) continue;
            for (Labels l : d) {
                j.beginObject().name("discoveredLabels");
                Api.labelsObject(j, l);
                j.field("scrapePool", job).endObject();
            }
        }
        j.endArray().name("droppedTargetCounts").beginObject();
        droppedCounts.forEach(j::field);
        j.endObject().endObject();
        return new Api.Result(j.toString());
    }

    private Api.Result targetMetadata(Context ctx) {
        String matchTarget = Api.param(ctx, "match_target");
        Matcher[] matchers = matchTarget == null || matchTarget.isEmpty() ? new Matcher[0]
                : Params.matchers(List.of(matchTarget.startsWith("{") ? matchTarget : "{" + matchTarget + "}")).getFirst();
        String metric = Api.param(ctx, "metric");
        int limit = Params.limit(Api.param(ctx, "limit"));
        Json j = new Json().beginArray();
        int n = 0;
        outer:
        for (String job : scrapes.jobNames()) {
            ScrapePool pool = scrapes.pool(job);
            if (pool == null) continue;
            Map<String, Map<String, MetricMetadata>> byUrl = pool.metadata();
            for (TargetStatus t : pool.activeTargets()) {
                if (!matches(t.labels(), matchers)) continue;
                Map<String, MetricMetadata> md = byUrl.getOrDefault(t.scrapeUrl(), Map.of());
                for (Map.Entry<String, MetricMetadata> e : new TreeMap<>(md).entrySet()) {
                    if (metric != null && !metric.isEmpty() && !metric.equals(e.getKey())) continue;
                    if (limit > 0 && n >= limit) break outer;
                    j.beginObject().name("target");
                    Api.labelsObject(j, t.labels().without(Labels.METRIC_NAME));
                    // as Prometheus: the metric is named only when the request did not name it
                    if (metric == null || metric.isEmpty()) j.field("metric", e.getKey());
                    j.field("type", e.getValue().type().apiName())
                            .field("help", e.getValue().help()).field("unit", e.getValue().unit()).endObject();
                    n++;
                }
            }
        }
        return new Api.Result(j.endArray().toString());
    }

    private static boolean matches(Labels l, Matcher[] ms) {
        for (Matcher m : ms) if (!m.matches(l.get(m.name()))) return false;
        return true;
    }

    /** Metadata per metric family from every active target, distinct entries, for /api/v1/metadata. */
    public Map<String, Set<MetadataStore.Entry>> metadataByFamily() {
        Map<String, Set<MetadataStore.Entry>> out = new TreeMap<>();
        for (String job : scrapes.jobNames()) {
            ScrapePool pool = scrapes.pool(job);
            if (pool == null) continue;
            for (Map<String, MetricMetadata> md : pool.metadata().values()) {
                md.forEach((family, m) -> out.computeIfAbsent(family, k -> new LinkedHashSet<>())
                        .add(new MetadataStore.Entry(m.type().apiName(), m.help() == null ? "" : m.help(), m.unit() == null ? "" : m.unit())));
            }
        }
        return out;
    }

    static List<String> families(Map<String, Set<MetadataStore.Entry>> m) {
        return new ArrayList<>(m.keySet());
    }
}
