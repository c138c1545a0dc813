package dev.vigil.ingest.backfill;

import dev.vigil.ingest.parse.ExpositionFormat;
import dev.vigil.ingest.parse.ExpositionParser;
import dev.vigil.ingest.parse.ParseException;
import dev.vigil.ingest.parse.SampleSink;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.StorageException;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.block.BlockMeta;
import dev.vigil.tsdb.block.BlockWriter;
import dev.vigil.tsdb.block.SeriesSource;
import dev.vigil.tsdb.chunk.Encoding;
import dev.vigil.tsdb.fs.FileSystemFacade;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Offline backfill like {@code promtool tsdb create-blocks-from openmetrics}: reads an OpenMetrics
 * file (every sample with a timestamp, {@code # EOF} at the end) and writes immutable blocks
 * aligned to the block range into a data directory that no Vigil process has open. Blocks that
 * overlap existing data are merged by the next compaction.
 *
 * <p>The whole input is held in primitive arrays per series (16 bytes per sample) before blocks are
 * written, so the input must fit in the heap about twice.
 */
public final class OpenMetricsBackfill {
    /** One block written. */
    public record Written(BlockMeta meta, Path dir) {}

    /** The input is not acceptable; the message names the file and line. */
    public static final class BackfillException extends RuntimeException {
        BackfillException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private OpenMetricsBackfill() {}

    /**
     * Reads {@code input} and writes its blocks under {@code dataDir} (created if missing).
     *
     * @param blockRangeMs the block range, 2h like Prometheus's
     * @throws BackfillException for bad input (nothing is written) or a data directory in use
     */
    public static List<Written> run(Path input, Path dataDir, long blockRangeMs) {
        byte[] body;
        try {
            body = Files.readAllBytes(input);
        } catch (IOException e) {
            throw new BackfillException("cannot read " + input + ": " + e.getMessage(), e);
        }
        Collector c = new Collector(input);
        ExpositionParser parser = ExpositionFormat.OPENMETRICS_TEXT.newParser();
        c.parser = parser;
        try {
            parser.parse(body, body.length, c);
        } catch (ParseException e) {
            throw new BackfillException(input + ": " + e.getMessage() + "; nothing was written", e);
        }
        if (c.series.isEmpty()) throw new BackfillException(input + ": no samples; nothing was written", null);

        List<SeriesData> sorted = new ArrayList<>(c.series);
        sorted.sort((a, b) -> a.labels.compareTo(b.labels));
        long minT = Long.MAX_VALUE, maxT = Long.MIN_VALUE;
        for (SeriesData s : sorted) {
            minT = Math.min(minT, s.ts[0]);
            maxT = Math.max(maxT, s.ts[s.n - 1]);
        }
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new BackfillException("cannot create " + dataDir + ": " + e.getMessage(), e);
        }
        List<Written> out = new ArrayList<>();
        try (FileChannel lockChannel = FileChannel.open(dataDir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = tryLock(lockChannel)) {
            if (lock == null) {
                throw new BackfillException("data directory " + dataDir + " is in use by a running Vigil; stop it first", null);
            }
            for (long start = Math.floorDiv(minT, blockRangeMs) * blockRangeMs; start <= maxT; start += blockRangeMs) {
                long end = start + blockRangeMs;
                Window w = new Window(sorted, start, end);
                if (!w.hasData()) continue;
                BlockMeta meta = BlockWriter.write(dataDir, start, end, w, 1, List.of(), FileSystemFacade.DEFAULT, Encoding.DENSE);
                out.add(new Written(meta, dataDir.resolve(meta.ulid())));
            }
        } catch (IOException e) {
            throw new BackfillException("cannot lock " + dataDir + ": " + e.getMessage(), e);
        } catch (StorageException e) {
            throw new BackfillException("cannot write blocks into " + dataDir + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static FileLock tryLock(FileChannel ch) throws IOException {
        try {
            return ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return null; // held by this very JVM
        }
    }

    /** {@link #run} with Prometheus's default 2h block range. */
    public static List<Written> run(Path input, Path dataDir) {
        return run(input, dataDir, TsdbOptions.DEFAULT_BLOCK_RANGE_MS);
    }

    private static final class SeriesData {
        final byte[] raw;
        final Labels labels;
        final int firstLine;
        long[] ts = new long[16];
        double[] vs = new double[16];
        int n;

        SeriesData(byte[] raw, Labels labels, int firstLine) {
            this.raw = raw;
            this.labels = labels;
            this.firstLine = firstLine;
        }

        void add(long t, double v) {
            if (n == ts.length) {
                ts = Arrays.copyOf(ts, n * 2);
                vs = Arrays.copyOf(vs, n * 2);
            }
            ts[n] = t;
            vs[n] = v;
            n++;
        }
    }

    /** Groups samples by series (raw text → series, labels built once per distinct text). */
    private static final class Collector implements SampleSink {
        final Path file;
        ExpositionParser parser;
        final Map<Long, List<SeriesData>> byHash = new HashMap<>();
        final Map<Labels, SeriesData> byLabels = new HashMap<>();
        final List<SeriesData> series = new ArrayList<>();

        Collector(Path file) {
            this.file = file;
        }

        @Override
        public void sample(byte[] buf, int s, int e, long hash, double v, long t) {
            if (t == NO_TIMESTAMP) {
                throw ParseException.at(parser.line(), 0, "sample without a timestamp; a backfill needs one on every sample");
            }
            SeriesData d = null;
            List<SeriesData> bucket = byHash.get(hash);
            if (bucket != null) {
                for (SeriesData c : bucket) {
                    if (Arrays.equals(c.raw, 0, c.raw.length, buf, s, e)) {
                        d = c;
                        break;
                    }
                }
            }
            if (d == null) {
                Labels labels = parser.labels(buf, s, e);
                d = byLabels.get(labels); // the same series spelled differently
                if (d == null) {
                    d = new SeriesData(Arrays.copyOfRange(buf, s, e), labels, parser.line());
                    byLabels.put(labels, d);
                    series.add(d);
                }
                byHash.computeIfAbsent(hash, k -> new ArrayList<>(1)).add(d);
            }
            if (d.n > 0 && t <= d.ts[d.n - 1]) {
                throw ParseException.at(parser.line(), 0, "sample of " + d.labels + " at " + t + " ms is not after the previous one at "
                        + d.ts[d.n - 1] + " ms: the samples of a series must be in increasing time order");
            }
            d.add(t, v);
        }
    }

    /** The series with samples in {@code [start, end)}, as a block writer source. */
    private static final class Window implements SeriesSource {
        final List<SeriesData> all;
        final long start;
        final long end;
        int i = -1;
        int from;
        int to;
        final SliceIterator it = new SliceIterator();

        Window(List<SeriesData> all, long start, long end) {
            this.all = all;
            this.start = start;
            this.end = end;
        }

        boolean hasData() {
            for (SeriesData d : all) {
                int a = lowerBound(d, start);
                if (a < d.n && d.ts[a] < end) return true;
            }
            return false;
        }

        @Override
        public boolean next() {
            while (++i < all.size()) {
                SeriesData d = all.get(i);
                from = lowerBound(d, start);
                to = lowerBound(d, end);
                if (from < to) return true;
            }
            return false;
        }

        @Override
        public Labels labels() {
            return all.get(i).labels;
        }

        @Override
        public SampleIterator samples() {
            it.reset(all.get(i), from, to);
            return it;
        }

        static int lowerBound(SeriesData d, long t) {
            int lo = 0, hi = d.n;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (d.ts[mid] < t) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }
    }

    private static final class SliceIterator implements SampleIterator {
        SeriesData d;
        int pos;
        int to;

        void reset(SeriesData d, int from, int to) {
            this.d = d;
            this.pos = from - 1;
            this.to = to;
        }

        @Override
        public int next() {
            return ++pos < to ? FLOAT : NONE;
        }

        @Override
        public int seek(long t) {
            if (pos < 0) pos = 0;
            while (pos < to && d.ts[pos] < t) pos++;
            return pos < to ? FLOAT : NONE;
        }

        @Override
        public long atT() {
            return d.ts[pos];
        }

        @Override
        public double atV() {
            return d.vs[pos];
        }
    }
}
