package dev.vigil.tsdb.db;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.CorruptionException;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.StorageStats;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.block.Block;
import dev.vigil.tsdb.block.BlockMeta;
import dev.vigil.tsdb.block.BlockWriter;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.block.SeriesSource;
import dev.vigil.tsdb.block.Tombstones;
import dev.vigil.tsdb.fs.FileSystemFacade;
import dev.vigil.tsdb.head.Head;
import dev.vigil.tsdb.head.HeadChunkFiles;
import dev.vigil.tsdb.head.HeadReader;
import dev.vigil.tsdb.head.OooHeadReader;
import dev.vigil.tsdb.head.OooSnapshot;
import dev.vigil.tsdb.head.SeriesDictionary;
import dev.vigil.tsdb.wal.RecordBuffer;
import dev.vigil.tsdb.wal.ReplayResult;
import dev.vigil.tsdb.wal.SampleBatch;
import dev.vigil.tsdb.wal.Wal;
import dev.vigil.tsdb.wal.WalRecords;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.roaringbitmap.RoaringBitmap;

/**
 * The storage engine: head + WAL + persisted blocks, with compaction and retention.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Layout</b> of the data directory: {@code wal/} (segments), {@code chunks_head/} (sealed
 *   head chunks), {@code series.dict} (Chronicle Map, labels to id), {@code series.epoch},
 *   {@code <ULID>/} blocks, {@code quarantine/} for damaged parts, {@code lock}. Formats are in
 *   {@code tsdb/docs/format/}.</li>
 *   <li><b>Start-up</b>: open blocks (a damaged one is quarantined, the rest served); load the
 *   series dictionary; scan head chunk files; replay the WAL, skipping samples already in head
 *   chunks. Torn tails anywhere are cut, counted and logged, never fatal.</li>
 *   <li><b>Compaction</b> (one background thread, {@link #compactionLock}): when the head spans
 *   more than 1.5 block ranges, its oldest aligned range becomes a block, then the head and WAL are
 *   truncated. Blocks are merged into ranges three times larger, up to {@code maxBlockRangeMs};
 *   overlapping blocks are merged at once. Every block is written to a temporary directory and
 *   renamed, and a block whose ULID is a parent of another is deleted at open, so a crash at any
 *   point leaves a consistent directory.</li>
 *   <li><b>Retention</b>: whole blocks, oldest first, by time and by the size of everything under
 *   the data directory, checked after every compaction.</li>
 *   <li><b>Readers</b> pin the head and take a reference on each block, so compaction and
 *   retention never pull data from under a running query.</li>
 * </ul>
 */
public final class Db implements Storage {
    private static final System.Logger LOG = System.getLogger(Db.class.getName());
    static final String CLEAN_MARKER = "clean-shutdown";
    /**
     * Blocks use Vigil's dense chunk encoding: about a third of XOR's size on typical data (see
     * chunks.md); a reader that must ship Prometheus chunks re-encodes them (ChunkIterator#encoding).
     */
    static final byte BLOCK_ENCODING = dev.vigil.tsdb.chunk.Encoding.DENSE;

    private final Path dir;
    private final TsdbOptions opts;
    // from opts, replaceable at run time by setRetention (a config reload)
    private volatile long retentionMs;
    private volatile long retentionBytes;
    private final FileSystemFacade fs;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Head head;
    private final Wal wal;
    private final CopyOnWriteArrayList<BlockRef> blocks = new CopyOnWriteArrayList<>();
    /** WAL segment to the newest sample time it holds; decides which segments truncation may drop. */
    private final ConcurrentSkipListMap<Integer, Long> segmentMaxT = new ConcurrentSkipListMap<>();
    /** Head deletions: series id to sorted inclusive [min, max] pairs. */
    private final Map<Long, long[]> headDeletions = new ConcurrentHashMap<>();
    private final ReentrantLock compactionLock = new ReentrantLock();
    /**
     * Read: a querier taking references on the current blocks. Write: the block list changing
     * (a merge swapping blocks, retention dropping one). Without it a querier could see a block in
     * the list that is retired before it takes its reference, and silently miss that block's data.
     */
    private final java.util.concurrent.locks.ReentrantReadWriteLock blocksLock = new java.util.concurrent.locks.ReentrantReadWriteLock();
    private final Object walLock = new Object();
    private final Thread background;
    private volatile boolean closed;
    /** Told of data changes a result cache must know of; see {@link #addChangeListener}. */
    private final CopyOnWriteArrayList<dev.vigil.tsdb.ChangeListener> changeListeners = new CopyOnWriteArrayList<>();
    /** Resolved postings of persisted blocks, which never change; see {@link PostingsCache}. */
    private final PostingsCache postingsCache = new PostingsCache(PostingsCache.DEFAULT_MAX_BYTES);

