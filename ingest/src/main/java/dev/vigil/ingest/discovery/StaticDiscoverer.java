package dev.vigil.ingest.discovery;

import dev.vigil.ingest.config.TargetGroup;
import java.util.List;
import java.util.function.Consumer;

/** {@code static_configs}: reports its groups once, on the caller's thread. */
public final class StaticDiscoverer implements Discoverer {
    private final List<TargetGroup> groups;

    public StaticDiscoverer(List<TargetGroup> groups) {
        this.groups = List.copyOf(groups);
    }

    @Override
    public void start(Consumer<List<TargetGroup>> sink) {
        sink.accept(groups);
    }

    @Override
    public void close() {}
}
