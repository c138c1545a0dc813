package dev.vigil.tsdb.head;

import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.chunk.XorChunk;
import dev.vigil.tsdb.fs.FileSystemFacade;
import dev.vigil.tsdb.index.MemPostings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;

/**
 * The in-memory head of the storage: every series with recent data, its open chunk, its sealed
 * chunks (in {@link HeadChunkFiles}) and the postings over head ordinals.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Series ids.</b> A series id is {@code epoch << 32 | ordinal}. The ordinal indexes
 *   {@link #cols} (so an appender's cached ref resolves with one array read and one compare,
 *   no hashing) and is the postings member. Ordinals of dropped series are reused, but only in a
 *   later epoch, and the epoch is persisted (and bumped at every open) before an id of it is handed
 *   out: ids never repeat and never run out however many series churn through, while postings stay
 *   32-bit and dense.</li>
 *   <li><b>Identity across restarts.</b> Labels to id live in the {@link SeriesDictionary} (Chronicle
 *   Map), written when a series is created and removed when it is dropped; start-up reads it
 *   instead of replaying series records.</li>
 *   <li><b>Concurrency.</b> Each series has its own monitor (see {@link MemSeries}). Creating and
 *   dropping series takes {@link #seriesLock}. Queriers pin the head with {@link #readPins} (a
 *   {@link StampedLock} read stamp, releasable from any thread); truncation takes the write stamp,
 *   so nothing a querier can reach is dropped under it.</li>
 * </ul>
 */
