package dev.vigil.tsdb;

/**
 * Sample iterators merged by timestamp, each sample once; on a tie the later iterator wins (the
 * newer source: an overlapping block, or the local storage after a remote). Not thread-safe.
 */
public final class MergingSampleIterator implements SampleIterator {
    private final SampleIterator[] its;
    private final boolean[] live;
    private final boolean[] started;
    private long t;
    private double v;

    public MergingSampleIterator(SampleIterator... its) {
        this.its = its;
        this.live = new boolean[its.length];
        this.started = new boolean[its.length];
    }

    @Override
    public int next() {
        for (int i = 0; i < its.length; i++) {
            if (!started[i]) {
                started[i] = true;
                live[i] = its[i].next() != NONE;
            } else if (live[i] && its[i].atT() <= t) {
                live[i] = its[i].next() != NONE;
            }
        }
        return pick();
    }

    private int pick() {
        int best = -1;
        for (int i = 0; i < its.length; i++) {
            if (live[i] && (best < 0 || its[i].atT() <= its[best].atT())) best = i;
        }
        if (best < 0) return NONE;
        t = its[best].atT();
        v = its[best].atV();
        return FLOAT;
    }

    @Override
    public int seek(long target) {
        boolean any = false;
        for (int i = 0; i < its.length; i++) {
            if (!started[i] || (live[i] && its[i].atT() < target)) {
                started[i] = true;
                live[i] = its[i].seek(target) != NONE;
            }
            any |= live[i];
        }
        return any ? pick() : NONE;
    }

    @Override
    public long atT() {
        return t;
    }

    @Override
    public double atV() {
        return v;
    }
}
