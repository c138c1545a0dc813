package dev.vigil.ingest.config;

import dev.vigil.tsdb.Labels;
import java.util.List;

/**
 * A group of targets sharing labels, as a static config, a file_sd file or an HTTP SD response
 * lists them (Prometheus's {@code targetgroup.Group}).
 *
 * @param source identifies the group within its discoverer (index for static configs, {@code
 *     file:index} for files); a new group with the same source replaces the old one
 * @param targets one label set per target, holding at least {@code __address__}
 * @param labels labels common to all targets; a target's own label wins
 */
public record TargetGroup(String source, List<Labels> targets, Labels labels) {
    /** The label holding a target's {@code host:port}. */
    public static final String ADDRESS_LABEL = "__address__";

    public TargetGroup {
        targets = List.copyOf(targets);
    }
}
