package dev.vigil.server.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric metadata (type, help, unit) per metric family, for {@code /api/v1/metadata}: from
 * remote-write requests and scrapes. Distinct entries per family are kept, as Prometheus lists
 * every distinct one its targets expose; the number per family is bounded.
 */
public final class MetadataStore {
    private static final int MAX_PER_FAMILY = 16;

    public record Entry(String type, String help, String unit) {}

    private final Map<String, Set<Entry>> byFamily = new ConcurrentHashMap<>();
    /** Live metadata of the scrape targets, merged in at read time (gone targets take theirs along). */
    private volatile java.util.function.Supplier<Map<String, Set<Entry>>> live = Map::of;

    public void setLiveSource(java.util.function.Supplier<Map<String, Set<Entry>>> source) {
        this.live = source;
    }

    public void put(String family, String type, String help, String unit) {
        Set<Entry> set = byFamily.computeIfAbsent(family, k -> java.util.Collections.synchronizedSet(new LinkedHashSet<>()));
        if (set.size() < MAX_PER_FAMILY) set.add(new Entry(type, help == null ? "" : help, unit == null ? "" : unit));
    }

    /** Families in name order with their entries, filtered by {@code metric} when non-empty. */
    public Map<String, List<Entry>> snapshot(String metric) {
        Map<String, List<Entry>> out = new TreeMap<>();
        live.get().forEach((family, entries) -> {
            if (metric == null || metric.isEmpty() || metric.equals(family)) out.put(family, new ArrayList<>(entries));
        });
        byFamily.forEach((family, entries) -> {
            if (metric == null || metric.isEmpty() || metric.equals(family)) {
                synchronized (entries) {
                    List<Entry> l = out.computeIfAbsent(family, k -> new ArrayList<>());
                    for (Entry e : entries) if (!l.contains(e)) l.add(e);
                }
            }
        });
        return out;
    }
}
