package dev.vigil.ingest.remoteread;

import dev.vigil.ingest.config.RemoteReadConfig;
import dev.vigil.ingest.remotewrite.RemoteWriteManager;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.ChangeListener;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageStats;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The local storage with the configured {@code remote_read} endpoints beside it, for PromQL (the
 * query API and rule evaluation), as Prometheus's fanout storage: writes and everything else go
 * to the local storage; a querier merges the local series with what the remotes return for the
 * same selection ({@link MergingQuerier}).
 *
 * <p>A new remote set tells the change listeners that everything may have changed, so that the
 * range-result cache forgets results computed without (or with) a remote.
 */
public final class RemoteReadStorage implements Storage {
    private final Storage local;
    private final List<ChangeListener> listeners = new CopyOnWriteArrayList<>();
    private volatile List<RemoteReadClient> remotes = List.of();
    private List<RemoteReadConfig> configs = List.of(); // guarded by this
    private Labels externalLabels = Labels.EMPTY; // guarded by this

    public RemoteReadStorage(Storage local) {
        this.local = local;
    }

    /** Replaces the remotes with those of {@code configs} (a config load); the old clients close. */
    public synchronized void apply(List<RemoteReadConfig> configs, Labels externalLabels) {
        List<RemoteReadClient> old = remotes;
        // an unchanged section (most reloads) keeps its clients and leaves the result cache alone
        if (configs.equals(this.configs) && externalLabels.equals(this.externalLabels)) return;
        this.configs = List.copyOf(configs);
        this.externalLabels = externalLabels;
        List<RemoteReadClient> next = new ArrayList<>();
        for (RemoteReadConfig c : configs) next.add(new RemoteReadClient(c, externalLabels));
        remotes = List.copyOf(next);
        for (ChangeListener l : listeners) l.dataChanged(Long.MIN_VALUE, Long.MAX_VALUE);
        for (RemoteReadClient c : old) c.close(); // a query still running on one fails with a warning
    }

    /**
     * Prometheus's remote read client metrics in the text format:
     * {@code prometheus_remote_storage_read_queries_total} by response code and the in-flight
     * {@code prometheus_remote_storage_remote_read_queries}, per remote; empty without remotes.
     */
    public String exposition() {
        List<RemoteReadClient> r = remotes;
        if (r.isEmpty()) return "";
        StringBuilder sb = new StringBuilder();
        sb.append("# HELP prometheus_remote_storage_read_queries_total The total number of remote read queries.\n")
                .append("# TYPE prometheus_remote_storage_read_queries_total counter\n");
        for (RemoteReadClient c : r) {
            c.queriesByCode().forEach((code, n) -> sb.append("prometheus_remote_storage_read_queries_total{remote_name=\"")
                    .append(RemoteWriteManager.escape(c.remoteName())).append("\",response_code=\"").append(code).append("\",url=\"")
                    .append(RemoteWriteManager.escape(c.config().url())).append("\"} ").append(n).append('\n'));
        }
        sb.append("# HELP prometheus_remote_storage_remote_read_queries The number of in-flight remote read queries.\n")
                .append("# TYPE prometheus_remote_storage_remote_read_queries gauge\n");
        for (RemoteReadClient c : r) {
            sb.append("prometheus_remote_storage_remote_read_queries{remote_name=\"").append(RemoteWriteManager.escape(c.remoteName()))
                    .append("\",url=\"").append(RemoteWriteManager.escape(c.config().url())).append("\"} ").append(c.inFlight()).append('\n');
        }
        return sb.toString();
    }

    /** The remotes in use (status pages, tests). */
    public List<RemoteReadClient> remotes() {
        return remotes;
    }

    @Override
    public Querier querier() {
        List<RemoteReadClient> r = remotes;
        Querier q = local.querier();
        return r.isEmpty() ? q : new MergingQuerier(q, r, local.minTime());
    }

    @Override
    public Appender appender() {
        return local.appender();
    }

    @Override
    public long minTime() {
        return local.minTime();
    }

    @Override
    public long maxTime() {
        return local.maxTime();
    }

    @Override
    public void deleteSeries(long minT, long maxT, Matcher... matchers) {
        local.deleteSeries(minT, maxT, matchers);
    }

    @Override
    public void cleanTombstones() {
        local.cleanTombstones();
    }

    @Override
    public Path snapshot(Path dir, boolean withHead) {
        return local.snapshot(dir, withHead);
    }

    @Override
    public void setRetention(long retentionMs, long retentionBytes) {
        local.setRetention(retentionMs, retentionBytes);
    }

    @Override
    public void setOutOfOrderTimeWindow(long windowMs) {
        local.setOutOfOrderTimeWindow(windowMs);
    }

    @Override
    public boolean addChangeListener(ChangeListener listener) {
        if (!local.addChangeListener(listener)) return false;
        listeners.add(listener);
        return true;
    }

    @Override
    public StorageStats stats() {
        return local.stats();
    }

    /** Closes the remote clients; the local storage is its owner's to close. */
    @Override
    public synchronized void close() {
        for (RemoteReadClient c : remotes) c.close();
        remotes = List.of();
        configs = List.of();
    }
}
