package dev.vigil.tsdb.bench;

import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.chunk.XorChunk;
import dev.vigil.tsdb.chunk.XorIterator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** XOR chunk encode and decode, per sample, on a 120-sample counter chunk at 15 s. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ChunkBenchmark {
    static final int N = 120;
    long[] ts = new long[N];
    double[] vs = new double[N];
    XorChunk chunk = new XorChunk(256);
    byte[] encoded;
    XorIterator it = new XorIterator();

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        double v = 0;
        for (int i = 0; i < N; i++) {
            ts[i] = 1_700_000_000_000L + i * 15_000L + (r.nextInt(3) - 1);
            v += r.nextInt(100);
            vs[i] = v;
        }
        XorChunk c = new XorChunk();
        for (int i = 0; i < N; i++) c.append(ts[i], vs[i]);
        encoded = c.toBytes();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int encode() {
        chunk.reset();
        for (int i = 0; i < N; i++) chunk.append(ts[i], vs[i]);
        return chunk.sizeBytes();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long decode() {
        it.reset(encoded, 0, encoded.length, -1);
        long sum = 0;
        while (it.next() != SampleIterator.NONE) sum += it.atT();
        return sum;
    }
}
