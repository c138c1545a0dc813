package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bytes per sample of XOR (120-sample chunks, as Prometheus's head cuts them) versus DENSE (one
 * chunk per 2-hour block: 480 samples) on a synthetic workload scraped every 15 s without jitter.
 * Chunk data only; a block segment adds its framing (encoding byte, length, CRC) per chunk.
 * Prints the table for the README; run alone with
 * {@code -Dtest=ChunkSizeReportTest}. Seeded, so the figures are reproducible.
 */
class ChunkSizeReportTest {
    static final int SAMPLES = 480;
    static final long STEP_MS = 15_000;

    record Kind(String name, List<double[]> series) {}

    static List<Kind> workload() {
        Random r = new Random(20240601);
        List<Kind> kinds = new ArrayList<>();
        kinds.add(new Kind("counter, integer, 1/s", List.of(counter(r, 1, 0))));
        kinds.add(new Kind("counter, integer, 100/s", List.of(counter(r, 100, 0))));
        kinds.add(new Kind("counter, integer, 50 kB/s bytes", List.of(counter(r, 50_000, 0))));
        kinds.add(new Kind("counter, 3 decimals (cpu s)", List.of(counter(r, 0.25, 3))));
        kinds.add(new Kind("counter, 2 decimals", List.of(counter(r, 3.5, 2))));
        kinds.add(new Kind("gauge, random walk, integer", List.of(walk(r, 0, 3))));
        kinds.add(new Kind("gauge, random walk, 0.1", List.of(walk(r, 1, 5))));
        kinds.add(new Kind("gauge, random walk, 0.01", List.of(walk(r, 2, 20))));
        kinds.add(new Kind("gauge, random walk, full precision", List.of(fullWalk(r))));
        kinds.add(new Kind("gauge, constant", List.of(constant(1), constant(0), constant(1.5e9))));
        kinds.add(new Kind("histogram buckets (11 le)", histogram(r)));
        return kinds;
    }

    private static double[] counter(Random r, double perSecond, int decimals) {
        double scale = Math.pow(10, decimals);
        double mean = perSecond * STEP_MS / 1000 * scale;
        long x = r.nextInt(1_000_000);
        double[] vs = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            x += poisson(r, mean);
            vs[i] = x / scale; // what parsing "1234.567" from an exposition gives
        }
        return vs;
    }

    private static long poisson(Random r, double mean) {
        if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * r.nextGaussian()));
        double l = Math.exp(-mean);
        long k = 0;
        double p = 1;
        do {
            k++;
            p *= r.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static double[] walk(Random r, int decimals, double stepUnits) {
        double scale = Math.pow(10, decimals);
        long x = 500 * (long) scale + r.nextInt(1000);
        double[] vs = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            x += Math.round(r.nextGaussian() * stepUnits);
            vs[i] = x / scale;
        }
        return vs;
    }

    private static double[] fullWalk(Random r) {
        double v = 100 * r.nextDouble();
        double[] vs = new double[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) vs[i] = v += r.nextGaussian();
        return vs;
    }

    private static double[] constant(double c) {
        double[] vs = new double[SAMPLES];
        java.util.Arrays.fill(vs, c);
        return vs;
    }

    /** Request latencies (log-normal, median 80 ms) at 10 req/s into Prometheus's default buckets. */
    private static List<double[]> histogram(Random r) {
        double[] le = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
        double[][] buckets = new double[le.length + 1][SAMPLES];
        long[] counts = new long[le.length + 1];
        for (int i = 0; i < SAMPLES; i++) {
            long requests = poisson(r, 150);
            for (long q = 0; q < requests; q++) {
                double latency = Math.exp(Math.log(0.08) + 0.9 * r.nextGaussian());
                for (int b = 0; b <= le.length; b++) if (b == le.length || latency <= le[b]) counts[b]++;
            }
            for (int b = 0; b <= le.length; b++) buckets[b][i] = counts[b];
        }
        return List.of(buckets);
    }

    static int xorBytes(long[] ts, double[] vs) {
        int bytes = 0;
        for (int from = 0; from < vs.length; from += 120) {
            XorChunk c = new XorChunk();
            for (int i = from; i < Math.min(vs.length, from + 120); i++) c.append(ts[i], vs[i]);
            bytes += c.sizeBytes();
        }
        return bytes;
    }

    @Test
    void report_bytes_per_sample() {
        long[] ts = new long[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) ts[i] = 1_717_200_000_000L + i * STEP_MS;
        DenseChunk dense = new DenseChunk();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
            "%-36s %7s %7s%n", "series kind (480 samples @ 15 s)", "XOR", "DENSE"));
        double xorSum = 0;
        double denseSum = 0;
        long xorAll = 0;
        long denseAll = 0;
        long samplesAll = 0;
        for (Kind k : workload()) {
            long xor = 0;
            long dn = 0;
            for (double[] vs : k.series) {
                xor += xorBytes(ts, vs);
                byte[] chunk = dense.encode(ts, vs, SAMPLES);
                ChunkEncodingContract.assertDecodes(new SampleSeries(ts, bits(vs)),
                    new DenseIterator().reset(chunk, 0, chunk.length));
                dn += chunk.length;
            }
            long samples = (long) SAMPLES * k.series.size();
            double xorPer = (double) xor / samples;
            double densePer = (double) dn / samples;
            out.append(String.format(Locale.ROOT, "%-36s %7.3f %7.3f%n", k.name, xorPer, densePer));
            assertTrue(dn <= xor, k.name + ": dense larger than xor");
            xorSum += xorPer;
            denseSum += densePer;
            xorAll += xor;
            denseAll += dn;
            samplesAll += samples;
        }
        int kinds = workload().size();
        out.append(String.format(Locale.ROOT, "%-36s %7.3f %7.3f%n", "mean over kinds", xorSum / kinds, denseSum / kinds));
        out.append(String.format(Locale.ROOT, "%-36s %7.3f %7.3f%n", "mean over all series",
            (double) xorAll / samplesAll, (double) denseAll / samplesAll));
        System.out.print(out);
        assertTrue((double) denseAll / samplesAll <= 1.3, "dense target of 1.3 bytes/sample");
    }

    private static long[] bits(double[] vs) {
        long[] b = new long[vs.length];
        for (int i = 0; i < vs.length; i++) b[i] = Double.doubleToRawLongBits(vs[i]);
        return b;
    }
}
