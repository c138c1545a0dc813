package dev.vigil.ingest.remotewrite;

import dev.vigil.ingest.config.RemoteWriteConfig;
import dev.vigil.ingest.discovery.HttpClients;
import dev.vigil.ingest.relabel.Relabel;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.wal.SampleBatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import dev.vigil.ingest.scrape.MetricMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;

/**
 * The durable queue of one {@code remote_write} entry: a reader thread tails Vigil's WAL and
 * routes each sample, by series hash, to one of N shards; each shard batches and sends
 * snappy-compressed remote-write requests, retrying with exponential backoff.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>The WAL is the queue.</b> Nothing is buffered but what the shards hold (at most
 *   {@code capacity} samples each). When the remote is down, shards fill, the reader blocks, and
 *   the backlog stays on disk in the WAL: an outage costs no memory, and what is lost is only
 *   what WAL truncation (head compaction) deletes before it is read.</li>
 *   <li><b>Resume position.</b> A sample carries the start of its WAL record. A shard's oldest
 *   unacknowledged sample bounds what may be persisted; the position written (after every
 *   acknowledged batch, to {@code <data>/remote_write/<name>.position}) is the minimum of those
 *   and the reader's position. After a restart the queue resends from there: at least once, a
 *   record may be sent twice, never skipped.</li>
 *   <li><b>Series labels.</b> At start the reader reads the whole WAL for series records (samples
 *   before the resume position are skipped); a ref still unknown is resolved by the storage (a
 *   restarted head logs no series record for series it already knew).</li>
 *   <li><b>Order.</b> One series always maps to one shard, and a shard sends in WAL order, so a
 *   receiver never sees a series' samples out of order.</li>
 *   <li><b>Resharding.</b> Every {@link #reshardIntervalNanos} (10 s) the reader compares how long it
 *   waited for full shards: mostly blocked (and not in an outage) doubles the shards up to
 *   {@code max_shards}; idle shards shrink by one down to {@code min_shards}. Resharding drains the
 *   shards first, so order per series is kept.</li>
 * </ul>
 */
