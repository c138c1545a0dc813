package dev.vigil.tsdb.bench;

import dev.vigil.tsdb.Appender;
import dev.vigil.tsdb.Labels;
import dev.vigil.tsdb.Storage;
import dev.vigil.tsdb.Tsdb;
import dev.vigil.tsdb.TsdbOptions;
import dev.vigil.tsdb.WalSyncPolicy;
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
 * One scrape's worth of appends (10,000 series with cached refs) plus commit, WAL included: the
 * steady-state cost per sample. Run with {@code -prof gc} for the allocation report.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class AppendBenchmark {
    static final int SERIES = 10_000;
    Path dir;
    Storage db;
    Labels[] labels = new Labels[SERIES];
    long[] refs = new long[SERIES];
    long t = 1_700_000_000_000L;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("vigil-jmh");
        db = Tsdb.open(dir, TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.INTERVAL, 1000)
                .withBackground(0, System::currentTimeMillis));
        for (int i = 0; i < SERIES; i++) {
            labels[i] = Labels.of("__name__", "m" + (i % 100), "instance", "host:9100", "id", Integer.toString(i));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        db.close();
        StorageBenchmark.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(SERIES)
    public int scrape() {
        t += 15_000;
        Appender app = db.appender();
        for (int i = 0; i < SERIES; i++) {
            long r = app.append(refs[i], labels[i], t, (double) (t / 1000 + i));
            if (r > 0) refs[i] = r;
        }
        return app.commit();
    }
}
