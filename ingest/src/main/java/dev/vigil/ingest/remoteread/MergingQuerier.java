package dev.vigil.ingest.remoteread;

import dev.vigil.tsdb.ChunkIterator;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Matcher;
import dev.vigil.tsdb.MergingSampleIterator;
import dev.vigil.tsdb.Querier;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.SelectHints;
import dev.vigil.tsdb.SeriesSet;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutionException;

/**
 * A local querier with remote read endpoints beside it. A selection asks every remote that its
 * plan admits (in parallel, one virtual thread each) and merges the answers with the local
 * series in label order; a series both have is one series whose samples are merged by
 * timestamp, the local sample winning a tie (Prometheus's chained merge, local storage first).
 * A remote that fails adds a warning and is left out, as a secondary querier in Prometheus.
 * Label names and values come from the local storage only (Prometheus's remote querier has
 * none). Not thread-safe, like any querier.
 */
final class MergingQuerier implements Querier {
    private final Querier local;
    private final List<RemoteReadClient> remotes;
    private final long localStartT;

    MergingQuerier(Querier local, List<RemoteReadClient> remotes, long localStartT) {
        this.local = local;
        this.remotes = remotes;
        this.localStartT = localStartT;
    }

    @Override
    public SeriesSet select(long minT, long maxT, SelectHints hints, Matcher... matchers) {
        List<String> warnings = new ArrayList<>();
        List<Future<List<RemoteReadClient.Series>>> pending = new ArrayList<>();
        List<RemoteReadClient> asked = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (RemoteReadClient r : remotes) {
                RemoteReadClient.Plan plan = r.plan(minT, maxT, matchers, localStartT);
                if (plan == null) continue;
                asked.add(r);
                pending.add(threads.submit(() -> r.read(plan)));
            }
        }
        List<RemoteReadClient.Series> remote = new ArrayList<>();
        for (int i = 0; i < pending.size(); i++) {
            try {
                remote = mergeSorted(remote, pending.get(i).get());
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                // the JDK's connect failures often have no message: then the exception's name says it
                String why = cause instanceof IOException && cause.getMessage() != null ? cause.getMessage() : String.valueOf(cause);
                warnings.add("remote_read " + asked.get(i).displayName() + ": " + why);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                warnings.add("remote_read " + asked.get(i).displayName() + ": interrupted");
            }
        }
        // sorted locally too, so that the two sides merge in one pass
        SeriesSet l = local.select(minT, maxT, new SelectHints(true, hints.limit()), matchers);
        if (remote.isEmpty() && warnings.isEmpty()) return l;
        return new Merged(l, remote, minT, maxT, warnings, hints.limit());
    }

    /** Two label-sorted lists as one, a series in both merged by timestamp (the first list winning ties). */
    static List<RemoteReadClient.Series> mergeSorted(List<RemoteReadClient.Series> a, List<RemoteReadClient.Series> b) {
        if (a.isEmpty()) return b;
        List<RemoteReadClient.Series> out = new ArrayList<>(a.size() + b.size());
        int i = 0, j = 0;
        while (i < a.size() || j < b.size()) {
            int c = i == a.size() ? 1 : j == b.size() ? -1 : a.get(i).labels().compareTo(b.get(j).labels());
            if (c < 0) out.add(a.get(i++));
            else if (c > 0) out.add(b.get(j++));
            else out.add(mergeSamples(a.get(i++), b.get(j++)));
        }
        return out;
    }

    private static RemoteReadClient.Series mergeSamples(RemoteReadClient.Series a, RemoteReadClient.Series b) {
        long[] t = new long[a.ts().length + b.ts().length];
        double[] v = new double[t.length];
        int i = 0, j = 0, n = 0;
        while (i < a.ts().length || j < b.ts().length) {
            if (j == b.ts().length || (i < a.ts().length && a.ts()[i] <= b.ts()[j])) {
                if (j < b.ts().length && a.ts()[i] == b.ts()[j]) j++;
                t[n] = a.ts()[i];
                v[n++] = a.vs()[i++];
            } else {
                t[n] = b.ts()[j];
                v[n++] = b.vs()[j++];
            }
        }
        return new RemoteReadClient.Series(a.labels(), java.util.Arrays.copyOf(t, n), java.util.Arrays.copyOf(v, n));
    }

    @Override
    public List<String> labelNames(long minT, long maxT, Matcher... matchers) {
        return local.labelNames(minT, maxT, matchers);
    }

    @Override
    public List<String> labelValues(String name, long minT, long maxT, Matcher... matchers) {
        return local.labelValues(name, minT, maxT, matchers);
    }

    @Override
    public void close() {
        local.close();
    }

    /** The local set and the remote series in label order. */
    private static final class Merged implements SeriesSet {
        private final SeriesSet local;
        private final List<RemoteReadClient.Series> remote;
        private final long minT;
        private final long maxT;
        private final List<String> warnings;
        private final int limit;
        private int next; // index of the first remote series not yet emitted
        private boolean localPending; // local's current series not yet emitted
        private boolean localDone;
        private int emitted;
        private Labels labels;
        private boolean fromLocal;
        private RemoteReadClient.Series remoteCurrent; // null when the current series is local only

        Merged(SeriesSet local, List<RemoteReadClient.Series> remote, long minT, long maxT, List<String> warnings, int limit) {
            this.local = local;
            this.remote = remote;
            this.minT = minT;
            this.maxT = maxT;
            this.warnings = warnings;
            this.limit = limit;
        }

        @Override
        public boolean next() {
            if (limit > 0 && emitted == limit) return false;
            if (!localPending && !localDone) {
                localPending = local.next();
                localDone = !localPending;
            }
            boolean haveRemote = next < remote.size();
            if (!localPending && !haveRemote) return false;
            int c = !localPending ? 1 : !haveRemote ? -1 : local.labels().compareTo(remote.get(next).labels());
            if (c <= 0) {
                labels = local.labels();
                fromLocal = true;
                remoteCurrent = c == 0 ? remote.get(next++) : null;
                localPending = false;
            } else {
                remoteCurrent = remote.get(next++);
                labels = remoteCurrent.labels();
                fromLocal = false;
            }
            emitted++;
            return true;
        }

        @Override
        public Labels labels() {
            return labels;
        }

        @Override
        public SampleIterator iterator(SampleIterator reuse) {
            SampleIterator r = remoteCurrent == null ? null : new ArrayIterator(remoteCurrent, minT, maxT);
            if (!fromLocal) return r;
            SampleIterator l = local.iterator(null);
            return r == null ? l : new MergingSampleIterator(r, l); // the later, local, wins a tie
        }

        @Override
        public ChunkIterator chunks() {
            if (fromLocal && remoteCurrent == null) return local.chunks();
            throw new UnsupportedOperationException("series read from a remote have samples, not chunks");
        }

        @Override
        public List<String> warnings() {
            List<String> w = new ArrayList<>(local.warnings());
            w.addAll(warnings);
            return w;
        }
    }

    /** A remote series' samples within the selection. */
    private static final class ArrayIterator implements SampleIterator {
        private final long[] ts;
        private final double[] vs;
        private final long maxT;
        private final int first; // the first sample at or after the selection's start
        private int i;

        ArrayIterator(RemoteReadClient.Series s, long minT, long maxT) {
            this.ts = s.ts();
            this.vs = s.vs();
            this.maxT = maxT;
            int from = 0;
            while (from < ts.length && ts[from] < minT) from++;
            this.first = from;
            this.i = from - 1;
        }

        @Override
        public int next() {
            if (i < ts.length) i++;
            return i < ts.length && ts[i] <= maxT ? FLOAT : NONE;
        }

        @Override
        public int seek(long t) {
            if (i < first) i = first;
            while (i < ts.length && ts[i] < t) i++;
            return i < ts.length && ts[i] <= maxT ? FLOAT : NONE;
        }

        @Override
        public long atT() {
            return ts[i];
        }

        @Override
        public double atV() {
            return vs[i];
        }
    }
}
