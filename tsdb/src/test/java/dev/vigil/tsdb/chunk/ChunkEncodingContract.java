package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The contract every chunk encoding meets, after Prometheus's {@code chunkenc/chunk_test.go}:
 * round trip, iterator reuse, {@code seek} at, before and after the edges, and empty input.
 * Subclass per encoding.
 */
abstract class ChunkEncodingContract {
    /** The encoding under test. */
    abstract byte encoding();

    /** Encodes the first {@code n} samples into a chunk (2-byte count header included). */
    abstract byte[] encode(long[] ts, double[] vs, int n);

    private final Random random = new Random(42);

    /** Prometheus's testChunk data: 300 samples, random gaps 1..10000 ms, large random steps. */
    private SampleSeries prometheusSeries() {
        long[] ts = new long[300];
        long[] vb = new long[300];
        long t = 1234123324;
        double v = 1243535.123;
        for (int i = 0; i < 300; i++) {
            t += random.nextInt(10000) + 1;
            v += (i % 2 == 0 ? 1 : -1) * (double) random.nextInt(1000000);
            ts[i] = t;
            vb[i] = Double.doubleToRawLongBits(v);
        }
        return new SampleSeries(ts, vb);
    }

    private byte[] encode(SampleSeries s) {
        return encode(s.ts(), s.values(), s.size());
    }

    private ChunkSampleIterator iterator(byte[] chunk, SampleIterator reuse) {
        return Chunks.iterator(encoding(), ByteBuffer.wrap(chunk), reuse);
    }

    static void assertDecodes(SampleSeries s, ChunkSampleIterator it) {
        for (int i = 0; i < s.size(); i++) {
            assertEquals(SampleIterator.FLOAT, it.next(), "sample " + i);
            assertEquals(s.ts()[i], it.atT(), "t at " + i);
            assertEquals(s.vBits()[i], it.atVBits(), "v at " + i);
            assertEquals(Double.doubleToRawLongBits(it.atV()), it.atVBits());
        }
        assertEquals(SampleIterator.NONE, it.next());
        assertFalse(it.corrupt());
        assertEquals(SampleIterator.NONE, it.next(), "NONE is sticky");
    }

    @Test
    void round_trip() {
        SampleSeries s = prometheusSeries();
        byte[] chunk = encode(s);
        assertEquals(300, Chunks.numSamples(ByteBuffer.wrap(chunk)));
        ChunkSampleIterator it = iterator(chunk, null);
        assertEquals(encoding(), it.encoding());
        assertDecodes(s, it);
    }

    @Test
    void reused_iterator_decodes_again_and_other_chunks() {
        SampleSeries a = prometheusSeries();
        SampleSeries b = prometheusSeries();
        byte[] ca = encode(a);
        ChunkSampleIterator first = iterator(ca, null);
        assertDecodes(a, first);
        ChunkSampleIterator second = iterator(ca, first);
        assertSame(first, second);
        assertDecodes(a, second);
        ChunkSampleIterator third = iterator(encode(b), second);
        assertSame(first, third);
        assertDecodes(b, third);
    }

    @Test
    void factory_does_not_reuse_a_foreign_iterator() {
        SampleSeries s = prometheusSeries();
        SampleIterator foreign = SampleIterator.EMPTY;
        ChunkSampleIterator it = iterator(encode(s), foreign);
        assertNotSame(foreign, it);
        assertDecodes(s, it);
        assertThrows(IllegalArgumentException.class,
            () -> Chunks.iterator(99, ByteBuffer.wrap(encode(s)), null));
    }

    @Test
    void heap_direct_and_offset_buffers_agree() {
        SampleSeries s = prometheusSeries();
        byte[] chunk = encode(s);
        ByteBuffer direct = ByteBuffer.allocateDirect(chunk.length + 10);
        direct.position(7);
        direct.put(chunk);
        direct.position(7).limit(7 + chunk.length);
        assertDecodes(s, Chunks.iterator(encoding(), direct, null));
        assertEquals(7, direct.position(), "reset leaves the position alone");
        assertDecodes(s, Chunks.iterator(encoding(), direct.asReadOnlyBuffer(), null));
        byte[] padded = new byte[chunk.length + 5];
        System.arraycopy(chunk, 0, padded, 3, chunk.length);
        assertDecodes(s, Chunks.iterator(encoding(), ByteBuffer.wrap(padded, 3, chunk.length).slice(), null));
        ChunkSampleIterator it = iterator(chunk, null);
        assertDecodes(s, it.reset(padded, 3, chunk.length));
    }