    private final AtomicLong compactions = new AtomicLong();
    private final AtomicLong compactionsFailed = new AtomicLong();
    private final AtomicLong quarantined = new AtomicLong();
    private final AtomicLong retentionDeleted = new AtomicLong();
    private final AtomicLong walTruncations = new AtomicLong();
    private long walCorruptions;
    private final ReplayResult replay;

    private final dev.vigil.tsdb.ReplayProgress progress;

    private Db(Path dir, TsdbOptions opts, dev.vigil.tsdb.ReplayProgress progress) {
        this.progress = progress;
        this.dir = dir.toAbsolutePath();
        this.opts = opts;
        this.retentionMs = opts.retentionMs();
        this.retentionBytes = opts.retentionBytes();
        this.fs = opts.fs();
        try {
            fs.createDirectories(this.dir);
            lockChannel = fs.open(this.dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = lockChannel.tryLock();
            if (lock == null) {
                lockChannel.close();
                throw StorageException.of("data directory is in use by another process [dir=" + this.dir + "]");
            }
        } catch (IOException e) {
            throw StorageException.io("cannot open data directory [dir=" + this.dir + "]", e);
        }
        boolean opened = false;
        Head h = null;
        Wal w = null;
        try {
            Path marker = this.dir.resolve(CLEAN_MARKER);
            boolean clean = Files.exists(marker);
            List<String> markerLines = clean ? Files.readAllLines(marker) : List.of();
            fs.delete(marker);
            cleanLeftovers();
            openBlocks();
            long maxBlockT = Long.MIN_VALUE;
            for (BlockRef b : blocks) maxBlockT = Math.max(maxBlockT, b.block.meta().maxT());

            Path dictFile = this.dir.resolve("series.dict");
            SeriesDictionary dict = SeriesDictionary.open(dictFile.toFile(), 1 << 16, !clean);
            HeadChunkFiles chunkFiles = new HeadChunkFiles(this.dir.resolve("chunks_head"), opts.headChunkFileBytes(), fs);
            h = new Head(opts.samplesPerChunk(), chunkFiles, dict, this.dir.resolve("series.epoch"), fs);
            h.setMinValidTime(maxBlockT);
            h.loadDictionary();
            Head hh = h;
            chunkFiles.open((ref, seriesId, minT, maxT, enc, data) -> {
                // Out-of-order chunks are not restored: the WAL's OUT_OF_ORDER_SAMPLES records hold
                // every late sample not yet in a block, and the start replays them (see wal.md).
                if (enc != (Encoding.OOO_XOR & 0xFF)) hh.restoreChunk(ref, seriesId, minT, maxT);
            });
            int[] segments = walSegmentRange();
            if (segments != null) progress.start(segments[0], segments[1]);
            this.replay = cleanShutdownState(markerLines) ? null : replayWal(h);
            progress.finish();
            h.replayDone();
            w = Wal.open(this.dir.resolve("wal"), opts.walSegmentBytes(), opts.walSyncPolicy(), opts.walSyncIntervalMs(), fs);
            this.head = h;
            this.wal = w;
            Wal ww = w;
            h.setCommitLog((buf, off, len, maxT) -> {
                synchronized (walLock) {
                    ww.log(buf, off, len);
                    if (maxT != Long.MIN_VALUE) segmentMaxT.merge(ww.currentSegment(), maxT, Math::max);
                }
            });
            opened = true;
        } catch (IOException e) {
            throw StorageException.io("cannot open storage [dir=" + this.dir + "]", e);
        } finally {
            if (!opened) {
                if (w != null) w.close();
                if (h != null) h.close();
                for (BlockRef b : blocks) b.release();
                releaseLock();
            }
        }
        if (opts.backgroundIntervalMs() > 0) {
            background = Thread.ofPlatform().daemon().name("vigil-tsdb-compactor").start(this::backgroundLoop);
        } else {
            background = null;
        }
    }

    /** Opens (creating if needed) the storage in {@code dir}. */
    public static Db open(Path dir, TsdbOptions opts) {
        return new Db(dir, opts, new dev.vigil.tsdb.ReplayProgress());
    }

    /** As {@link #open(Path, TsdbOptions)}, reporting the WAL replay's progress to {@code progress}. */
    public static Db open(Path dir, TsdbOptions opts, dev.vigil.tsdb.ReplayProgress progress) {
        return new Db(dir, opts, progress);
    }

    private void cleanLeftovers() throws IOException {
        try (DirectoryStream<Path> ds = fs.list(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(".tmp-for-creation") || n.endsWith(".deleted") || n.endsWith(".tmp-for-deletion")) {
                    fs.deleteRecursively(p);
                }
            }
        }
    }

