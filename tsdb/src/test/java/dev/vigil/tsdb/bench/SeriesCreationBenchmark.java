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
 * The first scrape of a target: 2,000 series the head has never seen (node_exporter-like label
 * sets, a value label unique per series) appended and committed, the series dictionary and the
 * WAL's series records included. Each iteration starts from an empty storage and creates 40,000
 * series.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// 20 targets a batch: 40,000 new series into a fresh storage, as in ../shared/bench's 40k run
@Warmup(iterations = 8, batchSize = 20)
@Measurement(iterations = 10, batchSize = 20)
@Fork(1)
@State(Scope.Thread)
public class SeriesCreationBenchmark {
    static final int SERIES = 2_000;
    Path dir;
    Storage db;
    long target;
    long t = 1_700_000_000_000L;

    @Setup(Level.Iteration)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("vigil-jmh");
        db = Tsdb.open(dir, TsdbOptions.defaults().withRetention(0, 0).withWalSync(WalSyncPolicy.INTERVAL, 1000)
                .withBackground(0, System::currentTimeMillis));
    }

    @TearDown(Level.Iteration)
    public void tearDown() throws IOException {
        db.close();
        StorageBenchmark.deleteTree(dir);
    }

    @Benchmark
    @OperationsPerInvocation(SERIES * 20)
    public int firstScrape() {
        String instance = "10.0." + (target >> 8 & 255) + "." + (target & 255) + ":9100";
        target++;
        Appender app = db.appender();
        for (int i = 0; i < SERIES; i++) {
            Labels labels = Labels.of("__name__", "node_metric_" + (i % 50), "instance", instance, "job", "node",
                    "mode", (i & 1) == 0 ? "user" : "system", "id", Integer.toString(i));
            app.append(0, labels, t, i);
        }
        return app.commit();
    }
}
