package dev.vigil.ingest.remotewrite;

import dev.vigil.ingest.config.PrometheusConfig;
import dev.vigil.ingest.config.RemoteWriteConfig;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.db.Db;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.LongFunction;

/**
 * Forwards what Vigil ingests to the {@code remote_write} entries of the configuration: one
 * {@link RemoteQueue} per entry, each reading Vigil's WAL (see there). {@link #apply} works by
 * difference: an entry whose settings (and external labels) are unchanged keeps running and
 * loses nothing; a changed one restarts from its persisted position; a removed one stops.
 *
 * <p>A queue is identified by its {@code name}, or by a hash of its URL when unnamed; its resume
 * position is kept under that identity in {@code <positionDir>/<id>.position}, so editing a
 * remote's settings keeps its place in the WAL. Thread-safe.
 */
public final class RemoteWriteManager implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteWriteManager.class.getName());
    private final Path walDir;
    private final Path positionDir;
    private final LongFunction<Labels> resolver;
    private final Map<String, RemoteQueue> queues = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param walDir the WAL directory to tail (read-only)
     * @param positionDir where the per-remote positions are kept
     * @param resolver series ref to labels for refs whose series record is not in the WAL any more
     */
    public RemoteWriteManager(Path walDir, Path positionDir, LongFunction<Labels> resolver) {
        this.walDir = Objects.requireNonNull(walDir, "walDir");
        this.positionDir = Objects.requireNonNull(positionDir, "positionDir");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** A manager for Vigil's own storage: its WAL, positions under {@code <data>/remote_write/}. */
    public static RemoteWriteManager forStorage(Storage storage) {
        if (!(storage instanceof Db db)) throw new IllegalArgumentException("remote write needs Vigil's own storage (a WAL to read)");
        return new RemoteWriteManager(db.walDir(), db.dir().resolve("remote_write"), db::seriesLabels);
    }

    /** Applies the {@code remote_write} list and external labels of {@code cfg}; see {@link #apply(List, Labels)}. */
    public List<String> apply(PrometheusConfig cfg) {
        return apply(cfg.remoteWrite(), cfg.global().externalLabels());
    }

    /**
     * Starts, keeps, restarts or stops queues so that exactly {@code configs} run. A remote that
     * cannot start (an unreadable credentials file, an unwritable position directory) is logged
     * and left out, so that it does not take the others, or a config reload, down with it.
     *
     * @return why remotes could not start; empty when all run
     */
    public synchronized List<String> apply(List<RemoteWriteConfig> configs, Labels externalLabels) {
        if (closed) throw new IllegalStateException("remote write manager is closed");
        List<String> errors = new ArrayList<>();
        Labels ext = externalLabels == null ? Labels.EMPTY : externalLabels;
        Map<String, RemoteWriteConfig> wanted = new LinkedHashMap<>();
        for (RemoteWriteConfig c : configs) {
            String id = c.name().isEmpty() ? "url-" + hash(c.url()) : c.name();
            String unique = id;
            for (int i = 2; wanted.containsKey(unique); i++) unique = id + "-" + i;
            wanted.put(unique, c);
        }
        Set<String> gone = new HashSet<>(queues.keySet());
        gone.removeAll(wanted.keySet());
        for (String id : gone) queues.remove(id).close();
        for (Map.Entry<String, RemoteWriteConfig> w : wanted.entrySet()) {
            RemoteQueue running = queues.get(w.getKey());
            if (running != null && running.config.equals(w.getValue()) && running.externalLabels.equals(ext)) continue;
            if (running != null) running.close();
            queues.remove(w.getKey());
            RemoteQueue q = null;
            try {
                q = new RemoteQueue(w.getKey(), w.getValue(), ext, walDir, positionDir, resolver);
                q.setMetadataSource(metadataSource);
                q.start();
                queues.put(w.getKey(), q);
            } catch (IOException | RuntimeException e) {
                if (q != null) q.close();
                String why = "remote_write " + w.getKey() + " (" + w.getValue().url() + ") cannot start: " + e.getMessage();
                LOG.log(System.Logger.Level.ERROR, why);
                errors.add(why);
            }
        }
        return errors;
    }

    /** The running queue with this id, or null (tests). */
    synchronized RemoteQueue queue(String id) {
        return queues.get(id);
    }

    private volatile java.util.function.Supplier<Map<String, dev.vigil.ingest.scrape.MetricMetadata>> metadataSource;

    /** The metric metadata that metadata_config sends: the scrape targets', by family name. */
    public synchronized void setMetadataSource(java.util.function.Supplier<Map<String, dev.vigil.ingest.scrape.MetricMetadata>> source) {
        metadataSource = source;
        for (RemoteQueue q : queues.values()) q.setMetadataSource(source);
    }

    /** One snapshot per running remote, in configuration order. */
    public synchronized List<RemoteWriteStats> stats() {
        List<RemoteWriteStats> out = new ArrayList<>();
        for (RemoteQueue q : queues.values()) out.add(q.stats());
        return out;
    }

    /** The stats in the Prometheus text format, under Prometheus's metric names where one exists. */
    public String exposition() {
        List<RemoteWriteStats> st = stats();
        StringBuilder sb = new StringBuilder();
        metric(sb, st, "prometheus_remote_storage_samples_total", "Total number of samples sent to remote storage and acknowledged.", "counter", s -> s.samplesSent());
        metric(sb, st, "prometheus_remote_storage_samples_failed_total", "Total number of samples that failed to be sent to remote storage (non-recoverable errors).", "counter", s -> s.samplesFailed());
        metric(sb, st, "prometheus_remote_storage_samples_retried_total", "Total number of samples that failed to be sent to remote storage but were retried.", "counter", s -> s.samplesRetried());
        metric(sb, st, "prometheus_remote_storage_samples_dropped_total", "Total number of samples never sent for local reasons (write_relabel_configs, sample_age_limit, unknown series).", "counter", s -> s.samplesDropped());
        metric(sb, st, "prometheus_remote_storage_samples_pending", "Number of samples read from the WAL and queued, not yet acknowledged by the remote.", "gauge", s -> s.samplesPending());
        metric(sb, st, "prometheus_remote_storage_bytes_total", "Total number of bytes of data (compressed) sent by the queue.", "counter", s -> s.bytesSent());
        metric(sb, st, "prometheus_remote_storage_shards", "Number of shards used for parallel sending to the remote endpoint.", "gauge", s -> s.shards());
        metric(sb, st, "prometheus_remote_storage_metadata_total", "Total number of metadata entries sent to remote storage.", "counter", s -> s.metadataSent());
        metric(sb, st, "prometheus_remote_storage_metadata_failed_total", "Total number of metadata entries that failed to be sent (non-recoverable errors).", "counter", s -> s.metadataFailed());
        metric(sb, st, "prometheus_remote_storage_metadata_retried_total", "Total number of metadata entries that failed to be sent but were retried.", "counter", s -> s.metadataRetried());
        metric(sb, st, "vigil_remote_storage_wal_backlog_bytes", "WAL bytes written but not yet read by the queue.", "gauge", s -> s.backlogBytes());
        metric(sb, st, "vigil_remote_storage_lag_seconds", "How far the remote is behind: 0 when caught up, else now minus the newest sample acknowledged.", "gauge", s -> s.lagSeconds());
        metric(sb, st, "vigil_remote_storage_wal_segments_skipped_total", "WAL segments skipped because they were removed before the queue read them (data not sent).", "counter", s -> s.walSegmentsSkipped());
        return sb.toString();
    }

    private static void metric(StringBuilder sb, List<RemoteWriteStats> st, String name, String help, String type,
            java.util.function.ToDoubleFunction<RemoteWriteStats> f) {
        if (st.isEmpty()) return;
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
        for (RemoteWriteStats s : st) {
            double v = f.applyAsDouble(s);
            sb.append(name).append("{remote_name=\"").append(escape(s.name())).append("\",url=\"").append(escape(s.url()))
                    .append("\"} ").append(v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v)).append('\n');
        }
    }

    /** A label value in the text exposition format: backslash, double quote and line feed escaped. */
    public static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops every queue without flushing; each resumes from its persisted position next time. */
    @Override
    public synchronized void close() {
        closed = true;
        for (RemoteQueue q : queues.values()) q.close();
        queues.clear();
    }
}
