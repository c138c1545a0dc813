package dev.vigil.tsdb.index;

import dev.vigil.tsdb.Labels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.roaringbitmap.RoaringBitmap;

/**
 * The head's postings: label pair to the ordinals of the series that carry it, as RoaringBitmaps.
 * Writes happen only when a series is created or dropped, reads once per query, so one read-write
 * lock guards everything; readers get copies they own.
 */
public final class MemPostings {
    private static final RoaringBitmap EMPTY = new RoaringBitmap();

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Guarded by lock. */
    private final Map<String, Map<String, RoaringBitmap>> byName = new HashMap<>();
    /** Guarded by lock. */
    private final RoaringBitmap all = new RoaringBitmap();
    /**
     * Each name's values, sorted, as last asked for; dropped when a value of that name appears or
     * goes. Label lookups and regex matchers read them on every query, and sorting a label with a
     * million values each time would cost far more than the lookup.
     */
    private final Map<String, List<String>> sortedValues = new ConcurrentHashMap<>();

    public void add(int ordinal, Labels labels) {
        lock.writeLock().lock();
        try {
            for (int i = 0; i < labels.size(); i++) {
                Map<String, RoaringBitmap> values = byName.computeIfAbsent(labels.name(i), k -> new HashMap<>());
                RoaringBitmap b = values.get(labels.value(i));
                if (b == null) {
                    values.put(labels.value(i), b = new RoaringBitmap());
                    sortedValues.remove(labels.name(i));
                }
                b.add(ordinal);
            }
            all.add(ordinal);
        } finally {
            lock.writeLock().unlock();
        }
    }

    public void remove(int ordinal, Labels labels) {
        lock.writeLock().lock();
        try {
            for (int i = 0; i < labels.size(); i++) {
                Map<String, RoaringBitmap> values = byName.get(labels.name(i));
                if (values == null) continue;
                RoaringBitmap b = values.get(labels.value(i));
                if (b == null) continue;
                b.remove(ordinal);
                if (b.isEmpty()) {
                    values.remove(labels.value(i));
                    sortedValues.remove(labels.name(i));
                    if (values.isEmpty()) byName.remove(labels.name(i));
                }
            }
            all.remove(ordinal);
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** A copy of the postings for {@code name="value"} (empty when unknown). */
    public RoaringBitmap get(String name, String value) {
        lock.readLock().lock();
        try {
            Map<String, RoaringBitmap> values = byName.get(name);
            RoaringBitmap b = values == null ? null : values.get(value);
            return b == null ? EMPTY : b.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    public RoaringBitmap all() {
        lock.readLock().lock();
        try {
            return all.clone();
        } finally {
            lock.readLock().unlock();
        }
    }

    public List<String> names() {
        lock.readLock().lock();
        try {
            List<String> names = new ArrayList<>(byName.keySet());
            names.sort(Labels::compareUtf8);
            return names;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The values of {@code name}, sorted; an unmodifiable list shared by readers until the values change. */
    public List<String> values(String name) {
        List<String> cached = sortedValues.get(name);
        if (cached != null) return cached;
        lock.readLock().lock();
        try {
            // under the read lock no value can appear or go, so what is cached here is current
            cached = sortedValues.get(name);
            if (cached != null) return cached;
            Map<String, RoaringBitmap> values = byName.get(name);
            if (values == null) return List.of();
            String[] out = values.keySet().toArray(new String[0]);
            java.util.Arrays.sort(out, Labels::compareUtf8);
            List<String> list = java.util.Collections.unmodifiableList(java.util.Arrays.asList(out));
            sortedValues.put(name, list);
            return list;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Label pairs with the most series, for the TSDB status page. */
    public Map<String, Integer> seriesCountByName() {
        lock.readLock().lock();
        try {
            Map<String, Integer> out = new HashMap<>();
            byName.forEach((n, values) -> {
                RoaringBitmap u = new RoaringBitmap();
                values.values().forEach(u::or);
                out.put(n, u.getCardinality());
            });
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Heap bytes held by the bitmaps (an estimate from RoaringBitmap's own size accounting). */
    public long sizeInBytes() {
        lock.readLock().lock();
        try {
            long bytes = all.getLongSizeInBytes();
            for (Map<String, RoaringBitmap> values : byName.values()) {
                for (RoaringBitmap b : values.values()) bytes += b.getLongSizeInBytes() + 48;
            }
            return bytes;
        } finally {
            lock.readLock().unlock();
        }
    }
}
