package dev.vigil.tsdb.head;

import dev.vigil.tsdb.AppendStatus;
import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.wal.RecordBuffer;
import dev.vigil.tsdb.wal.WalRecords;
import java.util.Arrays;

/**
 * A batch of samples for the head. Samples are buffered in primitive arrays; {@link #commit()}
 * frames them (plus a series record for series this batch created) into one WAL write, then
 * applies them under each series' monitor. Pooled by the head: after commit or rollback the
 * instance must not be used again by the caller.
 */
public final class HeadAppender implements Appender {
    private final Head head;
    private long[] ids = new long[256];
    private long[] ts = new long[256];
    private double[] vs = new double[256];
    private int[] ordinals = new int[256];
    private int n;
    private long batchMaxT = Long.MIN_VALUE; // newest t among the n samples
    // What applyRun found, summed over a commit's runs.
    private int committed;
    private long committedMinT;
    private long committedMaxT;
    private long[] newIds = new long[16];
    private byte[][] newLabels = new byte[16][];
    private int newCount;
    private final boolean[] created = new boolean[1];
    private final RecordBuffer record = new RecordBuffer();
    // Samples commit put among their series' out-of-order samples: logged again in an
    // OUT_OF_ORDER_SAMPLES record, which replay reads (Prometheus's WBL, inside the WAL).
    private long[] oooIds = new long[16];
    private long[] oooTs = new long[16];
    private double[] oooVs = new double[16];
    private int oooN;
    private long committedMinAny;
    private long committedMaxAny;

    HeadAppender(Head head) {
        this.head = head;
    }

    @Override
    public long append(long ref, Labels labels, long t, double v) {
        int ordinal = ref != 0 ? head.ordinalOf(ref) : -1;
        MemSeries s;
        if (ordinal >= 0) {
            s = null; // resolved at commit: append reads only primitive columns
        } else {
            if (labels == null || labels.isEmpty()) {
                head.rejected[(int) -AppendStatus.INVALID_LABELS - 1].increment();
                return AppendStatus.INVALID_LABELS;
            }
            created[0] = false;
            s = head.getOrCreate(labels, created);
            if (created[0]) addNewSeries(s);
            ordinal = s.ordinal;
            ref = s.id;
        }
        Head.Columns cols = head.columns();
        long committedMaxT = cols.maxT[ordinal], pendingMaxT = cols.pendingMaxT[ordinal];
        long newest = Math.max(pendingMaxT, committedMaxT);
        boolean inBounds = t >= head.minValidTime();
        if (!inBounds || t <= newest) {
            long code;
            if (inBounds && t == newest) {
                // exact duplicates of the newest committed sample are accepted and dropped, as in Prometheus
                if (t == committedMaxT && t > pendingMaxT && head.isLastValue(ordinal, t, v)) return ref;
                code = AppendStatus.DUPLICATE;
            } else {
                long window = head.outOfOrderTimeWindow();
                if (window > 0) {
                    code = t >= head.oooLowerBound(window) ? 0 : AppendStatus.TOO_OLD;
                } else {
                    code = inBounds ? AppendStatus.OUT_OF_ORDER : AppendStatus.OUT_OF_BOUNDS;
                }
            }
            if (code != 0) {
                head.rejected[(int) -code - 1].increment();
                return code;
            }
            // out of order but within the window: commit decides under the series' lock where it goes
        } else {
            cols.pendingMaxT[ordinal] = t;
        }
        if (n == ids.length) grow();
        ids[n] = ref;
        ts[n] = t;
        vs[n] = v;
        ordinals[n] = ordinal;
        n++;
        if (t > batchMaxT) batchMaxT = t;
        return ref;
    }

    private void addNewSeries(MemSeries s) {
        if (newCount == newIds.length) {
            newIds = Arrays.copyOf(newIds, newCount * 2);
            newLabels = Arrays.copyOf(newLabels, newCount * 2);
        }
        newIds[newCount] = s.id;
        newLabels[newCount] = s.labels.encode();
        newCount++;
    }

    private void grow() {
        int cap = ids.length * 2;
        ids = Arrays.copyOf(ids, cap);
        ts = Arrays.copyOf(ts, cap);
        vs = Arrays.copyOf(vs, cap);
        ordinals = Arrays.copyOf(ordinals, cap);
    }

