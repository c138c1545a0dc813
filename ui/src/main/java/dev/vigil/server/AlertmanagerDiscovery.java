package dev.vigil.server;

import dev.vigil.ingest.config.AlertingConfig.AlertmanagerConfig;
import dev.vigil.ingest.config.HttpClientConfig;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.discovery.HttpClients;
import dev.vigil.ingest.discovery.TargetGroupSet;
import dev.vigil.ingest.relabel.Relabel;
import dev.vigil.rules.notify.Notifier;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The Alertmanagers of {@code alerting.alertmanagers}, found as Prometheus finds them: each entry's
 * static, file, HTTP and DNS discovery gives target groups; each target gets {@code __scheme__} and
 * {@code __alerts_path__} (the path prefix joined with {@code /api/v2/alerts}) and goes through the
 * entry's {@code relabel_configs}; what is kept is an Alertmanager at {@code
 * scheme://address/alerts_path}. Every change reports the complete list to the listener.
 */
final class AlertmanagerDiscovery implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(AlertmanagerDiscovery.class.getName());
    static final String SCHEME_LABEL = "__scheme__";
    static final String ALERTS_PATH_LABEL = "__alerts_path__";

    /** The Alertmanagers to send to, and the alerts URLs of the targets relabeling dropped. */
    record Resolved(List<Notifier.Target> active, List<String> dropped) {
        static final Resolved NONE = new Resolved(List.of(), List.of());
    }

    private final List<AlertmanagerConfig> configs;
    private final Consumer<Resolved> listener;
    private final List<TargetGroupSet> sets = new ArrayList<>();
    private final List<Supplier<HttpClient>> clients;
    private final Resolved[] perConfig; // guarded by this
    private boolean started; // guarded by this: reports during start are merged into one

    AlertmanagerDiscovery(List<AlertmanagerConfig> configs, Consumer<Resolved> listener) {
        this.configs = List.copyOf(configs);
        this.listener = listener;
        this.clients = this.configs.stream().map(c -> lazyClient(c.http() == null ? HttpClientConfig.DEFAULT : c.http())).toList();
        this.perConfig = new Resolved[configs.size()];
        java.util.Arrays.fill(perConfig, Resolved.NONE);
    }

    /** Starts discovery; static Alertmanagers are reported before this returns (once, even when there are none). */
    void start() {
        for (int i = 0; i < configs.size(); i++) {
            int idx = i;
            AlertmanagerConfig c = configs.get(i);
            TargetGroupSet set = TargetGroupSet.of(c.staticConfigs(), c.fileSdConfigs(), c.httpSdConfigs(), c.dnsSdConfigs(),
                    groups -> update(idx, groups));
            sets.add(set);
            set.start();
        }
        synchronized (this) {
            started = true;
            listener.accept(merged());
        }
    }

    private synchronized void update(int idx, List<TargetGroup> groups) {
        perConfig[idx] = resolve(configs.get(idx), groups, clients.get(idx));
        if (started) listener.accept(merged());
    }

    private Resolved merged() {
        List<Notifier.Target> active = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (Resolved r : perConfig) {
            active.addAll(r.active());
            dropped.addAll(r.dropped());
        }
        return new Resolved(List.copyOf(active), List.copyOf(dropped));
    }

    static Resolved resolve(AlertmanagerConfig c, List<TargetGroup> groups) {
        return resolve(c, groups, lazyClient(c.http() == null ? HttpClientConfig.DEFAULT : c.http()));
    }

    /** Prometheus's AlertmanagerFromGroup over one entry's groups, deduplicated by URL; its Alertmanagers share {@code client}. */
    static Resolved resolve(AlertmanagerConfig c, List<TargetGroup> groups, Supplier<HttpClient> client) {
        Map<String, Notifier.Target> active = new LinkedHashMap<>();
        List<String> dropped = new ArrayList<>();
        String alertsPath = joinPath(c.pathPrefix(), Notifier.Target.ALERTS_PATH);
        HttpClientConfig http = c.http() == null ? HttpClientConfig.DEFAULT : c.http();
        Notifier.Headers auth = http.basicAuth() == null && http.authorization() == null && http.httpHeaders().isEmpty() ? null
                : r -> HttpClients.addHeaders(r, http);
        UnaryOperator<Labels> alertRelabel = c.alertRelabelConfigs().isEmpty() ? null : l -> {
            Labels out = Relabel.process(l, c.alertRelabelConfigs());
            return out == null || out.isEmpty() ? null : out;
        };
        groups:
        for (TargetGroup g : groups) {
            Map<String, Notifier.Target> groupActive = new LinkedHashMap<>();
            List<String> groupDropped = new ArrayList<>();
            for (Labels t : g.targets()) {
                Labels.Builder b = t.toBuilder();
                // the configured scheme and path win over a target's own; a group label only fills a gap
                b.set(SCHEME_LABEL, c.scheme()).set(ALERTS_PATH_LABEL, alertsPath);
                for (int i = 0; i < g.labels().size(); i++) {
                    if (!t.has(g.labels().name(i))) b.set(g.labels().name(i), g.labels().value(i));
                }
                Labels pre = b.build();
                Labels post = Relabel.process(pre, c.relabelConfigs());
                if (post == null) {
                    groupDropped.add(url(pre));
                    continue;
                }
                String address = post.get(TargetGroup.ADDRESS_LABEL);
                if (address.contains("/")) {
                    // as Prometheus: the whole group is left out, the others go on
                    LOG.log(System.Logger.Level.ERROR, "creating discovered Alertmanagers failed: \"" + address + "\" is not a valid hostname");
                    continue groups;
                }
                String url = url(post);
                groupActive.putIfAbsent(url, target(URI.create(url), c, auth, client, alertRelabel));
            }
            groupActive.forEach(active::putIfAbsent);
            dropped.addAll(groupDropped);
        }
        return new Resolved(List.copyOf(active.values()), dropped);
    }

    private static String url(Labels l) {
        return l.get(SCHEME_LABEL) + "://" + l.get(TargetGroup.ADDRESS_LABEL) + l.get(ALERTS_PATH_LABEL);
    }

    private static Notifier.Target target(URI url, AlertmanagerConfig c, Notifier.Headers auth,
                                          Supplier<HttpClient> client, UnaryOperator<Labels> alertRelabel) {
        return new Notifier.Target(url, Duration.ofMillis(c.timeoutMs() > 0 ? c.timeoutMs() : 10_000), auth, client, alertRelabel);
    }

    /**
     * One client per entry, built on the first post: a JDK client keeps a selector thread, and most
     * setups send no alert for a long time. A replaced one is not shut down (a post may still be using
     * it); the JDK stops its thread once it is unreachable.
     */
    private static Supplier<HttpClient> lazyClient(HttpClientConfig http) {
        return new Supplier<>() {
            private HttpClient client;

            @Override
            public synchronized HttpClient get() {
                if (client == null) client = HttpClients.build(http, 5_000, false);
                return client;
            }
        };
    }

    /** Go's path.Join("/", prefix, rest): one slash between elements, "." and ".." resolved. */
    static String joinPath(String prefix, String rest) {
        Deque<String> parts = new ArrayDeque<>();
        for (String p : (prefix + "/" + rest).split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(p);
            }
        }
        return "/" + String.join("/", parts);
    }

    @Override
    public void close() {
        for (TargetGroupSet s : sets) s.close();
    }
}
