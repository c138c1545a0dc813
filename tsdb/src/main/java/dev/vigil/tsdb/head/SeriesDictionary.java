package dev.vigil.tsdb.head;

import dev.vigil.tsdb.StorageException;
import java.io.File;
import java.io.IOException;
import java.util.function.ObjLongConsumer;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * The persisted series dictionary: canonical label bytes to series id, for every series in the
 * head. It survives a restart without WAL replay, so the head's series come back with their ids
 * at once and WAL segments need no series checkpoints. Series leave it when the head drops them.
 *
 * <p>This is the only class that touches Chronicle Map (which needs the JVM flags listed in the
 * root pom and a full JDK at run time). Thread-safe. Calls are off the per-sample path: only a new
 * series, a head garbage collection and start-up reach it.
 */
public final class SeriesDictionary implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SeriesDictionary.class.getName());

    private final ChronicleMap<byte[], Long> map;

    private SeriesDictionary(ChronicleMap<byte[], Long> map) {
        this.map = map;
    }

    /**
     * Opens or creates the dictionary file.
     *
     * @param expectedSeries sizing hint; Chronicle Map grows up to 1000 times past it
     * @param recover true after an unclean shutdown: repairs segment locks and half-written entries
     */
    public static SeriesDictionary open(File file, long expectedSeries, boolean recover) {
        System.setProperty("chronicle.analytics.disable", "true");
        try {
            var builder = ChronicleMap.of(byte[].class, Long.class)
                    .name("vigil-series")
                    .entries(Math.max(expectedSeries, 1024))
                    // canonical label bytes of a typical series (6-8 labels)
                    .averageKeySize(110)
                    .maxBloatFactor(1000);
            ChronicleMap<byte[], Long> m = recover && file.exists()
                    ? builder.recoverPersistedTo(file, true, corruption -> LOG.log(System.Logger.Level.WARNING,
                            "series dictionary entry dropped in recovery [file={0}]: {1}", file, corruption.message()))
                    : builder.createPersistedTo(file);
            if (recover && m.size() > 0) LOG.log(System.Logger.Level.INFO, "series dictionary recovered [file={0}, series={1}]", file, m.size());
            return new SeriesDictionary(m);
        } catch (IOException | RuntimeException e) {
            throw StorageException.io("cannot open series dictionary [file=" + file + "]", e);
        }
    }

    /** The id stored for these label bytes, or 0. */
    public long get(byte[] labelBytes) {
        Long id = map.get(labelBytes);
        return id == null ? 0 : id;
    }

    public void put(byte[] labelBytes, long id) {
        map.put(labelBytes, id);
    }

    public void remove(byte[] labelBytes) {
        map.remove(labelBytes);
    }

    public long size() {
        return map.longSize();
    }

    /** Visits every entry; the byte array is a fresh copy the consumer may keep. */
    public void forEach(ObjLongConsumer<byte[]> consumer) {
        map.forEachEntry(e -> consumer.accept(e.key().getUsing(null), e.value().get()));
    }

    /** Off-heap bytes Chronicle Map has allocated (mapped file size actually used). */
    public long offHeapBytes() {
        return map.offHeapMemoryUsed();
    }

    @Override
    public void close() {
        map.close();
    }
}