final class RemoteQueue implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RemoteQueue.class.getName());
    static final String USER_AGENT = "Vigil/remote-write";
    /** How often the shard count is reconsidered; tests shorten it. */
    static volatile long reshardIntervalNanos = TimeUnit.SECONDS.toNanos(10);
    private static final long POLL_MS = 20;
    private static final int STAGE = 256;

    final String name;
    final RemoteWriteConfig config;
    final Labels externalLabels;
    private final Path walDir;
    private final Path positionFile;
    private final LongFunction<Labels> resolver;
    private final HttpClient client;
    private final URI uri;
    private final boolean v2;
    private final String staticAuthorization;
    private final RemoteWriteConfig.QueueConfig q;

    private final RefMap refs = new RefMap();
    private volatile Shard[] shards;
    private volatile boolean running = true;
    private volatile boolean failed429Warned;
    private Thread reader;
    private WalTailer tailer;
    private long skipUntil; // samples of records ending at or before this packed position were sent before
    private final long startMs = System.currentTimeMillis();

    private final Object positionLock = new Object();
    private long persisted = -1; // guarded by positionLock

    final LongAdder sent = new LongAdder();
    final LongAdder failedSamples = new LongAdder();
    final LongAdder retried = new LongAdder();
    final LongAdder dropped = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final AtomicLong newestSentT = new AtomicLong(Long.MIN_VALUE);
    final LongAdder metadataSent = new LongAdder();
    final LongAdder metadataFailed = new LongAdder();
    final LongAdder metadataRetried = new LongAdder();
    private volatile Supplier<Map<String, MetricMetadata>> metadataSource;
    private Thread metadataSender;
    private volatile String lastError = "";
    private long blockedNanos; // reader only: time spent waiting for a full shard since the last reshard check

    RemoteQueue(String name, RemoteWriteConfig config, Labels externalLabels, Path walDir, Path positionDir,
            LongFunction<Labels> resolver) {
        this.name = name;
        this.config = config;
        this.externalLabels = externalLabels;
        this.walDir = walDir;
        this.positionFile = positionDir.resolve(name + ".position");
        this.resolver = resolver;
        this.q = config.queue();
        this.uri = URI.create(config.url());
        this.v2 = RemoteWriteConfig.WRITE_V2.equals(config.protobufMessage());
        // Remote write speaks HTTP/1.1 unless enable_http2 (HttpClientConfig's default is false for it)
        this.client = HttpClients.build(config.http(), config.remoteTimeoutMs(), true);
        try {
            this.staticAuthorization = HttpClients.readsFiles(config.http()) ? null : HttpClients.authorization(config.http());
        } catch (IOException e) {
            throw new IllegalArgumentException("remote_write " + name + ": " + e.getMessage(), e);
        }
    }

    /** Reads the persisted position and starts the reader and the shards. */
    void start() throws IOException {
        Files.createDirectories(positionFile.getParent());
        long saved = readPosition();
        int first = WalTailer.firstSegment(walDir);
        int startSegment;
        if (saved >= 0) {
            persisted = saved;
            skipUntil = saved;
            // Read from the oldest segment to learn series labels; when the saved segment is
            // already gone, start there so that the tailer counts the gap.
            startSegment = first >= 0 && WalTailer.segmentOf(saved) >= first ? first : WalTailer.segmentOf(saved);
        } else {
            // A new remote forwards what is written from now on, as Prometheus does: the WAL's
            // past is read only for its series records.
            long end = WalTailer.endOf(walDir);
            skipUntil = Math.max(0, end);
            startSegment = Math.max(0, first);
        }
        tailer = new WalTailer(walDir, startSegment, 0);
        Shard[] s = new Shard[Math.max(1, q.minShards())];
        for (int i = 0; i < s.length; i++) s[i] = new Shard(i);
        shards = s;
        reader = Thread.ofPlatform().daemon().name("vigil-remote-write-" + name).start(this::readLoop);
        RemoteWriteConfig.MetadataConfig md = config.metadata();
        // 2.0 carries metadata per series; metadata_config is the 1.0 protocol's periodic send
        if (!v2 && md.send() && md.sendIntervalMs() > 0) {
            metadataSender = Thread.ofPlatform().daemon().name("vigil-remote-write-metadata-" + name).start(this::metadataLoop);
        }
    }

    /** Where the metric metadata to send comes from: the scrape targets', by family name. */
    void setMetadataSource(Supplier<Map<String, MetricMetadata>> source) {
        metadataSource = source;
    }

    // ---- metadata ------------------------------------------------------------------------------

    /** Every send_interval, all families' metadata in requests of at most max_samples_per_send entries. */
    private void metadataLoop() {
        RemoteWriteConfig.MetadataConfig md = config.metadata();
        RequestEncoder enc = new RequestEncoder(false);
        while (running) {
            if (!sleep(md.sendIntervalMs())) return;
            Supplier<Map<String, MetricMetadata>> source = metadataSource;
            if (source == null) continue;
            List<Map.Entry<String, MetricMetadata>> all;
            try {
                all = new ArrayList<>(source.get().entrySet());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "remote_write {0}: reading metadata failed: {1}", name, e.toString());
                continue;
            }
            int per = Math.max(1, md.maxSamplesPerSend());
            for (int i = 0; i < all.size() && running; i += per) {
                List<Map.Entry<String, MetricMetadata>> batch = all.subList(i, Math.min(all.size(), i + per));
                try {
                    enc.encodeMetadata(batch);
                } catch (IOException e) {
                    metadataFailed.add(batch.size());
                    continue;
                }
                if (!postMetadata(enc, batch.size())) return;
            }
        }
    }

    /** Sends one metadata request: 5xx and network errors retried with backoff, 4xx dropped and counted. */
    private boolean postMetadata(RequestEncoder enc, int n) {
        long backoff = Math.max(1, q.minBackoffMs());
        while (running) {
            int status;
            try {
                status = client.send(request(enc), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (status >= 200 && status < 300) {
                metadataSent.add(n);
                return true;
            }
            if (!(status < 0 || status >= 500 || (status == 429 && q.retryOnHttp429()))) {
                metadataFailed.add(n);
                return true;
            }
            metadataRetried.add(n);
            if (!sleep(backoff)) return false;
            backoff = Math.min(backoff * 2, Math.max(q.minBackoffMs(), q.maxBackoffMs()));
        }
        return false;
    }

    // ---- reading -------------------------------------------------------------------------------

    private final WalTailer.Sink sink = new WalTailer.Sink() {
        @Override
        public void series(long ref, Labels labels) {
            refs.put(ref, entryFor(labels));
        }

        @Override
        public void samples(SampleBatch batch, long recordStart, long recordEnd) {
            if (recordEnd <= skipUntil) return;
            long[] ids = batch.ids();
            long[] ts = batch.ts();
            double[] vs = batch.vs();
            Shard[] sh = shards;
            // queue_config.sample_age_limit: after a long outage, samples older than this are not worth sending
            long minT = q.sampleAgeLimitMs() > 0 ? System.currentTimeMillis() - q.sampleAgeLimitMs() : Long.MIN_VALUE;
            for (int i = 0; i < batch.size(); i++) {
                if (ts[i] < minT) {
                    dropped.increment();
                    continue;
                }
                SeriesEntry e = refs.get(ids[i]);
                if (e == null) {
                    Labels l = resolver.apply(ids[i]);
                    e = l == null ? null : entryFor(l);
                    if (e != null) refs.put(ids[i], e);
                }
                if (e == null || e == SeriesEntry.DROPPED) {
                    dropped.increment();
                    continue;
                }
                Shard s = sh[(int) Long.remainderUnsigned(e.hash, sh.length)];
                if (!s.stage(e, ts[i], vs[i], recordStart)) return; // closing
            }
            for (Shard s : sh) {
                if (!s.flushStage()) return;
            }
        }
    };

    /** External labels (those the series does not have) then write relabeling, as Prometheus does. */
    SeriesEntry entryFor(Labels labels) {
        Labels l = labels;
        if (!externalLabels.isEmpty()) {
            Labels.Builder b = null;
            for (int i = 0; i < externalLabels.size(); i++) {
                if (!l.has(externalLabels.name(i))) {
                    if (b == null) b = l.toBuilder();
                    b.set(externalLabels.name(i), externalLabels.value(i));
                }
            }
            if (b != null) l = b.build();
        }
        if (!config.writeRelabelConfigs().isEmpty()) {
            try {
                l = Relabel.process(l, config.writeRelabelConfigs());
            } catch (IllegalArgumentException e) {
                l = null;
            }
            if (l == null || l.isEmpty()) return SeriesEntry.DROPPED;
        }
        return new SeriesEntry(l);
    }

    private void readLoop() {
        long lastCheck = System.nanoTime();
        try {
            while (running) {
                int n;
                try {
                    n = tailer.poll(sink, 16); // few records per call: the reshard check runs between calls
                } catch (IOException e) {
                    lastError = "wal: " + e.getMessage();
                    LOG.log(System.Logger.Level.WARNING, "remote_write {0}: reading the WAL failed: {1}", name, e.getMessage());
                    sleep(1000);
                    continue;
                }
                if (n == 0) {
                    persistPosition();
                    sleep(POLL_MS);
                }
                long now = System.nanoTime();
                if (now - lastCheck >= reshardIntervalNanos) {
                    maybeReshard(now - lastCheck);
                    lastCheck = System.nanoTime();
                }
            }
        } finally {
            try {
                tailer.close();
            } catch (IOException ignored) {
                // read-only file: nothing to lose
            }
        }
    }

    private void maybeReshard(long intervalNanos) {
        Shard[] sh = shards;
        int n = sh.length;
        double blocked = (double) blockedNanos / intervalNanos;
        blockedNanos = 0;
        boolean failing = !lastError.isEmpty() && newestAckNanos() < System.nanoTime() - intervalNanos;
        int desired = n;
        if (blocked > 0.5 && !failing) desired = Math.min(Math.max(1, q.maxShards()), n * 2);
        else if (blocked == 0 && pending() < (long) n * q.maxSamplesPerSend() / 2) desired = Math.max(Math.max(1, q.minShards()), n - 1);
        if (desired == n) return;
        for (Shard s : sh) s.drain();
        if (!running) return;
        for (Shard s : sh) s.stop();
        Shard[] next = new Shard[desired];
        for (int i = 0; i < desired; i++) next[i] = new Shard(i);
        shards = next;
        LOG.log(System.Logger.Level.INFO, "remote_write {0}: resharding from {1} to {2} shards", name, n, desired);
    }

    private volatile long lastAckNanos = System.nanoTime();

    private long newestAckNanos() {
        return lastAckNanos;
    }

    // ---- position ------------------------------------------------------------------------------

    /** Writes the resume position when it moved: the reader's, or the oldest unacknowledged sample's. */
    void persistPosition() {
        long safe = tailer.position(); // read first: samples it covers are in the shards by now
        for (Shard s : shards) safe = Math.min(safe, s.firstPos);
        synchronized (positionLock) {
            if (safe <= persisted || !running) return;
            try {
                Path tmp = positionFile.resolveSibling(positionFile.getFileName() + ".tmp");
                // No fsync: a position lost to a power cut only means resending, never losing.
                Files.writeString(tmp, WalTailer.segmentOf(safe) + " " + WalTailer.offsetOf(safe) + "\n");
                Files.move(tmp, positionFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                persisted = safe;
            } catch (IOException e) {
                lastError = "position: " + e.getMessage();
            }
        }
    }

    private long readPosition() {
        try {
            String[] f = Files.readString(positionFile).trim().split(" ");
            return WalTailer.pos(Integer.parseInt(f[0]), Long.parseLong(f[1]));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---- sending -------------------------------------------------------------------------------

    /**
     * Sends one batch until it is acknowledged or refused for good.
     *
     * @return false when the queue closed before that (the batch stays unacknowledged)
     */
    private boolean send(RequestEncoder enc, SeriesEntry[] s, long[] ts, double[] vs, int n) {
        try {
            enc.encode(s, ts, vs, n);
        } catch (IOException e) {
            lastError = "encode: " + e.getMessage();
            failedSamples.add(n);
            return true;
        }
        long backoff = Math.max(1, q.minBackoffMs());
        while (running) {
            int status;
            String why;
            long retryAfterMs = 0;
            try {
                HttpResponse<byte[]> r = client.send(request(enc), HttpResponse.BodyHandlers.ofByteArray());
                status = r.statusCode();
                why = status + " " + new String(r.body(), 0, Math.min(r.body().length, 256), StandardCharsets.UTF_8).trim();
                retryAfterMs = r.headers().firstValue("Retry-After").map(RemoteQueue::retryAfterMs).orElse(0L);
            } catch (IOException e) {
                status = -1;
                why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (status >= 200 && status < 300) {
                sent.add(n);
                bytesSent.add(enc.bodyLength());
                long maxT = Long.MIN_VALUE;
                for (int i = 0; i < n; i++) maxT = Math.max(maxT, ts[i]);
                long m = maxT;
                newestSentT.accumulateAndGet(m, Math::max);
                lastAckNanos = System.nanoTime();
                lastError = "";
                return true;
            }
            boolean retry = status < 0 || status >= 500 || (status == 429 && q.retryOnHttp429());
            lastError = why;
            if (!retry) {
                // A 4xx will not get better by resending: drop the batch, count it, move on.
                failedSamples.add(n);
                if (status == 429 && !failed429Warned) {
                    failed429Warned = true;
                    LOG.log(System.Logger.Level.WARNING, "remote_write {0}: 429 dropped; set queue_config.retry_on_http_429 to retry", name);
                }
                LOG.log(System.Logger.Level.WARNING, "remote_write {0}: {1} samples refused: {2}", name, n, why);
                return true;
            }
            retried.add(n);
            long wait = Math.max(backoff, retryAfterMs);
            if (!sleep(wait)) return false;
            backoff = Math.min(backoff * 2, Math.max(q.minBackoffMs(), q.maxBackoffMs()));
        }
        return false;
    }

    private HttpRequest request(RequestEncoder enc) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMillis(Math.max(1, config.remoteTimeoutMs())))
                .header("Content-Encoding", "snappy")
                .header("Content-Type", v2 ? "application/x-protobuf;proto=io.prometheus.write.v2.Request" : "application/x-protobuf")
                .header("X-Prometheus-Remote-Write-Version", v2 ? "2.0.0" : "0.1.0")
                .header("User-Agent", USER_AGENT);
        for (Map.Entry<String, String> h : config.headers().entrySet()) b.header(h.getKey(), h.getValue());
        String auth = staticAuthorization != null ? staticAuthorization
                : HttpClients.readsFiles(config.http()) ? HttpClients.authorization(config.http()) : null;
        if (auth != null) b.header("Authorization", auth);
        for (String[] h : HttpClients.headers(config.http())) b.header(h[0], h[1]);
        return b.POST(HttpRequest.BodyPublishers.ofByteArray(enc.body(), 0, enc.bodyLength())).build();
    }

    static long retryAfterMs(String v) {
        try {
            return Math.min(TimeUnit.MINUTES.toMillis(5), Long.parseLong(v.trim()) * 1000);
        } catch (NumberFormatException e) {
            return 0; // an HTTP date: fall back to our own backoff
        }
    }

    private boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return running;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- stats and lifecycle -------------------------------------------------------------------

    long pending() {
        long p = 0;
        for (Shard s : shards) p += s.count;
        return p;
    }

    RemoteWriteStats stats() {
        long pending = pending();
        long backlog = tailer == null ? 0 : tailer.bytesBehind();
        double lag = 0;
        if (pending > 0 || backlog > 0) {
            long newest = newestSentT.get();
            long ref = newest == Long.MIN_VALUE ? startMs : newest;
            lag = Math.max(0, System.currentTimeMillis() - ref) / 1000.0;
        }
        long p;
        synchronized (positionLock) {
            p = Math.max(persisted, 0);
        }
        return new RemoteWriteStats(name, config.url(), shards.length, sent.sum(), failedSamples.sum(), retried.sum(),
                dropped.sum(), pending, backlog, lag, bytesSent.sum(), tailer == null ? 0 : tailer.segmentsSkipped(),
                WalTailer.segmentOf(p), WalTailer.offsetOf(p), lastError, metadataSent.sum(), metadataFailed.sum(),
                metadataRetried.sum());
    }

    /**
     * Stops at once, without flushing: what was not acknowledged is resent from the persisted
     * position by the next start, so a close is no different from a crash for the remote.
     */
    @Override
    public void close() {
        running = false;
        Shard[] sh = shards;
        if (sh != null) for (Shard s : sh) s.stop();
        if (metadataSender != null) metadataSender.interrupt();
        if (reader != null) {
            reader.interrupt();
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // shutdownNow, not close: close waits for in-flight requests, up to remote_timeout against a hanging receiver
        client.shutdownNow();
    }

    /** A bounded ring of samples with one sender thread; samples stay in the ring until acknowledged. */
    final class Shard {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition();
        private final Condition notFull = lock.newCondition();
        private final int capacity = Math.max(q.capacity(), q.maxSamplesPerSend());
        private final SeriesEntry[] series = new SeriesEntry[capacity];
        private final long[] ts = new long[capacity];
        private final double[] vs = new double[capacity];
        private final long[] pos = new long[capacity];
        private int head;
        volatile int count;
        /** WAL position of the oldest unacknowledged sample, or Long.MAX_VALUE when empty. */
        volatile long firstPos = Long.MAX_VALUE;
        private long firstNanos;
        private boolean flush;
        private volatile boolean stopped;
        private final Thread thread;

        Shard(int index) {
            thread = Thread.ofVirtual().name("vigil-remote-write-" + name + "-shard-" + index).start(this::run);
        }

        // Reader-only staging: samples are moved into the ring in runs, one lock per run rather
        // than per sample. Staged samples are not covered by the persisted position: the reader's
        // position stays at the record's start until the record is flushed.
        private final SeriesEntry[] stageSeries = new SeriesEntry[STAGE];
        private final long[] stageTs = new long[STAGE];
        private final double[] stageVs = new double[STAGE];
        private final long[] stagePos = new long[STAGE];
        private int staged;

        /** Stages a sample for {@link #flushStage}; false when the queue closed meanwhile. */
        boolean stage(SeriesEntry e, long t, double v, long recordStart) {
            stageSeries[staged] = e;
            stageTs[staged] = t;
            stageVs[staged] = v;
            stagePos[staged] = recordStart;
            return ++staged < STAGE || flushStage();
        }

        /** Moves the staged samples into the ring; blocks while it is full. False when the queue closed meanwhile. */
        boolean flushStage() {
            if (staged == 0) return true;
            lock.lock();
            try {
                for (int k = 0; k < staged; k++) {
                    if (count == capacity) {
                        notEmpty.signal();
                        long t0 = System.nanoTime();
                        while (count == capacity && running && !stopped) notFull.await(100, TimeUnit.MILLISECONDS);
                        blockedNanos += System.nanoTime() - t0;
                        if (!running || stopped) return false;
                    }
                    int i = (head + count) % capacity;
                    series[i] = stageSeries[k];
                    ts[i] = stageTs[k];
                    vs[i] = stageVs[k];
                    pos[i] = stagePos[k];
                    if (count == 0) {
                        firstNanos = System.nanoTime();
                        firstPos = stagePos[k];
                    }
                    count++;
                }
                // the first samples start the batch deadline; a full batch goes at once
                notEmpty.signal();
                return true;
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return false;
            } finally {
                java.util.Arrays.fill(stageSeries, 0, staged, null);
                staged = 0;
                lock.unlock();
            }
        }

        /** Sends what is queued without waiting for the batch deadline, and waits until it is acknowledged. */
        void drain() {
            lock.lock();
            try {
                flush = true;
                notEmpty.signal();
                while (count > 0 && running && !stopped) notFull.await(100, TimeUnit.MILLISECONDS);
                flush = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        }

        void stop() {
            stopped = true;
            thread.interrupt();
        }

        private void run() {
            int max = Math.max(1, q.maxSamplesPerSend());
            SeriesEntry[] bs = new SeriesEntry[max];
            long[] bt = new long[max];
            double[] bv = new double[max];
            RequestEncoder enc = new RequestEncoder(v2);
            long deadlineNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(1, q.batchSendDeadlineMs()));
            while (running && !stopped) {
                int n;
                lock.lock();
                try {
                    while (true) {
                        if (!running || stopped) return;
                        long waited = System.nanoTime() - firstNanos;
                        if (count >= max || (count > 0 && (flush || waited >= deadlineNanos))) break;
                        if (count == 0) notEmpty.await();
                        else notEmpty.awaitNanos(deadlineNanos - waited);
                    }
                    n = Math.min(count, max);
                    for (int k = 0; k < n; k++) {
                        int i = (head + k) % capacity;
                        bs[k] = series[i];
                        bt[k] = ts[i];
                        bv[k] = vs[i];
                    }
                } catch (InterruptedException e) {
                    return;
                } finally {
                    lock.unlock();
                }
                if (!send(enc, bs, bt, bv, n)) return;
                lock.lock();
                try {
                    for (int k = 0; k < n; k++) series[(head + k) % capacity] = null;
                    head = (head + n) % capacity;
                    count -= n;
                    firstPos = count > 0 ? pos[head] : Long.MAX_VALUE;
                    firstNanos = System.nanoTime();
                    notFull.signalAll();
                } finally {
                    lock.unlock();
                }
                persistPosition();
            }
        }
    }
}
