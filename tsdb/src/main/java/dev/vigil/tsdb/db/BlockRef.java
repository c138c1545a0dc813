package dev.vigil.tsdb.db;

import dev.vigil.tsdb.block.Block;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A persisted block with a reference count: the database holds one reference, each open querier
 * one more. A block replaced by compaction or dropped by retention is closed, and its directory
 * deleted, when the last reference goes.
 */
final class BlockRef {
    private static final System.Logger LOG = System.getLogger(BlockRef.class.getName());

    final Block block;
    private volatile Path dir;
    private final FileSystemFacade fs;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile boolean deleteOnRelease;

    BlockRef(Block block, Path dir, FileSystemFacade fs) {
        this.block = block;
        this.dir = dir;
        this.fs = fs;
    }

    /** Takes a reference; false when the block is already gone. */
    boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) return false;
            if (refs.compareAndSet(r, r + 1)) return true;
        }
    }

    void release() {
        if (refs.decrementAndGet() == 0) {
            block.close();
            if (deleteOnRelease) {
                try {
                    fs.deleteRecursively(dir);
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot delete block [dir={0}]: {1}", dir, e.getMessage());
                }
            }
        }
    }

    /** Drops the database's reference; the directory is deleted once no querier uses the block. */
    void retire(boolean delete) {
        if (delete) {
            // renamed first, so that a crash before the last reader goes cannot bring it back
            Path gone = dir.resolveSibling(dir.getFileName() + ".deleted");
            try {
                fs.move(dir, gone);
                dir = gone;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot rename retired block [dir={0}]: {1}", dir, e.getMessage());
            }
            deleteOnRelease = true;
        }
        release();
    }

    Path dir() {
        return dir;
    }
}