    private void openBlocks() throws IOException {
        List<BlockRef> opened = new ArrayList<>();
        try (DirectoryStream<Path> ds = fs.list(dir)) {
            for (Path p : ds) {
                if (!Files.isDirectory(p) || !Files.exists(p.resolve("meta.json")) && !Files.exists(p.resolve("index"))) continue;
                if (!p.getFileName().toString().matches("[0-9A-HJKMNP-TV-Z]{26}")) continue;
                try {
                    opened.add(new BlockRef(Block.open(p, fs), p, fs));
                } catch (StorageException e) {
                    LOG.log(System.Logger.Level.ERROR, "damaged block quarantined [dir={0}]: {1}", p, e.getMessage());
                    quarantine(p);
                }
            }
        }
        // a block that compaction already merged into another (crash before the delete) goes now
        Set<String> parents = new HashSet<>();
        for (BlockRef b : opened) {
            for (BlockMeta.BlockDesc parent : b.block.meta().compaction().parents()) parents.add(parent.ulid());
        }
        for (BlockRef b : opened) {
            if (parents.contains(b.block.meta().ulid())) {
                b.retire(true);
            } else {
                blocks.add(b);
            }
        }
        sortBlocks();
    }

    /** Atomic for readers that do not take blocksLock (CopyOnWriteArrayList replaces its array). */
    private void sortBlocks() {
        blocks.sort(Comparator.comparingLong((BlockRef b) -> b.block.meta().minT()));
    }

    private void quarantine(Path p) {
        try {
            Path q = dir.resolve("quarantine");
            fs.createDirectories(q);
            fs.move(p, q.resolve(p.getFileName() + "-" + System.currentTimeMillis()));
            quarantined.incrementAndGet();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot quarantine [path={0}]: {1}", p, e.getMessage());
        }
    }

