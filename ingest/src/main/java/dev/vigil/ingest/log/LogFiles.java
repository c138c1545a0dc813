package dev.vigil.ingest.log;

import java.io.Closeable;
import java.io.IOException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON log files one configuration names, each opened once however many jobs share it, as
 * Prometheus's scrape manager keys its failure loggers by file name. Opened before a load changes
 * anything, so that a file that cannot be opened fails the load as a whole; the previous set is
 * closed once the new one is in use.
 */
public final class LogFiles implements Closeable {
    public static final LogFiles NONE = new LogFiles(Map.of());

    private final Map<String, JsonLogFile> files;

    private LogFiles(Map<String, JsonLogFile> files) {
        this.files = files;
    }

    /**
     * Opens every non-empty path of {@code paths}.
     *
     * @throws IOException naming the first file that could not be opened (none stays open)
     */
    public static LogFiles open(Collection<String> paths) throws IOException {
        Map<String, JsonLogFile> out = new LinkedHashMap<>();
        try {
            for (String p : paths) {
                if (!p.isEmpty() && !out.containsKey(p)) out.put(p, JsonLogFile.open(p));
            }
        } catch (IOException e) {
            out.values().forEach(JsonLogFile::close);
            throw e;
        }
        return new LogFiles(Map.copyOf(out));
    }

    /** The file opened for {@code path}, or null (an empty path, or one not opened). */
    public JsonLogFile get(String path) {
        return path.isEmpty() ? null : files.get(path);
    }

    @Override
    public void close() {
        files.values().forEach(JsonLogFile::close);
    }
}
