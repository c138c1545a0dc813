package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.ConfigException;
import dev.vigil.ingest.config.FileSdConfig;
import dev.vigil.ingest.config.Globs;
import dev.vigil.ingest.config.TargetGroup;
import dev.vigil.ingest.config.TargetGroupFiles;
import dev.vigil.tsdb.Labels;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code file_sd_configs}: reads the files matching the patterns, then re-reads them when a
 * watched directory changes and every {@code refresh_interval} (a watcher can miss events, e.g. on
 * network file systems). As Prometheus's {@code discovery/file}: a file that fails to parse keeps
 * its previous groups; a file that disappears has its groups removed (reported empty).
 *
 * <h2>Design notes</h2>
 * One virtual thread per discoverer waits on a {@link WatchService} over the directories of the
 * patterns, with the refresh interval as timeout, and runs {@link #refresh()} after either. Reports
 * only carry files whose groups changed.
 */
public final class FileDiscoverer implements Discoverer {
    private static final Logger LOG = Logger.getLogger(FileDiscoverer.class.getName());

    private final FileSdConfig config;
    private final Object lock = new Object();
    // Guarded by lock: groups last reported, by file.
    private final Map<Path, List<TargetGroup>> byFile = new HashMap<>();
    private volatile Consumer<List<TargetGroup>> sink;
    private volatile WatchService watcher;
    private volatile Thread thread;
    private volatile boolean closed;
    private volatile long readErrors;

    public FileDiscoverer(FileSdConfig config) {
        this.config = config;
    }

    @Override
    public void start(Consumer<List<TargetGroup>> sink) {
        this.sink = sink;
        refresh();
        try {
            WatchService ws = Path.of(config.files().getFirst()).getFileSystem().newWatchService();
            Set<Path> dirs = new LinkedHashSet<>();
            for (String f : config.files()) {
                Path dir = Path.of(f).toAbsolutePath().getParent();
                if (dir != null) dirs.add(dir);
            }
            for (Path d : dirs) {
                try {
                    d.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE);
                } catch (IOException e) {
                    LOG.log(Level.WARNING, "cannot watch directory for file_sd, relying on refresh_interval [dir=" + d + "]", e);
                }
            }
            watcher = ws;
        } catch (IOException e) {
            LOG.log(Level.WARNING, "no file watcher for file_sd, relying on refresh_interval", e);
        }
        thread = Thread.ofVirtual().name("file-sd").start(this::loop);
    }

    private void loop() {
        long interval = Math.max(1, config.refreshIntervalMs());
        while (!closed) {
            try {
                WatchService ws = watcher;
                if (ws != null) {
                    var key = ws.poll(interval, TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                        // Editors write in several steps; let a burst of events settle into one read.
                        var more = ws.poll(20, TimeUnit.MILLISECONDS);
                        while (more != null) {
                            more.pollEvents();
                            more.reset();
                            more = ws.poll(20, TimeUnit.MILLISECONDS);
                        }
                    }
                } else {
                    Thread.sleep(interval);
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            if (!closed) refresh();
        }
    }

    /** Re-reads every matching file now and reports what changed. */
    public void refresh() {
        List<TargetGroup> changes = new ArrayList<>();
        synchronized (lock) {
            Set<Path> current = new HashSet<>();
            for (String pattern : config.files()) {
                List<Path> found;
                try {
                    found = Globs.expand(pattern, pattern);
                } catch (ConfigException e) {
                    readErrors++;
                    continue;
                }
                for (Path f : found) {
                    current.add(f);
                    List<TargetGroup> groups;
                    try {
                        groups = TargetGroupFiles.read(f);
                    } catch (ConfigException e) {
                        readErrors++;
                        LOG.warning("file_sd: keeping the previous targets of a file that does not parse: " + e.getMessage());
                        continue;
                    }
                    List<TargetGroup> old = byFile.put(f, groups);
                    if (groups.equals(old)) continue;
                    changes.addAll(groups);
                    // A file that now has fewer groups: the missing sources are removed.
                    if (old != null) {
                        for (int i = groups.size(); i < old.size(); i++) changes.add(empty(old.get(i)));
                    }
                }
            }
            for (var it = byFile.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (current.contains(e.getKey())) continue;
                for (TargetGroup g : e.getValue()) changes.add(empty(g));
                it.remove();
            }
        }
        Consumer<List<TargetGroup>> s = sink;
        if (s != null && !changes.isEmpty() && !closed) s.accept(changes);
    }

    private static TargetGroup empty(TargetGroup g) {
        return new TargetGroup(g.source(), List.of(), Labels.EMPTY);
    }

    /** Files that failed to read or parse, cumulative. */
    public long readErrors() {
        return readErrors;
    }

    @Override
    public void close() {
        closed = true;
        WatchService ws = watcher;
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException ignored) {
                // closing a watch service only fails on I/O errors we cannot act on
            }
        }
        Thread t = thread;
        if (t != null) t.interrupt();
    }
}
