package dev.vigil.ingest.remoteread;

import dev.vigil.ingest.config.RemoteReadConfig;
import dev.vigil.ingest.discovery.HttpClients;
import dev.vigil.ingest.remote.pb.Remote;
import dev.vigil.ingest.remote.pb.Types;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.xerial.snappy.Snappy;

/**
 * One {@code remote_read} endpoint, with Prometheus's rules for when to ask it and what to ask
 * ({@code storage/remote/read.go}):
 *
 * <ul>
 *   <li>{@code required_matchers}: only selections that carry every one of them as an equality
 *       matcher go to the remote;
 *   <li>{@code read_recent: false} (the default): only the time before the local storage's oldest
 *       sample is asked for, and nothing when the selection starts after it;
 *   <li>{@code filter_external_labels} (default true): the external labels are sent as equality
 *       matchers, unless the selection has a matcher of its own for that name, and are removed
 *       from the series that come back.
 * </ul>
 *
 * <p>The request asks for SAMPLES only, which every remote read server answers. Thread-safe; the
 * HTTP client is built on first use.
 */
public final class RemoteReadClient implements AutoCloseable {
    static final String USER_AGENT = "Vigil/remote-read";
    private static final int MAX_RESPONSE_BYTES = 512 << 20;

    /** The series a remote returned, sorted by labels. */
    public record Series(Labels labels, long[] ts, double[] vs) {}

    /** What to ask a remote for: the range (maxT lowered by read_recent) and the matchers sent. */
    record Plan(long minT, long maxT, List<Matcher> matchers, List<String> addedExternal) {}

    private final RemoteReadConfig config;
    private final Labels externalLabels;
    private final String remoteName;
    // for /metrics, as Prometheus's remote read client counts them
    private final java.util.concurrent.ConcurrentHashMap<String, java.util.concurrent.atomic.LongAdder> queriesByCode =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    private volatile HttpClient client;
    private boolean closed;

    /** @param externalLabels the config's {@code global.external_labels} */
    public RemoteReadClient(RemoteReadConfig config, Labels externalLabels) {
        this.config = config;
        this.externalLabels = config.filterExternalLabels() ? externalLabels : Labels.EMPTY;
        this.remoteName = !config.name().isEmpty() ? config.name() : shortHash(config.url());
    }

    /** Prometheus's {@code remote_name} label: the configured name, else a short hash. */
    public String remoteName() {
        return remoteName;
    }