public final class Head implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Head.class.getName());
    /** Prometheus caps XOR chunks near 1 KiB; keeps a chunk's worst case bounded. */
    static final int MAX_CHUNK_BYTES = 1024;

    /** Where committed batches go before they are applied: the WAL. */
    public interface CommitLog {
        /** Logs framed records; {@code maxT} is the newest sample time in them, or Long.MIN_VALUE. */
        void log(byte[] buf, int off, int len, long maxT);
    }

    private final int samplesPerChunk;
    private final HeadChunkFiles chunkFiles;
    private final SeriesDictionary dictionary;
    private final Path epochFile;
    private final FileSystemFacade fs;
    private volatile CommitLog commitLog;
    /** Told of each committed batch's time range once its samples are readable; null when nobody listens. */
    private volatile dev.vigil.tsdb.ChangeListener committedListener;

    private final Object seriesLock = new Object();

    /**
     * The locks that guard series state, one per 64 consecutive ordinals (the table wraps, so
     * distant groups may share one). A commit takes each once per run of samples, not once per
     * sample: a scrape's series have neighbouring ordinals, and a lock per sample was a fenced
     * atomic operation that kept the next series' memory loads from overlapping this one's.
     */
    private final Object[] seriesLocks = new Object[1024];

    {
        for (int i = 0; i < seriesLocks.length; i++) seriesLocks[i] = new Object();
    }

    /** The lock guarding the mutable state of the series at {@code ordinal}. */
    Object lockOf(int ordinal) {
        return seriesLocks[(ordinal >>> 6) & (seriesLocks.length - 1)];
    }
    /**
     * Per-ordinal columns, replaced (grown) under seriesLock and published by the volatile write.
     * {@code ids}, {@code maxT} and {@code pendingMaxT} let an appender resolve a ref and reject
     * out-of-order samples by reading primitive arrays in scrape order, without touching the series
     * object (at 1M series that object is a cache miss). {@code maxT} and {@code pendingMaxT} are
     * hints, written racily; commit re-checks under the series' monitor.
     */
    static final class Columns {
        final MemSeries[] series;
        final long[] ids;
        final long[] maxT;
        final long[] pendingMaxT;

        Columns(int n) {
            series = new MemSeries[n];
            ids = new long[n];
            maxT = new long[n];
            pendingMaxT = new long[n];
            Arrays.fill(maxT, Long.MIN_VALUE);
            Arrays.fill(pendingMaxT, Long.MIN_VALUE);
        }

        Columns grow(int n) {
            Columns c = new Columns(n);
            System.arraycopy(series, 0, c.series, 0, series.length);
            System.arraycopy(ids, 0, c.ids, 0, ids.length);
            System.arraycopy(maxT, 0, c.maxT, 0, maxT.length);
            System.arraycopy(pendingMaxT, 0, c.pendingMaxT, 0, pendingMaxT.length);
            return c;
        }
    }

    private volatile Columns cols = new Columns(1024); // replaced under seriesLock
    /** Bumped (under seriesLock) after every series added or removed: tells whether {@link #labelOrder} is current. */
    private volatile long seriesVersion;
    /** The label-order rank of every ordinal at one {@link #seriesVersion} (-1: no series), built on demand. */
    private volatile LabelOrder labelOrder;

    /**
     * {@code series} is the series array as it was when the ranks were taken: an ordinal whose series is still that
     * same object keeps a valid rank after the version moves on, so new series do not force a rebuild.
     * {@code unrankedSorted} counts series sorted by comparing labels because they had no valid rank; past the
     * order's size, rebuilding is cheaper than going on (amortised over the selects that paid for it).
     */
    private record LabelOrder(long version, int[] rank, MemSeries[] series, int size,
                              java.util.concurrent.atomic.AtomicLong unrankedSorted) {}
    private final ConcurrentHashMap<Labels, MemSeries> byLabels = new ConcurrentHashMap<>();
    final MemPostings postings = new MemPostings();
    private int nextOrdinal;                 // guarded by seriesLock
    private int[] freeOrdinals = new int[0]; // guarded by seriesLock; usable in the current epoch
    private int freeCount;                   // guarded by seriesLock
    private long epoch;                      // guarded by seriesLock

    private final AtomicLong minT = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong maxT = new AtomicLong(Long.MIN_VALUE);
    /** Samples older than this are out of bounds: they belong to persisted blocks. */
    private volatile long minValidTime = Long.MIN_VALUE;

    final StampedLock readPins = new StampedLock();
    private final ConcurrentLinkedQueue<HeadAppender> appenderPool = new ConcurrentLinkedQueue<>();

    final LongAdder samplesAppended = new LongAdder();
    final LongAdder seriesCreated = new LongAdder();
    final LongAdder seriesRemoved = new LongAdder();
    final LongAdder chunksCreated = new LongAdder();
    /** Open and sealed chunks the head's series hold now (Prometheus's prometheus_tsdb_head_chunks). */
    final LongAdder chunksInHead = new LongAdder();
    final LongAdder[] rejected = new LongAdder[AppendStatus.REASONS];
    final LongAdder appendFailures = new LongAdder();
    private final AtomicLong chunkWriteFailures = new AtomicLong();

    /**
     * storage.tsdb.out_of_order_time_window: how far behind the head's newest sample an out-of-order
     * sample may be; 0 rejects them. Accepted ones wait in their series ({@link MemSeries#oooT})
     * until the storage flushes them to blocks of their own, which compaction merges.
     */
    private volatile long oooWindowMs;
    /** Ordinals of series holding out-of-order samples; guarded by itself, taken inside a series lock. */
    private final org.roaringbitmap.RoaringBitmap oooOrdinals = new org.roaringbitmap.RoaringBitmap();
    /** Out-of-order samples in the head now. */
    private final AtomicLong oooSamples = new AtomicLong();
    /** The oldest of them, loosely: lowered by inserts, recomputed after a flush. */
    private final AtomicLong oooMinT = new AtomicLong(Long.MAX_VALUE);
    final LongAdder oooAppended = new LongAdder();
    /** {@link #applyLocked} put the sample among the series' out-of-order samples. */
    static final long APPENDED_OUT_OF_ORDER = 2;

    public Head(int samplesPerChunk, HeadChunkFiles chunkFiles, SeriesDictionary dictionary, Path epochFile,
                FileSystemFacade fs) {
        this.samplesPerChunk = samplesPerChunk;
        this.chunkFiles = chunkFiles;
        this.dictionary = dictionary;
        this.epochFile = epochFile;
        this.fs = fs;
        for (int i = 0; i < rejected.length; i++) rejected[i] = new LongAdder();
        synchronized (seriesLock) {
            epoch = readEpoch() + 1;
            writeEpoch(epoch);
        }
    }

    public void setCommitLog(CommitLog log) {
        this.commitLog = log;
    }

    /** Sets who is told of each committed batch's [minT, maxT], after its samples are visible. */
    public void setCommittedListener(dev.vigil.tsdb.ChangeListener listener) {
        this.committedListener = listener;
    }

    dev.vigil.tsdb.ChangeListener committedListener() {
        return committedListener;
    }

    CommitLog commitLog() {
        return commitLog;
    }

    // ---- series identity -------------------------------------------------------------------

    /** The series for a ref handed out earlier, or null when unknown (dropped, or from another run). */
    MemSeries byRef(long ref) {
        int ordinal = ordinalOf(ref);
        return ordinal < 0 ? null : cols.series[ordinal];
    }

    /**
     * The labels of a live series, or null when the ref is unknown (dropped, or from an older
     * epoch). For WAL readers outside the head (the remote-write sender): after a restart the head
     * writes no series record for series it already knew, so their labels are only here.
     */
    public Labels labelsOf(long ref) {
        MemSeries s = byRef(ref);
        return s == null ? null : s.labels;
    }

    /** The ordinal of a known ref, or -1; reads only the ids column. */
    int ordinalOf(long ref) {
        int ordinal = (int) ref;
        long[] ids = cols.ids;
        return ordinal >= 0 && ordinal < ids.length && ids[ordinal] == ref && ref != 0 ? ordinal : -1;
    }

    Columns columns() {
        return cols;
    }

    /** The id of the series at {@code ordinal}, or 0. */
    public long seriesId(int ordinal) {
        MemSeries s = byOrdinal(ordinal);
        return s == null ? 0 : s.id;
    }

    /** Head reads start here: older samples may linger in open chunks but belong to blocks. */
    public long minValidTimeForReads() {
        return minValidTime;
    }

    MemSeries byOrdinal(int ordinal) {
        MemSeries[] arr = cols.series;
        return ordinal >= 0 && ordinal < arr.length ? arr[ordinal] : null;
    }

    MemSeries byLabels(Labels labels) {
        return byLabels.get(labels);
    }

    /**
     * The series with these labels, created (and persisted in the dictionary) when new. {@code
     * created[0]} tells the caller whether this call created it, so that it logs the series.
     */
    MemSeries getOrCreate(Labels labels, boolean[] created) {
        MemSeries s = byLabels.get(labels);
        if (s != null) return s;
        synchronized (seriesLock) {
            s = byLabels.get(labels);
            if (s != null) return s;
            int ordinal = freeCount > 0 ? freeOrdinals[--freeCount] : nextOrdinal++;
            Labels interned = labels.interned();
            s = new MemSeries((epoch << 32) | ordinal, interned, ordinal);
            dictionary.put(interned.encode(), s.id);
            install(s);
        }
        seriesCreated.increment();
        created[0] = true;
        return s;
    }

    /** Restores a series from the dictionary or the WAL at start-up; returns the existing one if any. */
    MemSeries restore(long id, Labels labels) {
        return restore(id, labels, Labels::intern);
    }

    private MemSeries restore(long id, Labels labels, java.util.function.UnaryOperator<String> interner) {
        synchronized (seriesLock) {
            int ordinal = (int) id;
            MemSeries existing = byOrdinal(ordinal);
            if (existing != null) {
                if (existing.id == id) return existing;
                LOG.log(System.Logger.Level.WARNING, "series id clash on restore, keeping the first [id={0}, labels={1}]",
                        Long.toHexString(id), labels);
                return null;
            }
            MemSeries byLabel = byLabels.get(labels);
            if (byLabel != null) return byLabel;
            MemSeries s = new MemSeries(id, labels.interned(interner), ordinal);
            nextOrdinal = Math.max(nextOrdinal, ordinal + 1);
            install(s);
            return s;
        }
    }

    /** Guarded by seriesLock. */
    private void install(MemSeries s) {
        Columns c = cols;
        if (s.ordinal >= c.series.length) {
            c = c.grow(Math.max(s.ordinal + 1, c.series.length * 2));
        }
        c.series[s.ordinal] = s;
        c.maxT[s.ordinal] = s.maxT;
        c.pendingMaxT[s.ordinal] = Long.MIN_VALUE;
        c.ids[s.ordinal] = s.id;
        cols = c; // volatile write publishes the series
        byLabels.put(s.labels, s);
        postings.add(s.ordinal, s.labels);
        seriesVersion++; // only written under seriesLock
    }

    /**
     * Sorts head ordinals by their series' labels. Head ordinals are in creation order, so this keeps the label-order
     * rank of all series and sorts primitive (rank, ordinal) keys. Series added or replaced since the ranks were taken
     * are sorted by their labels and merged in, so a few new series (a rule writing its first result, churn between
     * scrapes) cost a few label comparisons rather than re-ranking every series; the ranks are rebuilt once the
     * selects have compared about as many unranked series as there are ranked ones.
     */
    public void sortByLabels(int[] ordinals) {
        if (ordinals.length < 2) return;
        long version = seriesVersion;
        LabelOrder order = labelOrder;
        if (order == null || (order.version != version && order.unrankedSorted.get() > order.size)) {
            if (order == null && ordinals.length < 256) {
                dev.vigil.tsdb.index.LabelSort.sort(ordinals, this::labelsOf);
                return;
            }
            order = buildLabelOrder(version);
        }
        if (order.version == version && dev.vigil.tsdb.index.LabelSort.sortByRank(ordinals, order.rank)
                && seriesVersion == version) {
            return;
        }
        // a series came or went since the ranks were taken (or meanwhile): check each ordinal's rank
        sortPartlyRanked(ordinals, order);
    }

    /**
     * Sorts ordinals of which some still have their rank in {@code order}: those by rank, the rest by labels, then
     * merges the two (a binary search per unranked series).
     */
    private void sortPartlyRanked(int[] ordinals, LabelOrder order) {
        MemSeries[] now = cols.series, then = order.series;
        int n = ordinals.length, r = 0, u = 0;
        int[] ranked = new int[n], unranked = new int[n];
        for (int o : ordinals) {
            MemSeries s = o >= 0 && o < now.length ? now[o] : null;
            if (s != null && o < then.length && then[o] == s) ranked[r++] = o;
            else unranked[u++] = o;
        }
        if (u == 0) {
            dev.vigil.tsdb.index.LabelSort.sortByRank(ordinals, order.rank);
            return;
        }
        order.unrankedSorted.addAndGet(u);
        ranked = Arrays.copyOf(ranked, r);
        unranked = Arrays.copyOf(unranked, u);
        dev.vigil.tsdb.index.LabelSort.sortByRank(ranked, order.rank); // all have ranks: cannot fail
        Labels[] unrankedLabels = new Labels[u];
        for (int i = 0; i < u; i++) unrankedLabels[i] = labelsOf(unranked[i]);
        dev.vigil.tsdb.index.LabelSort.sort(unranked, unrankedLabels);
        int k = 0, from = 0;
        for (int i = 0; i < u; i++) {
            Labels l = unrankedLabels[i];
            // the first ranked series after l (ties cannot happen between live series; ranked go first if they did)
            int lo = from, hi = r;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (then[ranked[mid]].labels.compareTo(l) <= 0) lo = mid + 1;
                else hi = mid;
            }
            while (from < lo) ordinals[k++] = ranked[from++];
            ordinals[k++] = unranked[i];
        }
        while (from < r) ordinals[k++] = ranked[from++];
    }

    private Labels labelsOf(int ordinal) {
        MemSeries s = byOrdinal(ordinal);
        return s == null ? Labels.EMPTY : s.labels;
    }

    private LabelOrder buildLabelOrder(long version) {
        MemSeries[] arr = cols.series.clone(); // read after the version: holds every series that version counts
        int n = 0;
        int[] ords = new int[arr.length];
        for (int i = 0; i < arr.length; i++) if (arr[i] != null) ords[n++] = i;
        ords = Arrays.copyOf(ords, n);
        dev.vigil.tsdb.index.LabelSort.sort(ords, o -> arr[o].labels);
        int[] rank = new int[arr.length];
        Arrays.fill(rank, -1);
        for (int i = 0; i < n; i++) rank[ords[i]] = i;
        LabelOrder order = new LabelOrder(version, rank, arr, n, new java.util.concurrent.atomic.AtomicLong());
        labelOrder = order;
        return order;
    }

    /** Called once after replay: ordinals below nextOrdinal that no series uses become free. */
    void finishRestore() {
        synchronized (seriesLock) {
            MemSeries[] arr = cols.series;
            int[] free = new int[16];
            int n = 0;
            for (int i = 0; i < nextOrdinal; i++) {
                if (arr[i] == null) {
                    if (n == free.length) free = Arrays.copyOf(free, n * 2);
                    free[n++] = i;
                }
            }
            freeOrdinals = free;
            freeCount = n;
        }
    }

    // ---- appending --------------------------------------------------------------------------

    public HeadAppender appender() {
        HeadAppender a = appenderPool.poll();
        return a != null ? a : new HeadAppender(this);
    }

    void release(HeadAppender a) {
        if (appenderPool.size() < 64) appenderPool.offer(a);
    }

    long minValidTime() {
        return minValidTime;
    }

    /**
     * Appends a committed sample to the series (caller holds the series' monitor): out-of-order and
     * duplicates rejected; seals the open chunk when full.
     *
     * @return 0 when appended or an exact duplicate, else the negative rejection code
     */
    long appendLocked(MemSeries s, long t, double v) {
        long vBits = Double.doubleToRawLongBits(v);
        if (t == s.maxT && s.lastValueUnknown) resolveLastValue(s);
        if (t <= s.maxT) {
            if (t == s.maxT) return vBits == s.lastValueBits ? 1 : AppendStatus.DUPLICATE;
            return AppendStatus.OUT_OF_ORDER;
        }
        XorChunk open = s.open;
        if (open == null) {
            open = s.open = new XorChunk(64);
            chunksCreated.increment();
            chunksInHead.increment();
        } else if ((open.numSamples() >= samplesPerChunk || open.sizeBytes() >= MAX_CHUNK_BYTES) && sealOpen(s, open)) {
            // A fresh small buffer rather than reset(): keeping each series' largest buffer would hold
            // a full chunk's bytes per series for good, twice the average of a growing one.
            open = s.open = new XorChunk(64); // the sealed one stays in the head, in the chunk files
            chunksCreated.increment();
            chunksInHead.increment();
        }
        open.append(t, v);
        s.maxT = t;
        cols.maxT[s.ordinal] = t;
        s.lastValueBits = vBits;
        return 0;
    }

    /**
     * Applies a committed sample (caller holds the series' monitor): in order when it is newer than
     * the series' newest sample and not in a persisted block's range; otherwise, with an
     * out-of-order time window, among the series' out-of-order samples when within the window.
     * Prometheus decides the same way ({@code memSeries.appendable}).
     *
     * @return as {@link #appendLocked}, or {@link #APPENDED_OUT_OF_ORDER}
     */
    long applyLocked(MemSeries s, long t, double v) {
        long window = oooWindowMs;
        if (window <= 0 || (t >= minValidTime && t >= s.maxT)) return appendLocked(s, t, v);
        if (t < oooLowerBound(window)) return AppendStatus.TOO_OLD;
        return insertOooLocked(s, t, v);
    }

    /** The oldest time an out-of-order sample may have with this window: the head's newest minus it. */
    long oooLowerBound(long window) {
        long newest = maxT.get();
        return newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest - window;
    }

    /** Caller holds the series' monitor. */
    private long insertOooLocked(MemSeries s, long t, double v) {
        // a delayed stream arrives in time order: past every sealed chunk, which then need no look
        int r = t >= s.oooChunksMinT && t <= s.oooChunksMaxT ? OooChunks.find(s, t, v, chunkFiles) : 1;
        if (r == 1) r = s.insertOoo(t, v);
        if (r < 0) return AppendStatus.DUPLICATE;
        if (r == 0) return 1;
        if (s.oooTotal() == 1) {
            synchronized (oooOrdinals) {
                oooOrdinals.add(s.ordinal);
            }
        }
        oooSamples.incrementAndGet();
        long cur;
        while (t < (cur = oooMinT.get()) && !oooMinT.compareAndSet(cur, t)) { }
        if (s.oooCount >= MemSeries.OOO_CHUNK_SAMPLES) sealOoo(s);
        return APPENDED_OUT_OF_ORDER;
    }

    /**
     * Caller holds the series' monitor. Seals the open out-of-order buffer into chunks of {@link
     * MemSeries#OOO_CHUNK_SAMPLES} in the head chunk files. The file is kept until the head's newest
     * sample now is cut into a block: by then a flush has written these samples to a block. When
     * the write fails (a full disk) the buffer keeps growing on the heap; the WAL has the samples.
     */
    private void sealOoo(MemSeries s) {
        while (s.oooCount >= MemSeries.OOO_CHUNK_SAMPLES) {
            int n = MemSeries.OOO_CHUNK_SAMPLES;
            XorChunk c = OOO_SCRATCH.get(); // the chunk files copy the bytes: one buffer per thread will do
            c.reset();
            for (int i = 0; i < n; i++) c.append(s.oooT[i], s.oooV[i]);
            try {
                long ref = chunkFiles.write(s.id, c.minT(), c.maxT(), Encoding.OOO_XOR, c.buffer(), c.sizeBytes(), maxT.get());
                s.addOooChunk(ref, c.minT(), c.maxT(), n);
                s.dropOooPrefix(n);
            } catch (StorageException e) {
                long failures = chunkWriteFailures.incrementAndGet();
                if (failures == 1 || failures % 10_000 == 0) {
                    LOG.log(System.Logger.Level.WARNING, "cannot seal out-of-order chunk, keeping it on the heap [failures={0}]: {1}",
                            failures, e.getMessage());
                }
                return;
            }
        }
    }

    private static final ThreadLocal<XorChunk> OOO_SCRATCH = ThreadLocal.withInitial(() -> new XorChunk(16 * MemSeries.OOO_CHUNK_SAMPLES));

    /** Caller holds the series' monitor. All of the series' out-of-order samples, merged, sorted. */
    OooChunks.Samples oooSamplesLocked(MemSeries s) {
        return OooChunks.merged(s, chunkFiles);
    }

    public void setOutOfOrderTimeWindow(long ms) {
        oooWindowMs = Math.max(0, ms);
    }

    public long outOfOrderTimeWindow() {
        return oooWindowMs;
    }

    /** Out-of-order samples waiting in the head for a flush to a block. */
    public long oooSamples() {
        return oooSamples.get();
    }

    /** The oldest out-of-order sample in the head (an estimate that is never too late), or Long.MAX_VALUE. */
    public long oooMinTime() {
        return oooSamples.get() == 0 ? Long.MAX_VALUE : oooMinT.get();
    }

    /** Out-of-order samples accepted since open. */
    public long oooSamplesAppended() {
        return oooAppended.sum();
    }

    /** A copy of the ordinals of series with out-of-order samples. */
    org.roaringbitmap.RoaringBitmap oooOrdinals() {
        synchronized (oooOrdinals) {
            return oooOrdinals.clone();
        }
    }

    /** A reader over the out-of-order samples, valid while pinned. */
    public OooHeadReader oooReader() {
        return new OooHeadReader(this);
    }

    /**
     * The out-of-order samples older than {@code before}, copied, their series in label order: what
     * a flush writes to blocks before {@link #removeFlushedOoo} takes exactly these out of the head.
     */
    public OooSnapshot snapshotOoo(long before) {
        int[] ords = oooOrdinals().toArray();
        sortByLabels(ords);
        List<OooSnapshot.Series> out = new ArrayList<>();
        for (int o : ords) {
            MemSeries s = byOrdinal(o);
            if (s == null) continue;
            synchronized (lockOf(o)) {
                OooChunks.Samples all = oooSamplesLocked(s);
                int n = 0;
                while (n < all.t().length && all.t()[n] < before) n++;
                if (n > 0) out.add(new OooSnapshot.Series(s, Arrays.copyOf(all.t(), n), Arrays.copyOf(all.v(), n)));
            }
        }
        return new OooSnapshot(out);
    }

    /**
     * Removes what {@code snap} holds from the head, once it is in blocks; returns how many samples.
     * The rest of each series' late samples is sealed again; the old chunks stay in their files
     * until truncation deletes those.
     */
    public long removeFlushedOoo(OooSnapshot snap) {
        long removed = 0;
        // a querier opened before the new blocks were listed reads these samples from the head
        long stamp = waitForPins();
        try {
            for (OooSnapshot.Series e : snap.series()) {
                MemSeries s = e.series();
                synchronized (lockOf(s.ordinal)) {
                    int before = s.oooTotal();
                    OooChunks.Samples kept = OooChunks.without(oooSamplesLocked(s), e.t());
                    s.resetOoo(kept.t(), kept.v());
                    sealOoo(s);
                    removed += before - s.oooTotal();
                    if (s.oooTotal() == 0) {
                        synchronized (oooOrdinals) {
                            oooOrdinals.remove(s.ordinal);
                        }
                    }
                }
            }
        } finally {
            readPins.unlockWrite(stamp);
        }
        oooSamples.addAndGet(-removed);
        long min = Long.MAX_VALUE;
        for (int o : oooOrdinals().toArray()) {
            MemSeries s = byOrdinal(o);
            if (s == null) continue;
            synchronized (lockOf(o)) {
                if (s.oooCount > 0) min = Math.min(min, s.oooT[0]);
                for (int i = 0; i < s.oooChunkCount; i++) min = Math.min(min, s.oooChunks[i * 4 + 1]);
            }
        }
        oooMinT.set(min);
        return removed;
    }

    /**
     * Writes the full open chunk to the head chunk files. When that fails (a full disk) the chunk
     * stays open and keeps growing: the commit that is applying this sample already made it durable
     * in the WAL, so nothing is lost, and sealing is retried on the next append once space returns.
     */
    private boolean sealOpen(MemSeries s, XorChunk open) {
        if (open.numSamples() >= XorChunk.MAX_SAMPLES - 1) {
            throw StorageException.of("open chunk cannot grow further and cannot be sealed [series=" + s.labels + "]");
        }
        try {
            long ref = chunkFiles.write(s.id, open.minT(), open.maxT(), Encoding.XOR, open.buffer(), open.sizeBytes());
            s.addSealed(ref, open.minT(), open.maxT());
            return true;
        } catch (StorageException e) {
            long n = chunkWriteFailures.incrementAndGet();
            if (n == 1 || n % 10_000 == 0) {
                LOG.log(System.Logger.Level.WARNING, "cannot seal head chunk, keeping it open [failures={0}]: {1}", n, e.getMessage());
            }
            return false;
        }
    }

    /** Head chunk writes that failed (the chunk stayed open). */
    public long chunkWriteFailures() {
        return chunkWriteFailures.get();
    }

    /** Whether {@code v} is bit-identical to the series' newest committed sample at {@code t}. */
    boolean isLastValue(int ordinal, long t, double v) {
        MemSeries s = byOrdinal(ordinal);
        if (s == null) return false;
        synchronized (lockOf(s.ordinal)) {
            if (s.maxT != t) return false;
            if (s.lastValueUnknown) resolveLastValue(s);
            return Double.doubleToRawLongBits(v) == s.lastValueBits;
        }
    }

    /** Caller holds the series' monitor. Reads the newest sealed chunk for its last value. */
    private void resolveLastValue(MemSeries s) {
        s.lastValueUnknown = false;
        if (s.sealedCount == 0) return;
        try {
            var it = new dev.vigil.tsdb.chunk.XorIterator().reset(chunkFiles.read(s.sealed[(s.sealedCount - 1) * 3]));
            while (it.next() != dev.vigil.tsdb.SampleIterator.NONE) s.lastValueBits = it.atVBits();
        } catch (StorageException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read last chunk [series={0}]: {1}", s.labels, e.getMessage());
        }
    }

    void updateTimeBounds(long batchMinT, long batchMaxT) {
        long cur;
        while (batchMinT < (cur = minT.get()) && !minT.compareAndSet(cur, batchMinT)) { }
        while (batchMaxT > (cur = maxT.get()) && !maxT.compareAndSet(cur, batchMaxT)) { }
    }

    public long minTime() {
        return minT.get();
    }

    public long maxTime() {
        return maxT.get();
    }

    // ---- start-up -----------------------------------------------------------------------------

    /** Loads every series of the dictionary. */
    public void loadDictionary() {
        // String.intern costs ~100 ns; with a local map it runs once per distinct string, not per label
        java.util.HashMap<String, String> seen = new java.util.HashMap<>();
        java.util.function.UnaryOperator<String> interner = str -> seen.computeIfAbsent(str, Labels::intern);
        dictionary.forEach((bytes, id) -> {
            Labels labels;
            try {
                labels = Labels.decode(bytes, 0, bytes.length);
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "undecodable series dictionary entry dropped [id={0}]", Long.toHexString(id));
                return;
            }
            restore(id, labels, interner); // null on an id clash, which restore logs
        });
    }

    /** Attaches a sealed chunk found in the head chunk files at start-up. */
    public void restoreChunk(long ref, long seriesId, long chunkMinT, long chunkMaxT) {
        MemSeries s = byRef(seriesId);
        if (s == null || chunkMaxT < minValidTime) return;
        synchronized (lockOf(s.ordinal)) {
            if (s.sealedCount > 0 && chunkMinT <= s.sealed[(s.sealedCount - 1) * 3 + 2]) return; // overlapping leftover
            s.addSealed(ref, chunkMinT, chunkMaxT);
            chunksInHead.increment();
            if (chunkMaxT > s.maxT) {
                s.maxT = chunkMaxT;
                cols.maxT[s.ordinal] = chunkMaxT;
                s.lastValueUnknown = true; // read lazily: only a sample at exactly maxT needs it
            }
        }
        updateTimeBounds(chunkMinT, chunkMaxT);
    }

    /** Replays one WAL sample: appended when newer than what the series has. */
    public void replaySample(long seriesId, long t, double v) {
        MemSeries s = byRef(seriesId);
        if (s == null || t < minValidTime) return;
        synchronized (lockOf(s.ordinal)) {
            if (appendLocked(s, t, v) == 0) {
                updateTimeBounds(t, t);
            }
        }
    }

    /** Replays one out-of-order sample of the WAL: it was accepted once, so no window applies. */
    public void replayOoo(long seriesId, long t, double v) {
        MemSeries s = byRef(seriesId);
        if (s == null) return;
        synchronized (lockOf(s.ordinal)) {
            insertOooLocked(s, t, v);
        }
    }

    /** Replays a WAL series record. */
    public void replaySeries(long id, Labels labels) {
        if (byRef(id) != null) return;
        MemSeries s = restore(id, labels);
        if (s != null) dictionary.put(s.labels.encode(), id);
    }

    /** Done replaying; ordinals not in use become reusable. */
    public void replayDone() {
        finishRestore();
    }

    // ---- truncation ---------------------------------------------------------------------------

    public void setMinValidTime(long t) {
        minValidTime = Math.max(minValidTime, t);
    }

    /**
     * Drops everything before {@code newMinT} (now in a block): sealed chunks, emptied series (from
     * postings and the dictionary) and head chunk files. Waits for open queriers.
     *
     * @return series removed
     */
    public int truncate(long newMinT) {
        setMinValidTime(newMinT);
        long stamp = waitForPins();
        int removed = 0;
        try {
            try {
                chunkFiles.flush();
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, "head chunk flush failed before truncation: {0}", e.getMessage());
            }
            Columns live = cols;
            List<MemSeries> dead = new ArrayList<>();
            for (MemSeries s : live.series) {
                if (s == null) continue;
                synchronized (lockOf(s.ordinal)) {
                    chunksInHead.add(-s.dropSealedBefore(newMinT));
                    if (s.open != null && s.open.numSamples() > 0 && s.open.maxT() < newMinT) {
                        s.open = null;
                        chunksInHead.decrement();
                    }
                    if (s.isEmpty() && live.pendingMaxT[s.ordinal] < newMinT) dead.add(s);
                }
            }
            if (!dead.isEmpty()) {
                synchronized (seriesLock) {
                    // the freed ordinals may only be reused under a new, persisted epoch
                    epoch++;
                    writeEpoch(epoch);
                    int[] free = freeCount + dead.size() > freeOrdinals.length
                            ? Arrays.copyOf(freeOrdinals, freeCount + dead.size()) : freeOrdinals;
                    Columns cur = cols;
                    for (MemSeries s : dead) {
                        synchronized (lockOf(s.ordinal)) {
                            if (!s.isEmpty()) continue; // an append raced in
                            cur.ids[s.ordinal] = 0; // refs to it no longer resolve
                            cur.series[s.ordinal] = null;
                            cur.maxT[s.ordinal] = Long.MIN_VALUE;
                            byLabels.remove(s.labels);
                            postings.remove(s.ordinal, s.labels);
                            dictionary.remove(s.labels.encode());
                            free[freeCount++] = s.ordinal;
                            removed++;
                        }
                    }
                    freeOrdinals = free;
                    cols = cur;
                    seriesVersion++;
                }
                seriesRemoved.add(removed);
            }
            chunkFiles.deleteBefore(newMinT);
            long cur;
            while ((cur = minT.get()) < newMinT && !minT.compareAndSet(cur, newMinT)) { }
        } finally {
            readPins.unlockWrite(stamp);
        }
        return removed;
    }

    /** The pins' write stamp: no querier holds the head once it returns; see {@link #pin}. */
    private long waitForPins() {
        truncationPending = true;
        try {
            return readPins.writeLock();
        } finally {
            truncationPending = false;
        }
    }

    // ---- reading --------------------------------------------------------------------------------

    /** A truncation is waiting for the pins to drain; see {@link #pin}. */
    private volatile boolean truncationPending;

    /**
     * Pins the head for a querier; pass the stamp to {@link #unpin}. StampedLock lets readers barge
     * past a waiting writer, so back-to-back queries could starve truncation forever: a new pin
     * first waits (briefly, bounded, so that a thread already holding a pin cannot deadlock) while
     * a truncation is pending.
     */
    public long pin() {
        if (truncationPending) {
            long deadline = System.nanoTime() + 50_000_000L;
            while (truncationPending && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
        }
        return readPins.readLock();
    }

    public void unpin(long stamp) {
        readPins.unlockRead(stamp);
    }

    /** A reader over the head, valid while pinned. */
    public HeadReader reader() {
        return new HeadReader(this, chunkFiles);
    }

    public long numSeries() {
        return byLabels.size();
    }

    public MemPostings postings() {
        return postings;
    }

    /** Visits every live series (for snapshots and statistics); the visitor runs under the series' lock. */
    void forEachSeries(java.util.function.Consumer<MemSeries> visitor) {
        for (MemSeries s : cols.series) {
            if (s == null) continue;
            synchronized (lockOf(s.ordinal)) {
                visitor.accept(s);
            }
        }
    }

    /** Approximate heap bytes of series objects and open chunks (the benchmark measures the real figure). */
    public long heapBytesEstimate() {
        long[] total = {0};
        forEachSeries(s -> total[0] += s.heapBytes());
        return total[0] + postings.sizeInBytes();
    }

    /** Heap bytes the open chunks' buffers hold: their encoded bytes plus room to grow. */
    public long openChunkCapacityBytes() {
        return sumOverOpenChunks(XorChunk::capacityBytes);
    }

    /** Encoded bytes of all open chunks (the part of the head's chunk data still on the heap). */
    public long openChunkBytes() {
        return sumOverOpenChunks(XorChunk::sizeBytes);
    }

    private long sumOverOpenChunks(java.util.function.ToIntFunction<XorChunk> bytes) {
        long[] total = {0};
        forEachSeries(s -> {
            if (s.open != null) total[0] += bytes.applyAsInt(s.open);
        });
        return total[0];
    }

    public HeadChunkFiles chunkFiles() {
        return chunkFiles;
    }

    public long samplesAppended() {
        return samplesAppended.sum();
    }

    public long seriesCreated() {
        return seriesCreated.sum();
    }

    public long seriesRemoved() {
        return seriesRemoved.sum();
    }

    public long chunksCreated() {
        return chunksCreated.sum();
    }

    /** Chunks in the head now: each series' open chunk and its sealed ones in the head chunk files. */
    public long chunks() {
        return chunksInHead.sum();
    }

    public long[] rejectedByReason() {
        long[] out = new long[rejected.length];
        for (int i = 0; i < out.length; i++) out[i] = rejected[i].sum();
        return out;
    }

    public long appendFailures() {
        return appendFailures.sum();
    }

    // ---- epoch file ---------------------------------------------------------------------------

    private long readEpoch() {
        try {
            if (!Files.exists(epochFile)) return 0;
            String s = Files.readString(epochFile, StandardCharsets.US_ASCII).trim();
            return s.isEmpty() ? 0 : Long.parseLong(s);
        } catch (IOException | NumberFormatException e) {
            // a damaged epoch file: jump far ahead so no id of an earlier run can repeat
            LOG.log(System.Logger.Level.WARNING, "unreadable series epoch file, skipping ahead [file={0}]", epochFile);
            return (System.currentTimeMillis() / 1000) & 0x3FFFFFFF;
        }
    }

    private void writeEpoch(long e) {
        if (e >= (1L << 31)) throw new IllegalStateException("series id epochs exhausted");
        Path tmp = epochFile.resolveSibling(epochFile.getFileName() + ".tmp");
        try (FileChannel ch = fs.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            fs.write(ch, ByteBuffer.wrap((e + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            fs.force(ch);
        } catch (IOException ex) {
            throw StorageException.io("cannot write series epoch [file=" + epochFile + "]", ex);
        }
        try {
            fs.move(tmp, epochFile);
        } catch (IOException ex) {
            throw StorageException.io("cannot write series epoch [file=" + epochFile + "]", ex);
        }
    }

    /**
     * Seals every open chunk into the head chunk files (at a clean shutdown), so that the next start
     * finds all head data there and needs no WAL replay.
     */
    public void sealAll() {
        forEachSeries(s -> {
            XorChunk open = s.open;
            if (open == null || open.numSamples() == 0) return;
            long ref = chunkFiles.write(s.id, open.minT(), open.maxT(), Encoding.XOR, open.buffer(), open.sizeBytes());
            s.addSealed(ref, open.minT(), open.maxT());
            s.open = null;
        });
        chunkFiles.flush();
    }

    @Override
    public void close() {
        chunkFiles.close();
        dictionary.close();
    }
}