    @Override
    public int commit() {
        try {
            if (n == 0 && newCount == 0) return 0;
            record.reset();
            if (newCount > 0) WalRecords.frameSeries(record, newIds, newLabels, newCount);
            if (n > 0) WalRecords.frameSamples(record, ids, ts, vs, n);
            Head.CommitLog log = head.commitLog();
            if (log != null) {
                try {
                    log.log(record.array(), 0, record.length(), batchMaxT);
                } catch (StorageException e) {
                    head.appendFailures.increment();
                    throw e;
                }
            }
            committed = 0;
            committedMinT = Long.MAX_VALUE;
            committedMaxT = Long.MIN_VALUE;
            committedMinAny = Long.MAX_VALUE;
            committedMaxAny = Long.MIN_VALUE;
            oooN = 0;
            MemSeries[] live = head.columns().series;
            int i = 0;
            while (i < n) {
                Object lock = head.lockOf(ordinals[i]);
                int end = runEnd(i, lock);
                synchronized (lock) {
                    applyRun(live, i, end);
                }
                i = end;
            }
            if (oooN > 0) logOutOfOrder(log);
            if (committed > 0) head.updateTimeBounds(committedMinT, committedMaxT);
            if (committed > 0 || oooN > 0) {
                dev.vigil.tsdb.ChangeListener l = head.committedListener();
                if (l != null) l.dataChanged(committedMinAny, committedMaxAny);
            }
            head.samplesAppended.add(committed);
            head.oooAppended.add(oooN);
            return committed + oooN;
        } finally {
            clear();
        }
    }

    private void addOutOfOrder(long id, long t, double v) {
        if (oooN == oooIds.length) {
            oooIds = Arrays.copyOf(oooIds, oooN * 2);
            oooTs = Arrays.copyOf(oooTs, oooN * 2);
            oooVs = Arrays.copyOf(oooVs, oooN * 2);
        }
        oooIds[oooN] = id;
        oooTs[oooN] = t;
        oooVs[oooN] = v;
        oooN++;
    }

    /**
     * Logs the samples that went out of order. They are in the head already: a failure here is
     * thrown, so that the sender retries (the retry finds them and is accepted as exact duplicates).
     */
    private void logOutOfOrder(Head.CommitLog log) {
        if (log == null) return;
        record.reset();
        WalRecords.frameOutOfOrderSamples(record, oooIds, oooTs, oooVs, oooN);
        // The segment counts the head's newest time, not these old samples': WAL truncation then
        // keeps it until a cut past that time, and the flush before that cut has them in a block.
        long maxT = head.maxTime();
        for (int i = 0; i < oooN; i++) maxT = Math.max(maxT, oooTs[i]);
        try {
            log.log(record.array(), 0, record.length(), maxT);
        } catch (StorageException e) {
            head.appendFailures.increment();
            throw e;
        }
    }

    /** One lock per run of samples whose series share it, at most 256 to keep readers waiting little. */
    private int runEnd(int from, Object lock) {
        int end = from + 1;
        while (end < n && end - from < 256 && head.lockOf(ordinals[end]) == lock) end++;
        return end;
    }

    /**
     * Applies samples [from, end) under their series' lock. A method of its own so that the JIT
     * compiles this loop once, small, instead of compiling all of commit again for each of its
     * loops (on-stack replacement) while the first scrapes run.
     */
    private void applyRun(MemSeries[] live, int from, int end) {
        for (int i = from; i < end; i++) {
            int ordinal = ordinals[i];
            MemSeries s = ordinal < live.length ? live[ordinal] : null;
            long t = ts[i];
            long r;
            if (s == null || s.id != ids[i]) {
                r = AppendStatus.OUT_OF_BOUNDS; // dropped by a truncation since append
            } else {
                r = head.applyLocked(s, t, vs[i]);
            }
            if (r < 0) {
                head.rejected[(int) -r - 1].increment(); // lost a race with another appender
            } else if (r == 0) {
                committed++;
                if (t < committedMinT) committedMinT = t;
                if (t > committedMaxT) committedMaxT = t;
            } else if (r == Head.APPENDED_OUT_OF_ORDER) {
                addOutOfOrder(ids[i], t, vs[i]);
            } else {
                continue;
            }
            if (t < committedMinAny) committedMinAny = t;
            if (t > committedMaxAny) committedMaxAny = t;
        }
    }

    @Override
    public void rollback() {
        clear();
    }

    private void clear() {
        long[] pending = head.columns().pendingMaxT;
        for (int i = 0; i < n; i++) {
            if (ordinals[i] < pending.length) pending[ordinals[i]] = Long.MIN_VALUE;
        }
        for (int i = 0; i < newCount; i++) newLabels[i] = null;
        n = 0;
        batchMaxT = Long.MIN_VALUE;
        newCount = 0;
        head.release(this);
    }
}
