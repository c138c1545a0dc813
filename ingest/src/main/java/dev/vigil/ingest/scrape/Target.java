package dev.vigil.ingest.scrape;

import dev.vigil.ingest.config.PromDuration;
import dev.vigil.tsdb.Labels;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One scrape target after target relabeling: its full label set (including {@code __address__},
 * {@code __scheme__}, {@code __metrics_path__}, {@code __param_*}, {@code __scrape_interval__},
 * {@code __scrape_timeout__}), the labels it had before relabeling, and the config's params.
 * Immutable; equal targets have equal {@link #hash()}, which identifies a target across reloads.
 */
public final class Target {
    public static final String ADDRESS = "__address__";
    public static final String SCHEME = "__scheme__";
    public static final String METRICS_PATH = "__metrics_path__";
    public static final String SCRAPE_INTERVAL = "__scrape_interval__";
    public static final String SCRAPE_TIMEOUT = "__scrape_timeout__";
    public static final String PARAM_PREFIX = "__param_";
    public static final String META_PREFIX = "__meta_";
    public static final String RESERVED_PREFIX = "__";
    public static final String JOB = "job";
    public static final String INSTANCE = "instance";

    private final Labels labels;
    private final Labels discoveredLabels;
    private final Map<String, List<String>> params;
    private final Labels publicLabels;
    private final String url;
    private final long hash;

    Target(Labels labels, Labels discoveredLabels, Map<String, List<String>> params) {
        this.labels = labels;
        this.discoveredLabels = discoveredLabels;
        this.params = params;
        Labels.Builder b = Labels.builder();
        for (int i = 0; i < labels.size(); i++) {
            if (!labels.name(i).startsWith(RESERVED_PREFIX)) b.set(labels.name(i), labels.value(i));
        }
        this.publicLabels = b.build();
        this.url = buildUrl();
        this.hash = fnv1a(fnv1a(0xcbf29ce484222325L, Long.toString(labels.hash())), url);
    }

    /** Every label, the internal {@code __} ones included. */
    public Labels labels() {
        return labels;
    }

    /** The labels added to every scraped series: those not starting with {@code __}. */
    public Labels publicLabels() {
        return publicLabels;
    }

    /** The labels discovery produced, before target relabeling. */
    public Labels discoveredLabels() {
        return discoveredLabels;
    }

    /** {@code scheme://address/path?params}: params from the config, overridden by {@code __param_*} labels. */
    public String url() {
        return url;
    }

    /** Identity across reloads: the labels and the URL. */
    public long hash() {
        return hash;
    }

    public long intervalMs() {
        return PromDuration.parseMs(labels.get(SCRAPE_INTERVAL));
    }

    public long timeoutMs() {
        return PromDuration.parseMs(labels.get(SCRAPE_TIMEOUT));
    }

    /**
     * Prometheus's deterministic scrape offset: targets of one job are spread over the interval by
     * their hash, and a target keeps its phase across restarts.
     *
     * @param nowMs the current time
     * @param seed mixes in the instance (external labels), so that HA pairs do not scrape in lockstep
     * @return milliseconds from {@code nowMs} to the first scrape, in {@code [0, intervalMs]}
     */
    public long offsetMs(long nowMs, long intervalMs, long seed) {
        long base = intervalMs - Math.floorMod(nowMs, intervalMs);
        long offset = Long.remainderUnsigned(hash ^ seed, intervalMs);
        long next = base + offset;
        if (next > intervalMs) next -= intervalMs;
        return next;
    }

    private String buildUrl() {
        TreeMap<String, List<String>> q = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : params.entrySet()) q.put(e.getKey(), new ArrayList<>(e.getValue()));
        for (int i = 0; i < labels.size(); i++) {
            String n = labels.name(i);
            if (!n.startsWith(PARAM_PREFIX)) continue;
            String k = n.substring(PARAM_PREFIX.length());
            List<String> vs = q.computeIfAbsent(k, x -> new ArrayList<>());
            if (vs.isEmpty()) {
                vs.add(labels.value(i));
            } else {
                vs.set(0, labels.value(i));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(labels.get(SCHEME)).append("://").append(labels.get(ADDRESS));
        String path = labels.get(METRICS_PATH);
        if (!path.isEmpty() && !path.startsWith("/")) sb.append('/');
        sb.append(path);
        boolean first = true;
        for (Map.Entry<String, List<String>> e : q.entrySet()) {
            for (String v : e.getValue()) {
                sb.append(first ? '?' : '&');
                first = false;
                sb.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)).append('=')
                        .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        return sb.toString();
    }

    static long fnv1a(long h, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (byte x : b) {
            h ^= x & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Target t && t.labels.equals(labels) && t.url.equals(url);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(hash);
    }

    @Override
    public String toString() {
        return url;
    }
}
