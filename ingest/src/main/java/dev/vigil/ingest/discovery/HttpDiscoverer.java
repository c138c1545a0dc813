package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.ConfigException;
import dev.vigil.ingest.config.HttpSdConfig;
import dev.vigil.ingest.config.PromDuration;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.config.TargetGroupFiles;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * {@code http_sd_configs}: polls a URL answering with a JSON list of target groups, as Prometheus's
 * {@code discovery/http}: a 200 with Content-Type {@code application/json} is required; each
 * group's source is {@code url:index} and its labels gain {@code __meta_url}; a failed poll keeps
 * the previous targets. One virtual thread per discoverer.
 */
public final class HttpDiscoverer implements Discoverer {
    private static final Logger LOG = Logger.getLogger(HttpDiscoverer.class.getName());
    /** The label HTTP discovery adds to every group. */
    public static final String URL_LABEL = "__meta_url";
    private static final Pattern JSON = Pattern.compile("^application/json(;.*)?$");

    private final HttpSdConfig config;
    private final HttpClient client;
    private volatile boolean closed;
    private volatile Thread thread;
    private int lastCount; // groups in the last good answer; touched by the poll thread only
    private volatile String lastError = "";

    public HttpDiscoverer(HttpSdConfig config) {
        this.config = config;
        this.client = HttpClients.build(config.http(), 30_000, config.url().startsWith("https"));
    }

    @Override
    public void start(Consumer<List<TargetGroup>> sink) {
        poll(sink);
        thread = Thread.ofVirtual().name("http-sd " + config.url()).start(() -> {
            while (!closed) {
                try {
                    Thread.sleep(Math.max(1, config.refreshIntervalMs()));
                } catch (InterruptedException e) {
                    return;
                }
                if (!closed) poll(sink);
            }
        });
    }

    /** One poll; reports the groups, or keeps the old ones and records why not. */
    void poll(Consumer<List<TargetGroup>> sink) {
        List<TargetGroup> groups;
        try {
            groups = fetch();
        } catch (IOException | ConfigException e) {
            lastError = e.getMessage();
            LOG.warning("http_sd: keeping the previous targets [url=" + config.url() + "]: " + e.getMessage());
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        lastError = "";
        List<TargetGroup> update = new ArrayList<>(groups);
        // Sources the new answer no longer has are removed.
        for (int i = groups.size(); i < lastCount; i++) update.add(new TargetGroup(config.url() + ":" + i, List.of(), Labels.EMPTY));
        lastCount = groups.size();
        if (!closed) sink.accept(update);
    }

    private List<TargetGroup> fetch() throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(config.url())).GET()
                .header("Accept", "application/json")
                .header("User-Agent", "Vigil/0.1")
                .header("X-Prometheus-Refresh-Interval-Seconds", java.math.BigDecimal.valueOf(config.refreshIntervalMs(), 3).stripTrailingZeros().toPlainString())
                .timeout(Duration.ofMillis(Math.max(1000, config.refreshIntervalMs())));
        HttpClients.addHeaders(b, config.http());
        HttpResponse<String> resp = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) throw new IOException("server returned HTTP status " + resp.statusCode());
        String ct = resp.headers().firstValue("Content-Type").orElse("");
        if (!JSON.matcher(ct.trim()).matches()) throw new IOException("unsupported content type \"" + ct + "\"");
        List<TargetGroup> parsed = TargetGroupFiles.parse(resp.body(), config.url(), true);
        List<TargetGroup> out = new ArrayList<>(parsed.size());
        for (TargetGroup g : parsed) {
            Labels l = g.labels().without(TargetGroupFiles.FILEPATH_LABEL).toBuilder().set(URL_LABEL, config.url()).build();
            out.add(new TargetGroup(g.source(), g.targets(), l));
        }
        return out;
    }

    /** Why the last poll failed, or empty. */
    public String lastError() {
        return lastError;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = thread;
        if (t != null) t.interrupt(); // the poll thread does no storage I/O
        client.shutdownNow();
    }

    @Override
    public String toString() {
        return "http_sd " + config.url() + " every " + PromDuration.format(config.refreshIntervalMs());
    }
}