    /** Queries answered, by HTTP status code. */
    public java.util.Map<String, Long> queriesByCode() {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        queriesByCode.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Queries waiting for their answer now. */
    public int inFlight() {
        return inFlight.get();
    }

    private static String shortHash(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d).substring(0, 6);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public RemoteReadConfig config() {
        return config;
    }

    /** The remote's name in messages: its {@code name}, else its URL. */
    public String displayName() {
        return config.name().isEmpty() ? config.url() : config.name();
    }

    /**
     * What to ask this remote for a selection of {@code [minT, maxT]}, or null when it is not to be
     * asked at all.
     *
     * @param localStartT the local storage's oldest timestamp ({@link Long#MAX_VALUE} when empty)
     */
    Plan plan(long minT, long maxT, Matcher[] matchers, long localStartT) {
        for (Map.Entry<String, String> required : config.requiredMatchers().entrySet()) {
            boolean found = false;
            for (Matcher m : matchers) {
                if (m.type() == Matcher.Type.EQUAL && m.name().equals(required.getKey()) && m.value().equals(required.getValue())) {
                    found = true;
                    break;
                }
            }
            if (!found) return null;
        }
        if (!config.readRecent()) {
            if (minT > localStartT) return null; // the local storage has all of it
            maxT = Math.min(maxT, localStartT);
        }
        List<Matcher> sent = new ArrayList<>(List.of(matchers));
        List<String> added = new ArrayList<>();
        for (int i = 0; i < externalLabels.size(); i++) {
            String name = externalLabels.name(i);
            boolean own = false;
            for (Matcher m : matchers) own |= m.name().equals(name);
            if (own) continue; // the user asked for a value of their own
            sent.add(Matcher.equal(name, externalLabels.value(i)));
            added.add(name);
        }
        return new Plan(minT, maxT, List.copyOf(sent), List.copyOf(added));
    }

    /**
     * Reads the series of {@code plan}, with the external labels the plan added removed.
     *
     * @throws IOException when the remote cannot be reached or answers with an error or garbage
     */
    List<Series> read(Plan plan) throws IOException {
        Remote.Query.Builder q = Remote.Query.newBuilder().setStartTimestampMs(plan.minT()).setEndTimestampMs(plan.maxT())
                .setHints(Types.ReadHints.newBuilder().setStartMs(plan.minT()).setEndMs(plan.maxT()));
        for (Matcher m : plan.matchers()) {
            q.addMatchers(Types.LabelMatcher.newBuilder().setType(switch (m.type()) {
                case EQUAL -> Types.LabelMatcher.Type.EQ;
                case NOT_EQUAL -> Types.LabelMatcher.Type.NEQ;
                case REGEX -> Types.LabelMatcher.Type.RE;
                case NOT_REGEX -> Types.LabelMatcher.Type.NRE;
            }).setName(m.name()).setValue(m.value()));
        }
        byte[] body = Snappy.compress(Remote.ReadRequest.newBuilder().addQueries(q)
                .addAcceptedResponseTypes(Remote.ReadRequest.ResponseType.SAMPLES).build().toByteArray());
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(config.url()))
                .timeout(Duration.ofMillis(Math.max(1, config.remoteTimeoutMs())))
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "snappy")
                .header("Accept-Encoding", "snappy")
                .header("X-Prometheus-Remote-Read-Version", "0.1.0")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, String> h : config.headers().entrySet()) req.header(h.getKey(), h.getValue());
        HttpClients.addHeaders(req, config.http());
        HttpResponse<byte[]> resp;
        inFlight.incrementAndGet();
        try {
            resp = client().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("error sending request: interrupted", e);
        } catch (IOException e) {
            throw new IOException("error sending request: " + (e.getMessage() != null ? e.getMessage() : e.toString()), e);
        } finally {
            inFlight.decrementAndGet();
        }
        queriesByCode.computeIfAbsent(Integer.toString(resp.statusCode()), k -> new java.util.concurrent.atomic.LongAdder()).increment();
        if (resp.statusCode() / 100 != 2) {
            String text = new String(resp.body(), 0, Math.min(resp.body().length, 512), StandardCharsets.UTF_8).strip();
            String status = (resp.statusCode() + " " + HttpClients.statusText(resp.statusCode())).strip(); // Go's resp.Status
            throw new IOException("remote server " + config.url() + " returned http status " + status + ": " + text); // Prometheus's words
        }
        String type = resp.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/x-streamed-protobuf")) {
            throw new IOException("the server answered with streamed chunks, which were not asked for");
        }
        return decode(resp.body(), plan.addedExternal());
    }

    static List<Series> decode(byte[] snappyBody, List<String> strip) throws IOException {
        Remote.ReadResponse r;
        try {
            if (!Snappy.isValidCompressedBuffer(snappyBody) || Snappy.uncompressedLength(snappyBody) > MAX_RESPONSE_BYTES) {
                throw new IOException("not a snappy-compressed response of at most " + (MAX_RESPONSE_BYTES >> 20) + " MiB");
            }
            r = Remote.ReadResponse.parseFrom(Snappy.uncompress(snappyBody));
        } catch (IOException e) {
            throw new IOException("cannot decode the response: " + e.getMessage(), e);
        }
        List<Series> out = new ArrayList<>();
        for (Remote.QueryResult result : r.getResultsList()) {
            for (Types.TimeSeries ts : result.getTimeseriesList()) {
                Labels.Builder b = Labels.of().toBuilder();
                for (Types.Label l : ts.getLabelsList()) {
                    if (!strip.contains(l.getName())) b.set(l.getName(), l.getValue());
                }
                int n = ts.getSamplesCount();
                long[] t = new long[n];
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    t[i] = ts.getSamples(i).getTimestamp();
                    v[i] = ts.getSamples(i).getValue();
                }
                out.add(inTimeOrder(new Series(b.build(), t, v)));
            }
        }
        out.sort(Comparator.comparing(Series::labels));
        // a label set twice (two results, or labels that differed only in a stripped external label)
        // is one series, as the querier's merge would make it
        List<Series> merged = new ArrayList<>(out.size());
        for (Series s : out) {
            if (!merged.isEmpty() && merged.getLast().labels().equals(s.labels())) {
                merged.set(merged.size() - 1, MergingQuerier.mergeSorted(List.of(merged.getLast()), List.of(s)).getFirst());
            } else {
                merged.add(s);
            }
        }
        return merged;
    }

    /** The series with its samples in time order, one per timestamp (servers send them so; a client cannot assume it). */
    private static Series inTimeOrder(Series s) {
        long[] t = s.ts();
        boolean sorted = true;
        for (int i = 1; i < t.length && sorted; i++) sorted = t[i - 1] < t[i];
        if (sorted) return s;
        java.util.TreeMap<Long, Double> byTime = new java.util.TreeMap<>();
        for (int i = 0; i < t.length; i++) byTime.putIfAbsent(t[i], s.vs()[i]);
        long[] ts = new long[byTime.size()];
        double[] vs = new double[ts.length];
        int n = 0;
        for (var e : byTime.entrySet()) {
            ts[n] = e.getKey();
            vs[n++] = e.getValue();
        }
        return new Series(s.labels(), ts, vs);
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c != null) return c;
        synchronized (this) {
            if (closed) throw new IllegalStateException("remote read client closed");
            if (client == null) client = HttpClients.build(config.http(), config.remoteTimeoutMs(), true);
            return client;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (client != null) client.close();
        client = null;
    }
}
