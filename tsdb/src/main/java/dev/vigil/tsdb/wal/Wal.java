package dev.vigil.tsdb.wal;

import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A segmented, CRC-checked write-ahead log. The byte layout and the repair rules are specified in
 * {@code tsdb/docs/format/wal.md}; records are framed by {@link WalRecords}.
 *
 * <h2>Design notes</h2>
 *
 * <ul>
 *   <li><b>Segments.</b> The log is a directory of files named by an 8-digit zero-padded decimal
 *       index ({@code 00000001}, ...), each a plain sequence of frames. {@link #open} always starts
 *       a new segment after the last one present, so a torn tail left by a crash is never written
 *       after: {@link #replay} (run before {@code open}) can cut it without racing a writer.
 *   <li><b>Durability.</b> {@link #log} hands a whole batch to the OS with one positional write
 *       before it returns, so a process kill never loses an acknowledged batch; the
 *       {@link WalSyncPolicy} decides what a power loss may lose. Rotation and close always fsync.
 *   <li><b>Failed writes leave no partial record.</b> A failed write (a full disk) is cut back to
 *       the previous record boundary before {@code log} throws. If even that truncation fails, it
 *       is retried before the next write, which never lands after a partial record; so the log keeps
 *       working once space returns, and replay never sees a failed batch.
 *   <li><b>Concurrency.</b> One {@link ReentrantLock} (not {@code synchronized}, so virtual-thread
 *       callers do not pin their carrier) guards the current segment. Writes are serialised by it,
 *       as the order of batches is the order of replay. Under {@link WalSyncPolicy#ALWAYS} the fsync
 *       is made under the lock too: simple, at the price of no group commit. The
 *       {@link WalSyncPolicy#INTERVAL} syncer fsyncs outside the lock so writers do not wait on it.
 * </ul>
 *
 * <p>Thread-safe. The caller closes it; {@link #close()} is idempotent, and {@link #log},
 * {@link #nextSegment}, {@link #truncateBefore} and {@link #sync} throw {@link StorageException}
 * after it.
 */
public final class Wal implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Wal.class.getName());

    private final Path dir;
    private final long segmentBytes;
    private final WalSyncPolicy policy;
    private final FileSystemFacade fs;
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread syncer;

    // All guarded by lock.
    private FileChannel channel; // the current segment; null after a failed rotation (the next log retries)
    private int segment; // index of the current segment, or of the last one closed when channel is null
    private long segmentSize; // bytes of the current segment that hold complete records
    private long pendingTruncate = -1; // >= 0: a failed write's cut-back that has not succeeded yet
    private boolean unsynced; // written since the last fsync
    private boolean syncerIdle; // the syncer found nothing to sync and waits for the next write
    private volatile boolean closed;

    private Wal(Path dir, long segmentBytes, WalSyncPolicy policy, long syncIntervalMs, FileSystemFacade fs) {
        this.dir = dir;
        this.segmentBytes = segmentBytes;
        this.policy = policy;
        this.fs = fs;
        if (policy == WalSyncPolicy.INTERVAL) {
            long nanos = TimeUnit.MILLISECONDS.toNanos(syncIntervalMs);
            syncer = Thread.ofPlatform().daemon(true).name("vigil-wal-sync").unstarted(() -> syncLoop(nanos));
        } else {
            syncer = null;
        }
    }

    /**
     * Opens the log in {@code dir} (created if missing) and starts a new, empty segment after the
     * last one present. Run {@link #replay} first: records are only read by it.
     *
     * @param segmentBytes the size past which a segment is closed and the next started, in bytes,
     *     1 to {@link Integer#MAX_VALUE}; a batch larger than this gets a segment of its own
     * @param syncIntervalMs the fsync period for {@link WalSyncPolicy#INTERVAL}, &gt; 0; ignored otherwise
     * @param fs the facade every file call goes through
     * @throws StorageException when the directory or the segment cannot be created
     */
    public static Wal open(Path dir, long segmentBytes, WalSyncPolicy policy, long syncIntervalMs,
            FileSystemFacade fs) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(fs, "fs");
        if (segmentBytes <= 0 || segmentBytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("segment size out of range [segmentBytes=" + segmentBytes + "]");
        }
        if (policy == WalSyncPolicy.INTERVAL && syncIntervalMs <= 0) {
            throw new IllegalArgumentException("sync interval must be positive [syncIntervalMs=" + syncIntervalMs + "]");
        }
        try {
            fs.createDirectories(dir);
        } catch (IOException e) {
            throw StorageException.io("wal directory creation failed [dir=" + dir + "]", e);
        }
        List<Integer> existing = listSegments(dir, fs);
        Wal wal = new Wal(dir, segmentBytes, policy, syncIntervalMs, fs);
        wal.segment = existing.isEmpty() ? 0 : existing.getLast();
        wal.lock.lock();
        try {
            wal.startNextSegment();
        } catch (IOException e) {
            if (wal.channel != null) {
                try {
                    wal.channel.close();
                } catch (IOException c) {
                    e.addSuppressed(c);
                }
            }
            throw StorageException.io("wal segment creation failed [segment=" + segmentName(wal.segment + 1) + "]", e);
        } finally {
            wal.lock.unlock();
        }
        if (wal.syncer != null) wal.syncer.start();
        return wal;
    }

    /**
     * Replays the log in {@code dir}: reads every segment with index &gt;= {@code fromSegment} in
     * order and passes each record to {@code handler}. Stops at the first damaged record and repairs
     * the directory so that a following {@link #open} appends after clean data: a torn tail is cut
     * off; damage with data after it is copied to {@code quarantineDir} (as
     * {@code wal-<segment>-<offset>}), the later segments are moved there too, and the damaged
     * segment is cut. Repairs are logged at WARNING. Damaged data never makes this throw.
     *
     * <p>Must not run on a directory a {@link Wal} is writing to, except that empty segments after a
     * torn tail (one made by {@code open}) are tolerated and left in place.
     *
     * @param quarantineDir where damaged bytes go; created on demand; on the same file system as
     *     {@code dir}, since segments are moved there atomically
     * @throws StorageException on an I/O error (mapping, truncating, moving)
     * @throws RuntimeException whatever {@code handler} throws, unchanged; the replay stops there
     */
    public static ReplayResult replay(Path dir, int fromSegment, RecordHandler handler, Path quarantineDir,
            FileSystemFacade fs) {
        return new WalReplay(dir, handler, quarantineDir, fs).run(fromSegment);
    }

    /**
     * Appends {@code buf[off, off+len)}, one or more complete frames from {@link WalRecords}, with
     * one write. The bytes reach the OS before this returns, and the disk too under
     * {@link WalSyncPolicy#ALWAYS}. A batch is never split across segments: when it would push the
     * current segment past the segment size, a new segment (after an fsync of the old one) is
     * started first. The caller keeps ownership of {@code buf}; it is not retained.
     *
     * @throws StorageException when the write or fsync fails (e.g. a full disk); the batch is then
     *     not in the log (it was cut back off), and later calls may succeed once the cause is gone
     */
    public void log(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (len == 0) return;
        lock.lock();
        try {
            ensureOpen();
            try {
                if (pendingTruncate >= 0) cutBack();
                if (channel == null || (segmentSize > 0 && segmentSize + len > segmentBytes)) {
                    startNextSegment();
                }
            } catch (IOException e) {
                throw StorageException.io("wal write failed [segment=" + segmentName(segment) + "]", e);
            }
            long start = segmentSize;
            try {
                fs.write(liveChannel(), ByteBuffer.wrap(buf, off, len), start);
                if (policy == WalSyncPolicy.ALWAYS) fs.force(channel);
            } catch (IOException e) {
                // The write may have landed partly (ENOSPC mid-batch), or the fsync failed and the
                // batch may not be durable: either way the caller hears "not logged", so the log
                // must not replay it. Cut back to the last good boundary (retried later if needed).
                pendingTruncate = start;
                try {
                    cutBack();
                } catch (IOException t) {
                    e.addSuppressed(t);
                }
                throw StorageException.io("wal write failed [segment=" + segmentName(segment) + "]", e);
            }
            segmentSize = start + len;
            unsynced = policy != WalSyncPolicy.ALWAYS;
            if (syncerIdle) {
                syncerIdle = false;
                LockSupport.unpark(syncer);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Index of the segment being written. */
    public int currentSegment() {
        lock.lock();
        try {
            return segment;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the current segment (with an fsync) and starts the next one, e.g. before a checkpoint,
     * so that everything logged so far is in segments below the returned index.
     *
     * @return the index of the new current segment
     */
    public int nextSegment() {
        lock.lock();
        try {
            ensureOpen();
            if (pendingTruncate >= 0) cutBack();
            startNextSegment();
            return segment;
        } catch (IOException e) {
            throw StorageException.io("wal segment rotation failed [segment=" + segmentName(segment) + "]", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Deletes the segment files with index &lt; {@code segment} (those whose records a checkpoint
     * or block now holds). The current segment is never deleted, even when {@code segment} is above it.
     */
    public void truncateBefore(int segment) {
        lock.lock();
        try {
            ensureOpen();
            int limit = Math.min(segment, this.segment);
            boolean deleted = false;
            for (int s : listSegments(dir, fs)) {
                if (s >= limit) break;
                fs.delete(segmentPath(dir, s));
                deleted = true;
            }
            if (deleted) fs.syncDirectory(dir);
        } catch (IOException e) {
            throw StorageException.io("wal truncation failed [before=" + segmentName(segment) + "]", e);
        } finally {
            lock.unlock();
        }
    }

    /** The segment indexes present in the directory, ascending. */
    public List<Integer> segments() {
        return listSegments(dir, fs);
    }

    /** Total size of the segment files in bytes. */
    public long sizeBytes() {
        long total = 0;
        try {
            for (int s : listSegments(dir, fs)) total += fs.sizeOf(segmentPath(dir, s));
        } catch (IOException e) {
            throw StorageException.io("wal size failed [dir=" + dir + "]", e);
        }
        return total;
    }

    /** fsyncs the current segment now, whatever the policy. */
    public void sync() {
        lock.lock();
        try {
            ensureOpen();
            if (channel != null) fs.force(liveChannel());
            unsynced = false;
        } catch (IOException e) {
            throw StorageException.io("wal fsync failed [segment=" + segmentName(segment) + "]", e);
        } finally {
            lock.unlock();
        }
    }

    /** fsyncs and closes the current segment and stops the syncer. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            if (syncer != null) LockSupport.unpark(syncer);
            if (channel == null) return;
            try (FileChannel ch = liveChannel()) {
                channel = null;
                // A cut-back that keeps failing leaves a partial record at the end of the last
                // segment: replay treats that as a torn tail and cuts it, so still fsync the rest.
                IOException cutFailure = null;
                if (pendingTruncate >= 0) {
                    try {
                        cutBack(ch);
                    } catch (IOException e) {
                        cutFailure = e;
                    }
                }
                fs.force(ch);
                if (cutFailure != null) throw cutFailure;
            } catch (IOException e) {
                throw StorageException.io("wal close failed [segment=" + segmentName(segment) + "]", e);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Closes the current segment, if any, with an fsync, and creates the next one. Call with the lock held. */
    private void startNextSegment() throws IOException {
        if (channel != null) {
            fs.force(liveChannel()); // rotation always fsyncs, whatever the policy
            FileChannel old = channel;
            channel = null;
            unsynced = false;
            old.close();
        }
        int next = segment + 1;
        if (next > 99_999_999) throw new IllegalStateException("wal segment index exhausted [segment=" + segment + "]");
        // CREATE_NEW: open() starts after the last segment present, so an existing file means
        // someone else writes here; never clobber it.
        FileChannel ch = fs.open(segmentPath(dir, next), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        channel = ch;
        segment = next;
        segmentSize = 0;
        fs.syncDirectory(dir);
    }

    private void cutBack() throws IOException {
        if (channel == null) {
            pendingTruncate = -1; // the segment was closed; rotation never leaves one with a pending cut
            return;
        }
        cutBack(liveChannel());
    }

    /**
     * The current segment's channel, reopened if an interrupt closed it. FileChannel is an
     * InterruptibleChannel: a caller interrupted during a write or fsync (a cancelled scrape, say)
     * closes it for every thread, and without this the log would fail until restart.
     */
    private FileChannel liveChannel() throws IOException {
        if (!channel.isOpen()) {
            channel = fs.open(segmentPath(dir, segment), StandardOpenOption.WRITE);
        }
        return channel;
    }

    /** Truncates the current segment to {@link #pendingTruncate}, the end of its last complete record. */
    private void cutBack(FileChannel ch) throws IOException {
        ch.truncate(pendingTruncate);
        pendingTruncate = -1;
    }

    private boolean isSyncerIdle() {
        lock.lock();
        try {
            return syncerIdle;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the background syncer waits for a write (tests). */
    boolean syncerWaitsForWrite() {
        return isSyncerIdle() && syncer != null && syncer.getState() == Thread.State.WAITING;
    }

    private void ensureOpen() {
        if (closed) throw StorageException.of("wal is closed [dir=" + dir + "]");
    }

    private void syncLoop(long intervalNanos) {
        while (!closed) {
            while (isSyncerIdle() && !closed) LockSupport.park(this);
            LockSupport.parkNanos(this, intervalNanos);
            if (closed) return;
            FileChannel ch;
            int seg;
            lock.lock();
            try {
                if (!unsynced || channel == null) {
                    // Nothing written since the last fsync: wait for a write instead of waking up
                    // every interval, so a quiet appliance (a self-scrape every 15 s) stays quiet.
                    syncerIdle = true;
                    continue;
                }
                seg = segment;
                ch = liveChannel();
                unsynced = false;
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "wal segment reopen failed, retrying next interval [segment="
                        + segmentName(segment) + "]", e);
                continue;
            } finally {
                lock.unlock();
            }
            // Outside the lock: writers must not wait for the disk under INTERVAL.
            try {
                fs.force(ch);
            } catch (IOException | RuntimeException e) {
                lock.lock();
                try {
                    // A closed channel that is no longer current was rotated or closed, and both
                    // fsync. Otherwise (an interrupted caller closed it, or the fsync failed) the
                    // data is still unsynced: try again next interval.
                    if (closed || channel != ch) continue;
                    unsynced = true;
                } finally {
                    lock.unlock();
                }
                if (!(e instanceof ClosedChannelException)) {
                    LOG.log(System.Logger.Level.ERROR, "wal background fsync failed, retrying next interval [segment="
                            + segmentName(seg) + "]", e);
                }
            }
        }
    }

    static String segmentName(int index) {
        return String.format("%08d", index);
    }

    static Path segmentPath(Path dir, int index) {
        return dir.resolve(segmentName(index));
    }

    /** Parses an 8-digit segment file name; -1 for any other name. */
    static int parseSegmentName(String name) {
        if (name.length() != 8) return -1;
        int v = 0;
        for (int i = 0; i < 8; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    static List<Integer> listSegments(Path dir, FileSystemFacade fs) {
        List<Integer> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = fs.list(dir)) {
            for (Path p : ds) {
                int s = parseSegmentName(p.getFileName().toString());
                if (s >= 0) out.add(s);
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw StorageException.io("wal directory listing failed [dir=" + dir + "]", e);
        }
        Collections.sort(out);
        return out;
    }
}
