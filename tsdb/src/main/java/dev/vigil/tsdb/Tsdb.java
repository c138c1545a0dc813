package dev.vigil.tsdb;

import dev.vigil.tsdb.db.Db;
import java.nio.file.Path;

/** Opens the embedded storage engine. */
public final class Tsdb {
    private Tsdb() {}

    /**
     * Opens (creating when absent) the storage in {@code dir}, replaying what a crash left behind.
     * Damaged parts are quarantined under {@code dir/quarantine} and counted; the rest is served.
     *
     * @throws StorageException when the directory cannot be used (I/O, locked by another process)
     */
    public static Storage open(Path dir, TsdbOptions options) {
        return Db.open(dir, options, new ReplayProgress());
    }

    /** As {@link #open(Path, TsdbOptions)}, reporting the WAL replay's progress as it goes. */
    public static Storage open(Path dir, TsdbOptions options, ReplayProgress progress) {
        return Db.open(dir, options, progress);
    }
}
