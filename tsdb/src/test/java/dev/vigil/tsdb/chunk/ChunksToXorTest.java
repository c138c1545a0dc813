package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.SampleIterator;
import dev.vigil.tsdb.StaleMarker;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunksToXorTest {
    @Test
    void dense_chunks_reencode_as_xor_with_the_same_samples_bit_for_bit() {
        Random rnd = new Random(5);
        for (int round = 0; round < 50; round++) {
            int n = 1 + rnd.nextInt(480);
            long[] ts = new long[n];
            double[] vs = new double[n];
            long t = rnd.nextLong() >> 20;
            for (int i = 0; i < n; i++) {
                t += 1 + rnd.nextInt(30_000);
                ts[i] = t;
                vs[i] = switch (rnd.nextInt(6)) {
                    case 0 -> StaleMarker.STALE_NAN;
                    case 1 -> Math.round(rnd.nextGaussian() * 100) / 100.0;
                    case 2 -> -0.0;
                    default -> i * 3.0;
                };
            }
            byte[] dense = new DenseChunk().encode(ts, vs, n);
            List<XorChunk> xor = Chunks.toXor(Encoding.DENSE, ByteBuffer.wrap(dense), 120);
            assertEquals((n + 119) / 120, xor.size());
            int i = 0;
            XorIterator it = new XorIterator();
            for (XorChunk c : xor) {
                assertTrue(c.numSamples() <= 120);
                byte[] b = c.toBytes();
                it.reset(b, 0, b.length);
                while (it.next() != SampleIterator.NONE) {
                    assertEquals(ts[i], it.atT());
                    assertEquals(Double.doubleToRawLongBits(vs[i]), it.atVBits(), "sample " + i);
                    i++;
                }
            }
            assertEquals(n, i);
        }
    }
}
