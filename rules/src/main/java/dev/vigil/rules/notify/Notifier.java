package dev.vigil.rules.notify;

import dev.vigil.rules.RulesApi;
import dev.vigil.rules.json.Json;
import dev.vigil.tsdb.Labels;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Sends alerts to Alertmanagers through their v2 API ({@code POST /api/v2/alerts}), as Prometheus's notifier does:
 * external labels are added (an alert's own label wins), {@code alert_relabel_configs} may rewrite or drop alerts,
 * alerts wait in a bounded queue (the oldest are dropped and counted when it is full), and a sender thread posts them
 * in batches of at most {@link Options#maxBatchSize} to every Alertmanager in parallel.
 *
 * <p>A failed post is retried a few times with exponential backoff within the batch, then counted as an error per
 * Alertmanager; nothing piles up: the rules re-send firing alerts every resend delay anyway, which is what recovers an
 * Alertmanager that was away.
 *
 * <p>Thread-safe: {@link #send} may be called from any rule group thread; one sender thread owns the HTTP calls.
 */
public final class Notifier implements AlertSink, AutoCloseable {

    /**
     * Adds an Alertmanager's Authorization and other configured headers to a post; may read
     * credentials or header files each time.
     */
    @FunctionalInterface
    public interface Headers {
        void addTo(HttpRequest.Builder request) throws java.io.IOException;
    }

    /**
     * One Alertmanager.
     *
     * @param url the alerts endpoint, e.g. {@code http://127.0.0.1:9093/am/api/v2/alerts}
     * @param headers null for none
     * @param client the HTTP client of this Alertmanager's settings (TLS, proxy, redirects), asked
     *     for on each post so that it can be built on first use; null for the notifier's default
     * @param alertRelabel this Alertmanager's own {@code alert_relabel_configs}, after the global ones;
     *     returns null to drop; null for none
     */
    public record Target(URI url, Duration timeout, Headers headers, Supplier<HttpClient> client,
                         UnaryOperator<Labels> alertRelabel) {
        /** The v2 API path under an Alertmanager's root or path prefix. */
        public static final String ALERTS_PATH = "/api/v2/alerts";

        public Target {
            Objects.requireNonNull(url, "url");
            if (timeout == null) timeout = Duration.ofSeconds(10);
        }

        /** The Alertmanager whose root (with any path prefix) is {@code base}, with basic auth or an Authorization type and credentials. */
        public static Target atBase(URI base, Duration timeout, String basicAuthUser, String basicAuthPassword,
                                    String authorizationType, String authorizationCredentials) {
            String root = base.toString().replaceAll("/+$", "");
            String header;
            if (basicAuthUser != null) {
                String cred = basicAuthUser + ":" + (basicAuthPassword == null ? "" : basicAuthPassword);
                header = "Basic " + Base64.getEncoder().encodeToString(cred.getBytes(StandardCharsets.UTF_8));
            } else if (authorizationCredentials != null) {
                header = (authorizationType == null ? "Bearer" : authorizationType) + " " + authorizationCredentials;
            } else {
                header = null;
            }
            return new Target(URI.create(root + ALERTS_PATH), timeout, header == null ? null : r -> r.header("Authorization", header),
                    null, null);
        }

        public static Target of(String base) {
            return atBase(URI.create(base), Duration.ofSeconds(10), null, null, null, null);
        }
    }

    /**
     * @param queueCapacity alerts held while Alertmanagers are slow (Prometheus: 10000)
     * @param maxBatchSize alerts per POST (Prometheus: 64)
     * @param relabel applied to each alert's labels after external labels; returns null to drop; null for none
     */
    public record Options(List<Target> targets, Map<String, String> externalLabels, int queueCapacity,
                          int maxBatchSize, UnaryOperator<Labels> relabel) {
        public Options {
            targets = List.copyOf(targets);
            externalLabels = Map.copyOf(externalLabels);
            if (queueCapacity <= 0) queueCapacity = 10_000;
            if (maxBatchSize <= 0) maxBatchSize = 64;
        }

        public static Options of(List<Target> targets, Map<String, String> externalLabels) {
            return new Options(targets, externalLabels, 10_000, 64, null);
        }
    }

    private static final int ATTEMPTS = 3;
    private static final long BACKOFF_MS = 200;

    // Built on the first alert sent: a JDK client keeps a selector thread that wakes up even when
    // idle, and most setups never configure an Alertmanager.
    private HttpClient http; // guarded by this
    private final ArrayDeque<NotifierAlert> queue = new ArrayDeque<>(); // guarded by queue
    private volatile Options options;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    // per Alertmanager URL: alerts sent (successfully or not) and alerts in failed posts, as Prometheus counts them
    private final java.util.concurrent.ConcurrentHashMap<String, AtomicLong[]> perAlertmanager = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Thread sender;

    public Notifier(Options options) {
        this.options = options;
        this.sender = Thread.ofPlatform().name("alert-notifier").daemon().start(this::run);
    }

    /** Replaces targets, external labels and relabelling (config reload); queued alerts are kept. */
    public void update(Options options) {
        this.options = options;
    }

    @Override
    public void send(List<NotifierAlert> alerts) {
        Options o = options;
        List<NotifierAlert> prepared = new ArrayList<>(alerts.size());
        for (NotifierAlert a : alerts) {
            Labels.Builder b = a.labels().toBuilder();
            for (Map.Entry<String, String> e : o.externalLabels().entrySet()) {
                if (!a.labels().has(e.getKey())) b.set(e.getKey(), e.getValue());
            }
            Labels l = b.build();
            if (o.relabel() != null) {
                l = o.relabel().apply(l);
                if (l == null || l.isEmpty()) continue;
            }
            prepared.add(new NotifierAlert(l, a.annotations(), a.startsAtMs(), a.endsAtMs(), a.generatorUrl()));
        }
        synchronized (queue) {
            // keep the newest: on overflow drop from the head, as Prometheus does
            int overflow = queue.size() + prepared.size() - o.queueCapacity();
            for (int i = 0; i < overflow && !queue.isEmpty(); i++) {
                queue.pollFirst();
                dropped.incrementAndGet();
            }
            int skip = Math.max(0, prepared.size() - o.queueCapacity());
            dropped.addAndGet(skip);
            for (int i = skip; i < prepared.size(); i++) queue.addLast(prepared.get(i));
            queue.notifyAll();
        }
    }

    private void run() {
        while (!closed) {
            List<NotifierAlert> batch = new ArrayList<>();
            synchronized (queue) {
                while (queue.isEmpty() && !closed) {
                    try {
                        queue.wait(); // send() and close() notify
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                int max = options.maxBatchSize();
                while (!queue.isEmpty() && batch.size() < max) batch.add(queue.pollFirst());
            }
            if (batch.isEmpty()) continue;
            try {
                post(batch);
            } catch (RuntimeException e) {
                // a bug, not an Alertmanager's fault: the batch is lost, the sender goes on
                errors.incrementAndGet();
                System.getLogger(Notifier.class.getName()).log(System.Logger.Level.ERROR, "sending alerts failed", e);
            }
        }
    }

    private void post(List<NotifierAlert> batch) {
        Options o = options;
        if (o.targets().isEmpty()) {
            // no Alertmanager configured: alerts are evaluated but go nowhere, like Prometheus without alerting
            return;
        }
        byte[] body = null; // shared by the Alertmanagers without relabelling of their own
        List<CompletableFuture<Boolean>> results = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        for (Target t : o.targets()) {
            List<NotifierAlert> alerts = t.alertRelabel() == null ? batch : relabel(batch, t.alertRelabel());
            if (alerts.isEmpty()) continue;
            byte[] b;
            if (alerts == batch) {
                if (body == null) body = json(batch).getBytes(StandardCharsets.UTF_8);
                b = body;
            } else {
                b = json(alerts).getBytes(StandardCharsets.UTF_8);
            }
            counts.add(alerts.size());
            urls.add(t.url().toString());
            results.add(CompletableFuture.supplyAsync(() -> postTo(t, b), Thread::startVirtualThread));
        }
        for (int i = 0; i < results.size(); i++) {
            AtomicLong[] c = perAlertmanager.computeIfAbsent(urls.get(i), k -> new AtomicLong[] {new AtomicLong(), new AtomicLong()});
            c[0].addAndGet(counts.get(i));
            if (results.get(i).join()) {
                sent.addAndGet(counts.get(i));
            } else {
                errors.incrementAndGet();
                c[1].addAndGet(counts.get(i));
            }
        }
    }

    private static List<NotifierAlert> relabel(List<NotifierAlert> batch, UnaryOperator<Labels> relabel) {
        List<NotifierAlert> out = new ArrayList<>(batch.size());
        for (NotifierAlert a : batch) {
            Labels l = relabel.apply(a.labels());
            if (l == null || l.isEmpty()) continue;
            out.add(new NotifierAlert(l, a.annotations(), a.startsAtMs(), a.endsAtMs(), a.generatorUrl()));
        }
        return out;
    }

    private boolean postTo(Target t, byte[] body) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(t.url()).timeout(t.timeout())
                .header("Content-Type", "application/json").header("User-Agent", "Vigil")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        try {
            if (t.headers() != null) t.headers().addTo(rb);
        } catch (java.io.IOException e) {
            return false; // an unreadable credentials or headers file: counted as a failed post, as Prometheus's failing request
        }
        HttpClient client;
        try {
            client = t.client() == null ? http() : t.client().get();
        } catch (RuntimeException e) {
            return false; // e.g. an unreadable CA or key file: a failed post, and the next one tries again
        }
        HttpRequest req = rb.build();
        for (int attempt = 0; attempt < ATTEMPTS && !closed; attempt++) {
            try {
                HttpResponse<String> resp = client.send(req, HttpResponse.BodyHandlers.ofString());
                if (resp.statusCode() / 100 == 2) return true;
                // a 4xx will not get better by retrying
                if (resp.statusCode() / 100 == 4) return false;
            } catch (java.io.IOException e) {
                // unreachable or timed out: back off and retry
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(BACKOFF_MS << attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** The v2 API body: a JSON array of postable alerts. */
    public static String json(List<NotifierAlert> alerts) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < alerts.size(); i++) {
            NotifierAlert a = alerts.get(i);
            if (i > 0) b.append(',');
            b.append("{\"labels\":");
            Map<String, String> lm = new TreeMap<>();
            for (int k = 0; k < a.labels().size(); k++) lm.put(a.labels().name(k), a.labels().value(k));
            Json.stringMap(b, lm);
            b.append(",\"annotations\":");
            Json.stringMap(b, new TreeMap<>(a.annotations()));
            if (a.startsAtMs() != 0) {
                b.append(",\"startsAt\":");
                Json.string(b, RulesApi.rfc3339(a.startsAtMs()));
            }
            if (a.endsAtMs() != 0) {
                b.append(",\"endsAt\":");
                Json.string(b, RulesApi.rfc3339(a.endsAtMs()));
            }
            b.append(",\"generatorURL\":");
            Json.string(b, a.generatorUrl());
            b.append('}');
        }
        return b.append(']').toString();
    }

    /** Alerts delivered (counted once per Alertmanager that accepted them). */
    public long sentCount() {
        return sent.get();
    }

    /** Failed batch posts, per Alertmanager. */
    public long errorCount() {
        return errors.get();
    }

    /** Alerts dropped because the queue was full. */
    public long droppedCount() {
        return dropped.get();
    }

    /**
     * Prometheus's notifier metrics: {@code prometheus_notifications_sent_total} and {@code _errors_total}
     * per Alertmanager (alerts, not posts), {@code _dropped_total}, {@code _queue_length},
     * {@code _queue_capacity} and {@code _alertmanagers_discovered}, in the text format.
     */
    public String exposition() {
        Options o = options;
        StringBuilder sb = new StringBuilder();
        perAlertmanager("prometheus_notifications_sent_total", "Total number of alerts sent.", 0, sb);
        perAlertmanager("prometheus_notifications_errors_total", "Total number of sent alerts affected by errors.", 1, sb);
        single(sb, "prometheus_notifications_dropped_total", "Total number of alerts dropped due to errors when sending to Alertmanager.",
                "counter", dropped.get());
        single(sb, "prometheus_notifications_queue_length", "The number of alert notifications in the queue.", "gauge", queueLength());
        single(sb, "prometheus_notifications_queue_capacity", "The capacity of the alert notifications queue.", "gauge", o.queueCapacity());
        single(sb, "prometheus_notifications_alertmanagers_discovered", "The number of alertmanagers discovered and active.", "gauge",
                o.targets().size());
        return sb.toString();
    }

    private void perAlertmanager(String name, String help, int idx, StringBuilder sb) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n");
        new TreeMap<>(perAlertmanager).forEach((url, c) -> {
            sb.append(name).append("{alertmanager=\"");
            for (int i = 0; i < url.length(); i++) {
                char ch = url.charAt(i);
                if (ch == '\\' || ch == '"') sb.append('\\').append(ch);
                else if (ch == '\n') sb.append("\\n");
                else sb.append(ch);
            }
            sb.append("\"} ").append(c[idx].get()).append('\n');
        });
    }

    private static void single(StringBuilder sb, String name, String help, String type, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(' ').append(type)
                .append('\n').append(name).append(' ').append(value).append('\n');
    }

    public int queueLength() {
        synchronized (queue) {
            return queue.size();
        }
    }

    private synchronized HttpClient http() {
        if (http == null) http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        return http;
    }

    @Override
    public void close() {
        closed = true;
        synchronized (queue) {
            queue.notifyAll();
        }
        try {
            sender.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (this) {
            if (http != null) http.shutdownNow();
        }
    }
}