    @Test
    void seek_to_middle_is_idempotent_then_continues() {
        SampleSeries s = prometheusSeries();
        int mid = s.size() / 2;
        ChunkSampleIterator it = iterator(encode(s), null);
        for (int i = 0; i < 3; i++) {
            assertEquals(SampleIterator.FLOAT, it.seek(s.ts()[mid]));
            assertEquals(s.ts()[mid], it.atT());
            assertEquals(s.vBits()[mid], it.atVBits());
        }
        for (int i = mid + 1; i < s.size(); i++) {
            assertEquals(SampleIterator.FLOAT, it.next());
            assertEquals(s.ts()[i], it.atT());
        }
        assertEquals(SampleIterator.NONE, it.seek(s.ts()[s.size() - 1] + 1));
    }

    @Test
    void seek_between_samples_lands_on_the_next() {
        SampleSeries s = prometheusSeries();
        ChunkSampleIterator it = iterator(encode(s), null);
        int i = 10;
        long between = s.ts()[i] + 1; // gaps are ≥ 1, so this is at most ts[i+1]
        assertEquals(SampleIterator.FLOAT, it.seek(between));
        assertEquals(s.ts()[i + 1], it.atT());
    }

    @Test
    void seek_before_first_returns_first_and_never_goes_back() {
        SampleSeries s = prometheusSeries();
        ChunkSampleIterator it = iterator(encode(s), null);
        assertEquals(SampleIterator.FLOAT, it.seek(Long.MIN_VALUE));
        assertEquals(s.ts()[0], it.atT());
        assertEquals(SampleIterator.FLOAT, it.seek(s.ts()[5]));
        assertEquals(s.ts()[5], it.atT());
        assertEquals(SampleIterator.FLOAT, it.seek(s.ts()[0]), "a target behind stays put");
        assertEquals(s.ts()[5], it.atT());
    }

    @Test
    void seek_to_last_and_past_last() {
        SampleSeries s = prometheusSeries();
        long last = s.ts()[s.size() - 1];
        ChunkSampleIterator it = iterator(encode(s), null);
        assertEquals(SampleIterator.FLOAT, it.seek(last));
        assertEquals(last, it.atT());
        assertEquals(SampleIterator.NONE, it.next());
        assertEquals(SampleIterator.NONE, it.seek(last), "exhausted stays exhausted");
        it = iterator(encode(s), it);
        assertEquals(SampleIterator.NONE, it.seek(Long.MAX_VALUE));
        assertFalse(it.corrupt());
    }

    @Test
    void empty_chunk() {
        byte[] chunk = encode(new long[0], new double[0], 0);
        assertEquals(0, Chunks.numSamples(ByteBuffer.wrap(chunk)));
        ChunkSampleIterator it = iterator(chunk, null);
        assertEquals(SampleIterator.NONE, it.next());
        assertEquals(SampleIterator.NONE, it.seek(Long.MIN_VALUE));
        assertFalse(it.corrupt());
    }

    @Test
    void single_sample_with_extreme_values() {
        for (long t : new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE}) {
            for (long bits : new long[] {SampleSeries.STALE, 0x8000000000000000L, 0x7ff8dead0000beefL, 0}) {
                SampleSeries s = new SampleSeries(new long[] {t}, new long[] {bits});
                assertDecodes(s, iterator(encode(s), null));
            }
        }
    }

    @Test
    void truncated_chunk_stops_as_corrupt() {
        SampleSeries s = prometheusSeries();
        byte[] chunk = encode(s);
        ChunkSampleIterator it = null;
        for (int len = 0; len < chunk.length; len++) {
            it = Chunks.iterator(encoding(), ByteBuffer.wrap(chunk, 0, len).slice(), it);
            int i = 0;
            while (it.next() == SampleIterator.FLOAT) {
                assertEquals(s.ts()[i], it.atT());
                assertEquals(s.vBits()[i], it.atVBits());
                i++;
            }
            assertTrue(it.corrupt(), "len " + len);
            assertTrue(i < s.size());
        }
    }
}
