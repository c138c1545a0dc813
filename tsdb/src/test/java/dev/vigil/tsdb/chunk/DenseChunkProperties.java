package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DenseChunkProperties extends ChunkEncodingProperties {
    private final DenseChunk encoder = new DenseChunk();

    @Override
    byte encoding() {
        return Encoding.DENSE;
    }

    @Override
    byte[] encode(SampleSeries s) {
        return encoder.encode(s.ts(), s.values(), s.size());
    }

    @Test
    void encoded_size_stays_within_the_bound_and_offset_writes_agree() {
        qt().forAll(SampleSeries.any(maxSamples()), integers().between(0, 9)).checkAssert((s, off) -> {
            byte[] alone = encode(s);
            assertTrue(alone.length <= DenseChunk.maxEncodedBytes(s.size()));
            byte[] out = new byte[off + DenseChunk.maxEncodedBytes(s.size())];
            Arrays.fill(out, (byte) 0x5A);
            int end = new DenseChunk().encode(s.ts(), s.values(), s.size(), out, off);
            assertEquals(off + alone.length, end);
            assertArrayEquals(alone, Arrays.copyOfRange(out, off, end));
        });
    }

    @Test
    void a_reused_encoder_encodes_like_a_fresh_one() {
        qt().forAll(SampleSeries.any(maxSamples()), SampleSeries.any(maxSamples())).checkAssert((a, b) -> {
            encode(a);
            assertArrayEquals(new DenseChunk().encode(b.ts(), b.values(), b.size()), encode(b));
        });
    }
}
