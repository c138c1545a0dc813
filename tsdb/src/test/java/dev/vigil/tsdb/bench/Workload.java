package dev.vigil.tsdb.bench;

import dev.vigil.tsdb.Labels;
import java.util.SplittableRandom;

/**
 * A realistic synthetic scrape workload, deterministic per seed: per target the same series set
 * (a fleet of replicas). 55% counters at log-uniform rates (integer or 2-3 decimals, ~20% never
 * moving, reset when the target "restarts"), 30% gauges (random walks at integer / 0.1 / 0.01 /
 * full precision, constants, integer gauges), 15% classic histogram series (12 buckets + sum + count).
 */
public final class Workload {
    static final String[] LE = {"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"};

    final int targets;
    final int seriesPerTarget;
    final long intervalMs;
    final Labels[] labels;          // [target * seriesPerTarget + i]
    private final byte[] kind;      // per series of a target
    private final double[] rate;    // per series of a target
    private final int[] decimals;   // per series of a target
    private final double[] value;   // per series overall
    private final SplittableRandom rnd;

    static final byte COUNTER = 0, GAUGE_WALK = 1, GAUGE_CONST = 2, GAUGE_INT = 3, BUCKET = 4;

    public Workload(int totalSeries, int targets, long intervalMs, long seed) {
        this.targets = targets;
        this.seriesPerTarget = totalSeries / targets;
        this.intervalMs = intervalMs;
        this.rnd = new SplittableRandom(seed);
        int n = seriesPerTarget;
        kind = new byte[n];
        rate = new double[n];
        decimals = new int[n];
        String[] names = new String[n];
        String[][] extra = new String[n][];
        int i = 0;
        int metric = 0;
        while (i < n) {
            double r = rnd.nextDouble();
            if (r < 0.55) {
                String name = "app_requests_" + (metric++) + "_total";
                for (int k = 0; k < 8 && i < n; k++, i++) {
                    kind[i] = COUNTER;
                    rate[i] = rnd.nextDouble() < 0.2 ? 0 : Math.pow(10, -3 + rnd.nextDouble() * 7);
                    decimals[i] = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(2) : 0;
                    names[i] = name;
                    extra[i] = new String[] {"method", k % 2 == 0 ? "GET" : "POST", "code", Integer.toString(200 + 100 * (k / 2))};
                }
            } else if (r < 0.85) {
                String name = "app_gauge_" + (metric++);
                for (int k = 0; k < 4 && i < n; k++, i++) {
                    double g = rnd.nextDouble();
                    kind[i] = g < 0.6 ? GAUGE_WALK : g < 0.8 ? GAUGE_CONST : GAUGE_INT;
                    decimals[i] = new int[] {0, 1, 2, -1}[rnd.nextInt(4)];
                    rate[i] = Math.pow(10, rnd.nextInt(6));
                    names[i] = name;
                    extra[i] = new String[] {"region", "r" + k};
                }
            } else {
                String name = "app_latency_" + (metric++) + "_seconds";
                for (int k = 0; k < LE.length + 2 && i < n; k++, i++) {
                    kind[i] = BUCKET;
                    rate[i] = Math.pow(10, rnd.nextDouble() * 3) * (k < LE.length ? (k + 1.0) / LE.length : 1);
                    names[i] = k < LE.length ? name + "_bucket" : k == LE.length ? name + "_sum" : name + "_count";
                    decimals[i] = k == LE.length ? -1 : 0;
                    extra[i] = k < LE.length ? new String[] {"le", LE[k]} : new String[0];
                }
            }
        }
        labels = new Labels[targets * n];
        value = new double[targets * n];
        for (int t = 0; t < targets; t++) {
            String instance = "10.0." + (t / 250) + "." + (t % 250) + ":9100";
            for (int s = 0; s < n; s++) {
                Labels.Builder b = Labels.builder().set("__name__", names[s]).set("job", "job" + (t % 5))
                        .set("instance", instance);
                for (int e = 0; e < extra[s].length; e += 2) b.set(extra[s][e], extra[s][e + 1]);
                labels[t * n + s] = b.build().interned();
                value[t * n + s] = kind[s] == GAUGE_CONST || kind[s] == GAUGE_INT ? Math.round(rnd.nextDouble() * 1000) : 0;
            }
        }
    }

    public int totalSeries() {
        return labels.length;
    }

    /** Advances series {@code idx} by one scrape and returns its value. Not thread-safe per target. */
    public double next(int idx, SplittableRandom r) {
        int s = idx % seriesPerTarget;
        double v = value[idx];
        switch (kind[s]) {
            case COUNTER, BUCKET -> {
                double inc = rate[s] * intervalMs / 1000.0 * (0.5 + r.nextDouble());
                v = decimals[s] > 0 ? round(v + inc, decimals[s]) : Math.floor(v + inc);
            }
            case GAUGE_WALK -> {
                v += r.nextGaussian() * rate[s] * 0.01;
                if (decimals[s] >= 0) v = round(v, decimals[s]);
            }
            case GAUGE_INT -> {
                if (r.nextInt(4) == 0) v += r.nextInt(5) - 2;
            }
            default -> { }
        }
        value[idx] = v;
        return v;
    }

    /** A target restart: its counters start again from zero. */
    public void reset(int target) {
        for (int s = 0; s < seriesPerTarget; s++) {
            if (kind[s] == COUNTER || kind[s] == BUCKET) value[target * seriesPerTarget + s] = 0;
        }
    }

    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
