package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.DnsSdConfig;
import dev.vigil.ingest.config.FileSdConfig;
import dev.vigil.ingest.config.HttpSdConfig;
import dev.vigil.ingest.config.ScrapeConfig;
import dev.vigil.ingest.config.TargetGroup;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * All discoverers of one scrape job, merged: each report of any of them yields the job's complete
 * current list of target groups to the listener. Thread-safe; the listener is called under this
 * set's lock, so it sees reports one at a time and in order.
 */
public final class TargetGroupSet implements AutoCloseable {
    private final List<Discoverer> discoverers = new ArrayList<>();
    // Guarded by this: groups per discoverer, by source.
    private final List<Map<String, TargetGroup>> groups = new ArrayList<>();
    private final Consumer<List<TargetGroup>> listener;
    private boolean starting; // guarded by this: reports during start are merged into one
    private boolean closed; // guarded by this: no report reaches the listener after close

    /** Discoverers for a scrape config's static, file, HTTP and DNS discovery. */
    public static TargetGroupSet forScrapeConfig(ScrapeConfig c, Consumer<List<TargetGroup>> listener) {
        return of(c.staticConfigs(), c.fileSdConfigs(), c.httpSdConfigs(), c.dnsSdConfigs(), listener);
    }

    /** Discoverers for the static, file, HTTP and DNS discovery of a scrape job or an Alertmanager set. */
    public static TargetGroupSet of(List<TargetGroup> statics, List<FileSdConfig> files, List<HttpSdConfig> https,
                                    List<DnsSdConfig> dns, Consumer<List<TargetGroup>> listener) {
        List<Discoverer> ds = new ArrayList<>();
        if (!statics.isEmpty()) ds.add(new StaticDiscoverer(statics));
        for (FileSdConfig f : files) ds.add(new FileDiscoverer(f));
        for (HttpSdConfig h : https) ds.add(new HttpDiscoverer(h));
        for (DnsSdConfig d : dns) ds.add(new DnsDiscoverer(d));
        return new TargetGroupSet(ds, listener);
    }

    public TargetGroupSet(List<Discoverer> discoverers, Consumer<List<TargetGroup>> listener) {
        this.listener = listener;
        this.discoverers.addAll(discoverers);
        for (int i = 0; i < discoverers.size(); i++) groups.add(new LinkedHashMap<>());
    }

    /**
     * Starts every discoverer, then reports the job's groups once (even when there are none, so a
     * reloaded pool always gets to rebuild its loops); later changes are reported as they come.
     */
    public void start() {
        synchronized (this) {
            starting = true;
        }
        for (int i = 0; i < discoverers.size(); i++) {
            int idx = i;
            discoverers.get(i).start(update -> apply(idx, update));
        }
        synchronized (this) {
            starting = false;
            if (!closed) publish();
        }
    }

    private synchronized void apply(int idx, List<TargetGroup> update) {
        if (closed) return;
        Map<String, TargetGroup> m = groups.get(idx);
        for (TargetGroup g : update) {
            if (g.targets().isEmpty()) {
                m.remove(g.source());
            } else {
                m.put(g.source(), g);
            }
        }
        if (!starting) publish();
    }

    private void publish() {
        List<TargetGroup> all = new ArrayList<>();
        for (Map<String, TargetGroup> gm : groups) all.addAll(gm.values());
        listener.accept(all);
    }

    /** Stops the discoverers; once this returns, the listener is not called again. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        for (Discoverer d : discoverers) d.close();
    }
}
