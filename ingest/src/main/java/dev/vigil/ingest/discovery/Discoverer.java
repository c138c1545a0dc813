package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.TargetGroup;
import java.util.List;
import java.util.function.Consumer;

/**
 * A source of target groups (Prometheus's {@code discovery.Discoverer}). It reports groups through
 * the sink given to {@link #start}: each report replaces the groups with the same source; a group
 * with no targets removes what that source had.
 */
public interface Discoverer extends AutoCloseable {
    /**
     * Starts discovering; the first report carries everything known at start. The sink is called
     * from the discoverer's own thread, one report at a time.
     */
    void start(Consumer<List<TargetGroup>> sink);

    /** Stops; no report follows. Does not throw. */
    @Override
    void close();
}
