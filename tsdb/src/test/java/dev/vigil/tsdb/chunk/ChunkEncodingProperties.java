package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Properties every chunk encoding satisfies; subclassed per encoding. */
abstract class ChunkEncodingProperties {
    abstract byte encoding();

    abstract byte[] encode(SampleSeries s);

    /** Samples per generated series; large enough for several groups of any packing. */
    int maxSamples() {
        return 400;
    }

    static ChunkSampleIterator heap(byte encoding, byte[] chunk, SampleIterator reuse) {
        return Chunks.iterator(encoding, ByteBuffer.wrap(chunk), reuse);
    }

    static ByteBuffer direct(byte[] chunk) {
        return ByteBuffer.allocateDirect(chunk.length).put(chunk).flip();
    }

    @Test
    void encode_then_decode_is_identity_from_heap_and_direct_buffers() {
        qt().forAll(SampleSeries.any(maxSamples())).checkAssert(s -> {
            byte[] chunk = encode(s);
            ChunkEncodingContract.assertDecodes(s, heap(encoding(), chunk, null));
            ChunkEncodingContract.assertDecodes(s, Chunks.iterator(encoding(), direct(chunk), null));
        });
    }

    @Test
    void one_iterator_reused_across_chunks() {
        qt().forAll(SampleSeries.any(maxSamples()), SampleSeries.any(maxSamples()))
            .checkAssert((a, b) -> {
                ChunkSampleIterator it = heap(encoding(), encode(a), null);
                it.next(); // abandon mid-chunk
                ChunkEncodingContract.assertDecodes(b, heap(encoding(), encode(b), it));
                ChunkEncodingContract.assertDecodes(a, it.reset(direct(encode(a))));
            });
    }

    /** Each seek lands on the first sample at or after max(target, current); never backwards. */
    @Test
    void seek_matches_a_linear_scan_oracle() {
        qt().forAll(SampleSeries.any(maxSamples()), longs().all(), integers().between(0, 4))
            .checkAssert((s, seed, steps) -> {
                ChunkSampleIterator it = heap(encoding(), encode(s), null);
                java.util.Random r = new java.util.Random(seed);
                int pos = -1; // oracle index of the current sample; size() = exhausted
                for (int step = 0; step <= steps; step++) {
                    long target = pickTarget(s, r);
                    if (r.nextInt(4) == 0 && pos < s.size()) {
                        int got = it.next();
                        pos++;
                        assertEquals(pos < s.size() ? SampleIterator.FLOAT : SampleIterator.NONE, got);
                    } else {
                        int got = it.seek(target);
                        if (pos < 0 || (pos < s.size() && s.ts()[pos] < target)) {
                            int p = Math.max(pos, 0);
                            while (p < s.size() && s.ts()[p] < target) p++;
                            pos = p;
                        }
                        assertEquals(pos < s.size() ? SampleIterator.FLOAT : SampleIterator.NONE, got,
                            "seek " + target + " step " + step);
                    }
                    if (pos >= 0 && pos < s.size()) {
                        assertEquals(s.ts()[pos], it.atT());
                        assertEquals(s.vBits()[pos], it.atVBits());
                    }
                }
            });
    }

    private static long pickTarget(SampleSeries s, java.util.Random r) {
        if (s.size() == 0 || r.nextInt(8) == 0) return r.nextLong();
        long t = s.ts()[r.nextInt(s.size())];
        return switch (r.nextInt(3)) {
            case 0 -> t;
            case 1 -> t - 1;
            default -> t + 1;
        };
    }

    @Test
    void truncated_bytes_stop_as_corrupt_after_a_correct_prefix() {
        qt().forAll(SampleSeries.any(maxSamples()), integers().between(0, Integer.MAX_VALUE))
            .checkAssert((s, cutSeed) -> {
                byte[] chunk = encode(s);
                int len = cutSeed % chunk.length; // strictly shorter
                ChunkSampleIterator it = Chunks.iterator(encoding(), ByteBuffer.wrap(chunk, 0, len).slice(), null);
                int i = 0;
                while (it.next() == SampleIterator.FLOAT) {
                    assertTrue(i < s.size());
                    assertEquals(s.ts()[i], it.atT());
                    assertEquals(s.vBits()[i], it.atVBits());
                    i++;
                }
                assertTrue(it.corrupt(), "len " + len + " of " + chunk.length);
                assertEquals(SampleIterator.NONE, it.seek(Long.MIN_VALUE));
            });
    }
}