    /**
     * After a clean shutdown every head sample is in the head chunk files (the head sealed its open
     * chunks), so the WAL needs no replay if it is exactly as that shutdown left it: the marker names
     * its last segment and size, and carries what replay would have rebuilt (segment times, head
     * deletions). Returns false, and nothing is restored, when anything does not match.
     */
    private boolean cleanShutdownState(List<String> lines) throws IOException {
        if (lines.isEmpty() || !lines.get(0).equals("vigil-clean-shutdown 1")) return false;
        String[] last = lastWalSegment();
        Map<Integer, Long> segs = new java.util.HashMap<>();
        Map<Long, long[]> dels = new java.util.HashMap<>();
        boolean walMatches = false;
        try {
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split(" ");
                switch (f[0]) {
                    case "wal" -> walMatches = last != null && f[1].equals(last[0]) && f[2].equals(last[1]);
                    case "seg" -> segs.put(Integer.parseInt(f[1]), Long.parseLong(f[2]));
                    case "del" -> dels.merge(Long.parseLong(f[1]), new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])},
                            Intervals::union);
                    default -> { return false; }
                }
            }
        } catch (RuntimeException e) {
            return false;
        }
        if (!walMatches) return false;
        segmentMaxT.putAll(segs);
        headDeletions.putAll(dels);
        return true;
    }

    /** {first, last} WAL segment numbers, or null when there is none. */
    private int[] walSegmentRange() throws IOException {
        Path walDir = dir.resolve("wal");
        if (!Files.isDirectory(walDir)) return null;
        int min = Integer.MAX_VALUE, max = -1;
        try (DirectoryStream<Path> ds = fs.list(walDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.matches("\\d{1,9}")) continue;
                int seg = Integer.parseInt(n);
                min = Math.min(min, seg);
                max = Math.max(max, seg);
            }
        }
        return max < 0 ? null : new int[] {min, max};
    }

    /** {name, size} of the newest WAL segment, or null. */
    private String[] lastWalSegment() throws IOException {
        Path walDir = dir.resolve("wal");
        if (!Files.isDirectory(walDir)) return null;
        String best = null;
        try (DirectoryStream<Path> ds = fs.list(walDir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.matches("\\d+") && (best == null || n.compareTo(best) > 0)) best = n;
            }
        }
        return best == null ? null : new String[] {best, Long.toString(Files.size(walDir.resolve(best)))};
    }

    private ReplayResult replayWal(Head h) {
        SampleBatch batch = new SampleBatch();
        ReplayResult r = Wal.replay(dir.resolve("wal"), 0, (segment, type, payload) -> {
            progress.at(segment);
            try {
                switch (type) {
                    case WalRecords.SERIES -> WalRecords.decodeSeries(payload, h::replaySeries);
                    case WalRecords.SAMPLES, WalRecords.PACKED_SAMPLES -> {
                        WalRecords.decodeSamples(type, payload, batch);
                        long maxT = Long.MIN_VALUE;
                        long[] ids = batch.ids(), ts = batch.ts();
                        double[] vs = batch.vs();
                        for (int i = 0; i < batch.size(); i++) {
                            h.replaySample(ids[i], ts[i], vs[i]);
                            maxT = Math.max(maxT, ts[i]);
                        }
                        segmentMaxT.merge(segment, maxT, Math::max);
                    }
                    case WalRecords.OUT_OF_ORDER_SAMPLES -> {
                        WalRecords.decodeSamples(type, payload, batch);
                        long maxT = Long.MIN_VALUE;
                        long[] ids = batch.ids(), ts = batch.ts();
                        double[] vs = batch.vs();
                        for (int i = 0; i < batch.size(); i++) {
                            h.replayOoo(ids[i], ts[i], vs[i]);
                            maxT = Math.max(maxT, ts[i]);
                        }
                        segmentMaxT.merge(segment, maxT, Math::max);
                    }
                    case WalRecords.TOMBSTONES -> WalRecords.decodeTombstones(payload,
                            (id, minT, maxT) -> addHeadDeletion(id, minT, maxT));
                    default -> LOG.log(System.Logger.Level.WARNING, "unknown WAL record type {0} skipped [segment={1}]", type, segment);
                }
            } catch (IllegalArgumentException e) {
                walCorruptions++;
                LOG.log(System.Logger.Level.WARNING, "undecodable WAL record skipped [segment={0}]: {1}", segment, e.getMessage());
            }
        }, dir.resolve("quarantine"), fs);
        walCorruptions += r.corruptions();
        if (r.corruptions() > 0) {
            LOG.log(System.Logger.Level.WARNING, "WAL replay cut damaged data: {0}", r.message());
        }
        return r;
    }

    // ---- Storage ------------------------------------------------------------------------------

    @Override
    public Appender appender() {
        ensureOpen();
        return head.appender();
    }

    @Override
    public Querier querier() {
        ensureOpen();
        long stamp = head.pin();
        List<BlockRef> held = new ArrayList<>();
        try {
            List<SourceQuerier> sources = new ArrayList<>();
            blocksLock.readLock().lock();
            try {
                for (BlockRef b : blocks) {
                    if (!b.acquire()) throw new IllegalStateException("a listed block was already released: " + b.dir());
                    held.add(b);
                    sources.add(blockSource(b.block));
                }
                // Under the same lock as the block list: head compaction adds a block and only then
                // raises the head's read bound past it, so a querier that does not see the new block
                // still reads its range from the head. Taken after the lock, the bound could already
                // exclude a range whose block this querier does not hold (a transient gap).
                sources.add(headSource());
                // last: on a timestamp tie with an in-order sample, the out-of-order one is read
                if (head.oooSamples() > 0) sources.add(oooSource());
            } finally {
                blocksLock.readLock().unlock();
            }
            return new MergeQuerier(sources, () -> {
                head.unpin(stamp);
                for (BlockRef b : held) b.release();
            });
        } catch (RuntimeException e) {
            head.unpin(stamp);
            for (BlockRef b : held) b.release();
            throw e;
        }
    }

    private SourceQuerier blockSource(Block b) {
        BlockMeta m = b.meta();
        Tombstones tomb = b.tombstones();
        Deletions del = tomb.isEmpty() ? Deletions.NONE : ordinal -> {
            int from = tomb.intervalStart(ordinal), to = tomb.intervalEnd(ordinal);
            if (from == to) return null;
            long[] iv = new long[(to - from) * 2];
            for (int i = from; i < to; i++) {
                iv[(i - from) * 2] = tomb.intervalMinT(i);
                iv[(i - from) * 2 + 1] = tomb.intervalMaxT(i);
            }
            return Intervals.union(iv, new long[0]);
        };
        return new SourceQuerier(b.index(), b.chunks(), m.minT(), m.maxT() - 1, del, true,
                postingsCache.forBlock(m.ulid()));
    }

    private SourceQuerier headSource() {
        HeadReader r = head.reader();
        Deletions del = headDeletions.isEmpty() ? Deletions.NONE : ordinal -> headDeletions.get(head.seriesId(ordinal));
        return new SourceQuerier(r, r, head.minValidTimeForReads(), Long.MAX_VALUE, head.minTime(), head.maxTime(), del, false);
    }

    /** The head's out-of-order samples, not yet in blocks: any age, up to the head's newest sample. */
    private SourceQuerier oooSource() {
        OooHeadReader r = head.oooReader();
        Deletions del = headDeletions.isEmpty() ? Deletions.NONE : ordinal -> headDeletions.get(head.seriesId(ordinal));
        return new SourceQuerier(r, r, Long.MIN_VALUE, Long.MAX_VALUE, head.oooMinTime(), head.maxTime(), del, false);
    }

    @Override
    public void setOutOfOrderTimeWindow(long windowMs) {
        head.setOutOfOrderTimeWindow(windowMs);
    }

    @Override
    public long minTime() {
        // a head chunk may start before the newest block ends; the head serves only what follows it
        long min = head.minTime() == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(head.minTime(), head.minValidTimeForReads());
        min = Math.min(min, head.oooMinTime());
        for (BlockRef b : blocks) min = Math.min(min, b.block.meta().minT());
        return min;
    }

    @Override
    public long maxTime() {
        long max = head.maxTime();
        for (BlockRef b : blocks) max = Math.max(max, b.block.meta().maxT() - 1);
        return max;
    }

    // ---- deletion -----------------------------------------------------------------------------

    @Override
    public void deleteSeries(long minT, long maxT, Matcher... matchers) {
        ensureOpen();
        compactionLock.lock();
        try {
            for (BlockRef b : blocks) {
                BlockMeta m = b.block.meta();
                if (m.maxT() <= minT || m.minT() > maxT) continue;
                RoaringBitmap ords = PostingsForMatchers.resolve(b.block.index(), matchers);
                if (ords.isEmpty()) continue;
                Tombstones.Builder add = Tombstones.builder();
                for (int o : ords.toArray()) add.add(o, minT, maxT);
                b.block.writeTombstones(add.build());
            }
            long stamp = head.pin();
            RecordBuffer rec = new RecordBuffer();
            List<Long> ids = new ArrayList<>();
            try {
                HeadReader r = head.reader();
                RoaringBitmap ords = PostingsForMatchers.resolve(r, matchers);
                for (int o : ords.toArray()) {
                    long id = head.seriesId(o);
                    if (id != 0) ids.add(id);
                }
            } finally {
                head.unpin(stamp);
            }
            if (!ids.isEmpty()) {
                long[] idArr = ids.stream().mapToLong(Long::longValue).toArray();
                long[] mins = new long[idArr.length], maxs = new long[idArr.length];
                java.util.Arrays.fill(mins, minT);
                java.util.Arrays.fill(maxs, maxT);
                WalRecords.frameTombstones(rec, idArr, mins, maxs, idArr.length);
                synchronized (walLock) {
                    wal.log(rec.array(), 0, rec.length());
                }
                for (long id : idArr) addHeadDeletion(id, minT, maxT);
            }
        } finally {
            compactionLock.unlock();
        }
        notifyChanged(minT, maxT);
    }

    @Override
    public boolean addChangeListener(dev.vigil.tsdb.ChangeListener listener) {
        changeListeners.add(listener);
        // the head only calls out on commit once someone listens, so ingestion without a cache pays nothing
        head.setCommittedListener(this::notifyChanged);
        return true;
    }

    private void notifyChanged(long minT, long maxT) {
        for (dev.vigil.tsdb.ChangeListener l : changeListeners) l.dataChanged(minT, maxT);
    }

    private void addHeadDeletion(long id, long minT, long maxT) {
        headDeletions.merge(id, new long[] {minT, maxT}, Intervals::union);
    }

    @Override
    public void cleanTombstones() {
        ensureOpen();
        compactionLock.lock();
        try {
            for (BlockRef b : List.copyOf(blocks)) {
                if (b.block.tombstones().isEmpty()) continue;
                BlockMeta m = b.block.meta();
                // the same samples stay visible, but a cache keyed on "nothing changed" should not have to know that
                if (rewrite(List.of(b), m.minT(), m.maxT(), m.compaction().level())) notifyChanged(m.minT(), m.maxT() - 1);
            }
        } finally {
            compactionLock.unlock();
        }
    }

    // ---- compaction ---------------------------------------------------------------------------

    private void backgroundLoop() {
        while (!closed) {
            try {
                Thread.sleep(opts.backgroundIntervalMs());
            } catch (InterruptedException e) {
                return;
            }
            if (closed) return;
            try {
                compact();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "background compaction failed: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs whatever compaction is due (head to block, block merges) and retention. Called by the
     * background thread; tests call it directly.
     */
    public void compact() {
        ensureOpen();
        compactionLock.lock();
        try {
            compactHead();
            compactBlocks();
            applyRetention();
        } finally {
            compactionLock.unlock();
        }
    }

    private void compactHead() {
        long range = opts.blockRangeMs();
        while (!closed) {
            // chunks spanning the last block's end may hold older samples; they are not head data
            long hMin = Math.max(head.minTime(), head.minValidTimeForReads()), hMax = head.maxTime();
            if (hMin == Long.MAX_VALUE || hMax - hMin <= range / 2 * 3) return;
            long mint = Math.floorDiv(hMin, range) * range;
            long maxt = mint + range;
            try {
                BlockMeta meta = writeFromHead(dir, mint, maxt);
                if (meta != null) listNewBlock(meta);
            } catch (RuntimeException e) {
                compactionsFailed.incrementAndGet();
                LOG.log(System.Logger.Level.ERROR, "head compaction failed [minT={0}, maxT={1}]: {2}", mint, maxt, e.getMessage());
                return;
            }
            // before the head and the WAL let go of [.., maxt): out-of-order samples there are in no block yet
            if (!flushOutOfOrder(maxt)) return;
            head.truncate(maxt);
            headDeletions.replaceAll((id, iv) -> Intervals.dropBefore(iv, maxt));
            headDeletions.values().removeIf(iv -> iv.length == 0);
            truncateWal(maxt);
        }
    }

    /** Opens a block just written under the data directory and lists it for queriers. */
    private void listNewBlock(BlockMeta meta) {
        Path p = dir.resolve(meta.ulid());
        BlockRef fresh = new BlockRef(Block.open(p, fs), p, fs);
        blocksLock.writeLock().lock();
        try {
            blocks.add(fresh);
            sortBlocks();
        } finally {
            blocksLock.writeLock().unlock();
        }
        compactions.incrementAndGet();
    }

    /**
     * Writes the head's out-of-order samples older than {@code before} to blocks, one per block range
     * they fall in, and then takes exactly those out of the head (samples that arrive meanwhile stay
     * for the next flush). The blocks overlap the in-order ones; {@link #compactBlocks} merges them.
     * False when a block could not be written: the head keeps everything then.
     */
    private boolean flushOutOfOrder(long before) {
        if (head.oooSamples() == 0) return true;
        OooSnapshot snap = head.snapshotOoo(before);
        if (snap.isEmpty()) return true;
        long range = opts.blockRangeMs();
        try {
            for (BlockMeta meta : writeOutOfOrder(dir, snap, range)) listNewBlock(meta);
        } catch (RuntimeException e) {
            compactionsFailed.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "out-of-order head compaction failed [before={0}]: {1}", before, e.getMessage());
            return false;
        }
        head.removeFlushedOoo(snap);
        return true;
    }

    /** Writes {@code snap} under {@code parent} as blocks of aligned {@code range}s, minus head deletions. */
    private List<BlockMeta> writeOutOfOrder(Path parent, OooSnapshot snap, long range) {
        java.util.TreeSet<Long> starts = new java.util.TreeSet<>();
        for (OooSnapshot.Series e : snap.series()) {
            long last = Long.MIN_VALUE;
            for (long t : e.t()) {
                long r = Math.floorDiv(t, range) * range;
                if (r != last) starts.add(last = r);
            }
        }
        List<BlockMeta> written = new ArrayList<>();
        for (long r : starts) {
            BlockMeta meta = BlockWriter.write(parent, r, r + range, new OooSeriesSource(snap, r, r + range, headDeletions),
                    1, List.of(), fs, BLOCK_ENCODING);
            if (meta != null) written.add(meta);
        }
        return written;
    }

    /** Writes the head's samples in [mint, maxt) as a block under {@code parent}; null when empty. */
    private BlockMeta writeFromHead(Path parent, long mint, long maxt) {
        long stamp = head.pin();
        try {
            SourceQuerier q = headSource();
            SeriesSet set = q.select(mint, maxt - 1, SelectHints.DEFAULT);
            return BlockWriter.write(parent, mint, maxt, source(set), 1, List.of(), fs, BLOCK_ENCODING);
        } finally {
            head.unpin(stamp);
        }
    }

    private static SeriesSource source(SeriesSet set) {
        return new SeriesSource() {
            private SampleIterator it;

            @Override
            public boolean next() {
                return set.next();
            }

            @Override
            public Labels labels() {
                return set.labels();
            }

            @Override
            public SampleIterator samples() {
                it = set.iterator(it);
                return it;
            }
        };
    }

    private void truncateWal(long beforeT) {
        synchronized (walLock) {
            int current = wal.nextSegment();
            int firstKept = current;
            for (var e : segmentMaxT.headMap(current).entrySet()) {
                if (e.getValue() >= beforeT) {
                    firstKept = e.getKey();
                    break;
                }
            }
            if (firstKept > 0) {
                wal.truncateBefore(firstKept);
                segmentMaxT.headMap(firstKept).clear();
                walTruncations.incrementAndGet();
            }
            // deletions still in force must outlive the segments that recorded them
            if (!headDeletions.isEmpty()) {
                RecordBuffer rec = new RecordBuffer();
                for (var e : headDeletions.entrySet()) {
                    long[] iv = e.getValue();
                    for (int i = 0; i < iv.length; i += 2) {
                        WalRecords.frameTombstones(rec, new long[] {e.getKey()}, new long[] {iv[i]}, new long[] {iv[i + 1]}, 1);
                    }
                }
                wal.log(rec.array(), 0, rec.length());
            }
        }
    }

    private void compactBlocks() {
        while (!closed) {
            List<BlockRef> plan = plan();
            if (plan.isEmpty()) return;
            long minT = Long.MAX_VALUE, maxT = Long.MIN_VALUE;
            int level = 0;
            for (BlockRef b : plan) {
                minT = Math.min(minT, b.block.meta().minT());
                maxT = Math.max(maxT, b.block.meta().maxT());
                level = Math.max(level, b.block.meta().compaction().level());
            }
            if (!rewrite(plan, minT, maxT, level + 1)) return;
        }
    }

    /** Merges {@code from} into one new block over [minT, maxT) and retires them; false on failure. */
    private boolean rewrite(List<BlockRef> from, long minT, long maxT, int level) {
        List<SourceQuerier> sources = new ArrayList<>();
        List<BlockMeta> parents = new ArrayList<>();
        for (BlockRef b : from) {
            sources.add(blockSource(b.block));
            parents.add(b.block.meta());
        }
        try (MergeQuerier q = new MergeQuerier(sources, () -> {})) {
            SeriesSet set = q.select(minT, maxT - 1, SelectHints.DEFAULT);
            BlockMeta meta = BlockWriter.write(dir, minT, maxT, source(set), level, parents, fs, BLOCK_ENCODING);
            Path p = dir.resolve(meta.ulid());
            BlockRef fresh = new BlockRef(Block.open(p, fs), p, fs);
            blocksLock.writeLock().lock();
            try {
                blocks.add(fresh);
                blocks.removeAll(from);
                sortBlocks();
                for (BlockRef b : from) b.retire(true);
            } finally {
                blocksLock.writeLock().unlock();
            }
            compactions.incrementAndGet();
            return true;
        } catch (RuntimeException e) {
            compactionsFailed.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "block compaction failed [minT={0}, maxT={1}]: {2}", minT, maxT, e.getMessage());
            return false;
        }
    }

    /** Overlapping blocks first; then runs of blocks that fill an aligned range 3x, 9x, ... the block range. */
    private List<BlockRef> plan() {
        List<BlockRef> bs = new ArrayList<>(blocks);
        if (bs.size() < 2) return List.of();
        for (int i = 1; i < bs.size(); i++) {
            if (bs.get(i).block.meta().minT() < bs.get(i - 1).block.meta().maxT()) {
                return List.of(bs.get(i - 1), bs.get(i));
            }
        }
        long newest = bs.get(bs.size() - 1).block.meta().maxT();
        for (long r = opts.blockRangeMs() * 3; r <= opts.maxBlockRangeMs(); r *= 3) {
            List<BlockRef> group = new ArrayList<>();
            long window = Long.MIN_VALUE;
            for (BlockRef b : bs) {
                BlockMeta m = b.block.meta();
                long w = Math.floorDiv(m.minT(), r) * r;
                if (w != window) {
                    if (group.size() > 1 && window + r <= newest) return group;
                    group = new ArrayList<>();
                    window = w;
                }
                if (m.maxT() <= w + r && m.maxT() - m.minT() < r) group.add(b);
            }
            if (group.size() > 1 && window + r <= newest) return group;
        }
        return List.of();
    }

    private void applyRetention() {
        long retentionMs = this.retentionMs, retentionBytes = this.retentionBytes;
        if (retentionMs > 0) {
            long newest = maxTime();
            for (BlockRef b : List.copyOf(blocks)) {
                if (b.block.meta().maxT() <= newest - retentionMs) {
                    dropBlock(b, "time");
                }
            }
        }
        if (retentionBytes > 0) {
            long total = storageBytes();
            while (total > retentionBytes && !blocks.isEmpty()) {
                BlockRef oldest = blocks.get(0);
                long size = oldest.block.sizeBytes();
                dropBlock(oldest, "size");
                total -= size;
            }
        }
    }

    @Override
    public void setRetention(long retentionMs, long retentionBytes) {
        if (retentionMs < 0 || retentionBytes < 0) throw new IllegalArgumentException("negative retention");
        this.retentionMs = retentionMs;
        this.retentionBytes = retentionBytes;
    }

    private void dropBlock(BlockRef b, String why) {
        blocksLock.writeLock().lock();
        try {
            blocks.remove(b);
            b.retire(true);
        } finally {
            blocksLock.writeLock().unlock();
        }
        LOG.log(System.Logger.Level.INFO, "retention ({0}) deletes block [ulid={1}]", why, b.block.meta().ulid());
        retentionDeleted.incrementAndGet();
        notifyChanged(b.block.meta().minT(), b.block.meta().maxT() - 1);
    }

    /** Bytes under the data directory, the figure size retention caps (retired blocks excluded). */
    private long storageBytes() {
        long total = 0;
        try (DirectoryStream<Path> ds = fs.list(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (n.endsWith(".deleted") || n.equals("quarantine")) continue;
                total += fs.sizeOf(p);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot size data directory: {0}", e.getMessage());
        }
        return total;
    }

    // ---- snapshot, stats, close -----------------------------------------------------------------

    @Override
    public Path snapshot(Path target, boolean withHead) {
        ensureOpen();
        compactionLock.lock();
        try {
            if (Files.exists(target)) throw StorageException.of("snapshot target exists [dir=" + target + "]");
            fs.createDirectories(target);
            for (BlockRef b : blocks) {
                Path src = b.dir();
                Path dst = target.resolve(src.getFileName());
                try (var walk = Files.walk(src)) {
                    for (Path p : (Iterable<Path>) walk::iterator) {
                        Path q = dst.resolve(src.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(q);
                        } else if (p.getFileName().toString().equals("tombstones") || p.getFileName().toString().equals("meta.json")) {
                            Files.copy(p, q); // may be rewritten in place later: copy, not link
                        } else {
                            Files.createLink(q, p); // immutable: a hard link is a consistent copy
                        }
                    }
                }
            }
            if (withHead && head.maxTime() != Long.MIN_VALUE) {
                long from = Math.max(head.minTime(), head.minValidTimeForReads());
                writeFromHead(target, from, head.maxTime() + 1);
                writeOutOfOrder(target, head.snapshotOoo(Long.MAX_VALUE), opts.blockRangeMs());
            }
            return target;
        } catch (IOException e) {
            throw StorageException.io("snapshot failed [dir=" + target + "]", e);
        } finally {
            compactionLock.unlock();
        }
    }

    @Override
    public StorageStats stats() {
        List<StorageStats.BlockInfo> infos = new ArrayList<>();
        for (BlockRef b : blocks) {
            BlockMeta m = b.block.meta();
            infos.add(new StorageStats.BlockInfo(m.ulid(), m.minT(), m.maxT(), m.stats().numSeries(), m.stats().numSamples(),
                    m.stats().numChunks(), m.compaction().level(), b.block.sizeBytes()));
        }
        return new StorageStats(head.numSeries(), head.chunks(), head.chunksCreated(), head.minTime(), head.maxTime(),
                head.samplesAppended(), head.seriesCreated(), head.seriesRemoved(), head.rejectedByReason(),
                walCorruptions, walTruncations.get(), compactions.get(), compactionsFailed.get(), infos,
                quarantined.get() + head.chunkFiles().dropped(), retentionDeleted.get(), storageBytes(), head.appendFailures(),
                head.oooSamplesAppended(), head.oooSamples());
    }

    /** What start-up replay found (for logs and the WAL replay status). */
    public ReplayResult replayResult() {
        return replay;
    }

    PostingsCache postingsCacheForTests() {
        return postingsCache;
    }

    public Head head() {
        return head;
    }

    public Path dir() {
        return dir;
    }

    /** The WAL's segment directory, for readers that tail it (read-only) such as the remote-write sender. */
    public Path walDir() {
        return dir.resolve("wal");
    }

    /** The labels of a live head series by ref, or null; see {@link Head#labelsOf}. */
    public Labels seriesLabels(long ref) {
        return head.labelsOf(ref);
    }

    private void ensureOpen() {
        if (closed) throw StorageException.of("storage is closed [dir=" + dir + "]");
    }

    @Override
    public void close() {
        if (closed) return;
        compactionLock.lock();
        try {
            closed = true;
            if (background != null) background.interrupt();
            boolean sealed = false;
            try {
                head.sealAll();
                sealed = true;
            } catch (StorageException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot seal open chunks at shutdown, the WAL will be replayed: {0}", e.getMessage());
            }
            synchronized (walLock) {
                wal.close();
            }
            // out-of-order samples live only in memory and the WAL: the next start must replay it
            boolean ooo = head.oooSamples() > 0;
            head.close();
            for (BlockRef b : blocks) b.release();
            blocks.clear();
            if (sealed && !ooo) writeCleanMarker();
        } finally {
            compactionLock.unlock();
            releaseLock();
        }
    }

    private void writeCleanMarker() {
        try {
            StringBuilder sb = new StringBuilder("vigil-clean-shutdown 1\n");
            String[] last = lastWalSegment();
            if (last != null) sb.append("wal ").append(last[0]).append(' ').append(last[1]).append('\n');
            segmentMaxT.forEach((seg, t) -> sb.append("seg ").append(seg).append(' ').append(t).append('\n'));
            headDeletions.forEach((id, iv) -> {
                for (int i = 0; i < iv.length; i += 2) {
                    sb.append("del ").append(id).append(' ').append(iv[i]).append(' ').append(iv[i + 1]).append('\n');
                }
            });
            Path tmp = dir.resolve(CLEAN_MARKER + ".tmp");
            Files.writeString(tmp, sb);
            try (FileChannel ch = fs.open(tmp, StandardOpenOption.WRITE)) {
                fs.force(ch);
            }
            fs.move(tmp, dir.resolve(CLEAN_MARKER));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write clean-shutdown marker: {0}", e.getMessage());
        }
    }

    private void releaseLock() {
        try {
            if (lock != null && lock.isValid()) lock.release();
            lockChannel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot release data directory lock: {0}", e.getMessage());
        }
    }
}
