package dev.vigil.tsdb.head;

import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.chunk.XorChunk;
import java.util.Arrays;

/**
 * One series in the head: its identity, its open chunk on the heap and the references of its
 * sealed chunks in the head chunk files. About 150 bytes plus the open chunk's buffer.
 *
 * <p>Everything mutable is guarded by the head's lock for the series' ordinal
 * ({@code synchronized (head.lockOf(ordinal))}); the lock order is the head's series lock, then a
 * series lock, then {@link HeadChunkFiles}. No code holds two series locks at once.
 */
final class MemSeries {
    final long id;
    final Labels labels;
    final int ordinal;

    /** Guarded by this. Null until the first sample after creation or a truncation. */
    XorChunk open;
    /** Guarded by this. Triples (fileRef, minT, maxT) of sealed chunks, oldest first. */
    long[] sealed = NONE;
    /** Guarded by this. */
    int sealedCount;
    /** Guarded by this. Sequence number of sealed[0]; the open chunk is firstChunkSeq + sealedCount. */
    int firstChunkSeq;
    /** Guarded by this. Newest committed timestamp, or Long.MIN_VALUE. */
    long maxT = Long.MIN_VALUE;
    /** Guarded by this. Raw bits of the newest committed value. */
    long lastValueBits;
    /** Guarded by this. True after a restore from chunk files until the newest value is looked up. */
    boolean lastValueUnknown;

    /** Out-of-order samples the open buffer holds before they are sealed into a chunk (Prometheus's out_of_order_cap_max). */
    static final int OOO_CHUNK_SAMPLES = 32;

    /**
     * Guarded by this. The newest out-of-order samples not yet in a block, sorted by time, in
     * {@code [0, oooCount)}: at most {@link #OOO_CHUNK_SAMPLES} (more only while sealing fails),
     * then sealed into an XOR chunk in the head chunk files, as in-order chunks are.
     */
    long[] oooT = NONE;
    /** Guarded by this. The values of {@link #oooT}. */
    double[] oooV = NO_VALUES;
    /** Guarded by this. */
    int oooCount;
    /**
     * Guarded by this. Sealed out-of-order chunks, quadruples (fileRef, minT, maxT, samples). Each
     * is sorted; they may overlap one another and the open buffer, never sharing a timestamp.
     */
    long[] oooChunks = NONE;
    /** Guarded by this. */
    int oooChunkCount;
    /** Guarded by this. Samples in the sealed out-of-order chunks. */
    int oooChunkSamples;
    /** Guarded by this. The span of all sealed out-of-order chunks: a time outside it is in none. */
    long oooChunksMinT = Long.MAX_VALUE;
    long oooChunksMaxT = Long.MIN_VALUE;

    private static final long[] NONE = new long[0];
    private static final double[] NO_VALUES = new double[0];

    MemSeries(long id, Labels labels, int ordinal) {
        this.id = id;
        this.labels = labels;
        this.ordinal = ordinal;
    }

    /** Guarded by this. */
    void addSealed(long fileRef, long minT, long maxT) {
        int need = (sealedCount + 1) * 3;
        if (need > sealed.length) sealed = Arrays.copyOf(sealed, Math.max(need, sealed.length * 2));
        sealed[sealedCount * 3] = fileRef;
        sealed[sealedCount * 3 + 1] = minT;
        sealed[sealedCount * 3 + 2] = maxT;
        sealedCount++;
    }

    /** Guarded by this. Drops sealed chunks that end before {@code minT}; returns how many. */
    int dropSealedBefore(long minT) {
        int drop = 0;
        while (drop < sealedCount && sealed[drop * 3 + 2] < minT) drop++;
        if (drop == 0) return 0;
        System.arraycopy(sealed, drop * 3, sealed, 0, (sealedCount - drop) * 3);
        sealedCount -= drop;
        firstChunkSeq += drop;
        if (sealedCount == 0) sealed = NONE;
        return drop;
    }

    /**
     * Guarded by this. Inserts an out-of-order sample into the open buffer in time order (the sealed
     * chunks are the caller's to check).
     *
     * @return 1 when inserted, 0 when the same sample (time and value bits) is already there, -1 when
     *     a different value has that time
     */
    int insertOoo(long t, double v) {
        int i = Arrays.binarySearch(oooT, 0, oooCount, t);
        if (i >= 0) {
            return Double.doubleToRawLongBits(oooV[i]) == Double.doubleToRawLongBits(v) ? 0 : -1;
        }
        i = -i - 1;
        if (oooCount == oooT.length) {
            int cap = Math.max(8, oooCount * 2);
            oooT = Arrays.copyOf(oooT, cap);
            oooV = Arrays.copyOf(oooV, cap);
        }
        System.arraycopy(oooT, i, oooT, i + 1, oooCount - i);
        System.arraycopy(oooV, i, oooV, i + 1, oooCount - i);
        oooT[i] = t;
        oooV[i] = v;
        oooCount++;
        return 1;
    }

    /** Guarded by this. Out-of-order samples in the open buffer and the sealed chunks. */
    int oooTotal() {
        return oooCount + oooChunkSamples;
    }

    /** Guarded by this. Records a sealed out-of-order chunk. */
    void addOooChunk(long fileRef, long minT, long maxT, int samples) {
        int need = (oooChunkCount + 1) * 4;
        if (need > oooChunks.length) oooChunks = Arrays.copyOf(oooChunks, Math.max(need, oooChunks.length * 2));
        oooChunks[oooChunkCount * 4] = fileRef;
        oooChunks[oooChunkCount * 4 + 1] = minT;
        oooChunks[oooChunkCount * 4 + 2] = maxT;
        oooChunks[oooChunkCount * 4 + 3] = samples;
        oooChunkCount++;
        oooChunkSamples += samples;
        oooChunksMinT = Math.min(oooChunksMinT, minT);
        oooChunksMaxT = Math.max(oooChunksMaxT, maxT);
    }

    /** Guarded by this. Drops the first {@code n} samples of the open buffer (sealed into a chunk). */
    void dropOooPrefix(int n) {
        System.arraycopy(oooT, n, oooT, 0, oooCount - n);
        System.arraycopy(oooV, n, oooV, 0, oooCount - n);
        oooCount -= n;
    }

    /** Guarded by this. Replaces every out-of-order sample (open and sealed) with {@code t, v}. */
    void resetOoo(long[] t, double[] v) {
        oooChunks = NONE;
        oooChunkCount = 0;
        oooChunkSamples = 0;
        oooChunksMinT = Long.MAX_VALUE;
        oooChunksMaxT = Long.MIN_VALUE;
        oooT = t.length == 0 ? NONE : t;
        oooV = t.length == 0 ? NO_VALUES : v;
        oooCount = t.length;
    }

    /** Guarded by this. */
    long minT() {
        if (sealedCount > 0) return sealed[1];
        return open != null && open.numSamples() > 0 ? open.minT() : Long.MAX_VALUE;
    }

    /** Guarded by this. */
    boolean isEmpty() {
        return sealedCount == 0 && (open == null || open.numSamples() == 0) && oooTotal() == 0;
    }

    /** Guarded by this. Approximate heap bytes, for the memory figure. */
    long heapBytes() {
        return 64 + 24L + sealed.length * 8L + (open == null ? 0 : open.retainedBytes()) + oooT.length * 16L + oooChunks.length * 8L;
    }
}
