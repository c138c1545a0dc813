package dev.vigil.tsdb.bench;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
import dev.vigil.tsdb.db.Db;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Late samples (storage.tsdb.out_of_order_time_window): 10,000 series whose newest sample is a day
 * ahead receive a delayed stream, one sample each per commit, WAL (samples record plus
 * out-of-order record) and sealing into head chunk files included. The cost per sample, to set
 * beside {@link AppendBenchmark}'s in-order one; {@code -prof gc} gives the allocation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class OutOfOrderAppendBenchmark {
    static final int SERIES = 10_000;
    static final long START = 1_700_000_000_000L;
    Path dir;
    Db db;
    Labels[] labels = new Labels[SERIES];
    long[] refs = new long[SERIES];
    long t = START;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("vigil-jmh");
        db = Db.open(dir, TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.INTERVAL, 1000)
                .withBackground(0, System::currentTimeMillis));
        db.setOutOfOrderTimeWindow(30L * 86_400_000);
        Appender app = db.appender();
        for (int i = 0; i < SERIES; i++) {
            labels[i] = Labels.of("__name__", "m" + (i % 100), "instance", "host:9100", "id", Integer.toString(i));
            refs[i] = app.append(0, labels[i], START + 86_400_000L, i);
        }
        app.commit();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        System.out.println("\nlate samples in the head: " + db.stats().outOfOrderSamplesInHead()
                + ", head heap estimate: " + db.head().heapBytesEstimate() / 1024 + " KiB");
        db.close();
        StorageBenchmark.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int lateScrape() {
        t += 15;
        Appender app = db.appender();
        for (int i = 0; i < SERIES; i++) app.append(refs[i], labels[i], t, (double) (t / 1000 + i));
        return app.commit();
    }
}
