package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.vigil.tsdb.SampleIterator;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class XorChunkProperties extends ChunkEncodingProperties {
    @Override
    byte encoding() {
        return Encoding.XOR;
    }

    @Override
    byte[] encode(SampleSeries s) {
        return append(new XorChunk(8), s, 0, s.size()).toBytes();
    }

    private static XorChunk append(XorChunk c, SampleSeries s, int from, int to) {
        for (int i = from; i < to; i++) c.append(s.ts()[i], Double.longBitsToDouble(s.vBits()[i]));
        return c;
    }

    @Test
    void fromBytes_then_appending_equals_appending_everything() {
        qt().forAll(SampleSeries.any(maxSamples()), integers().between(0, Integer.MAX_VALUE))
            .checkAssert((s, splitSeed) -> {
                int split = splitSeed % (s.size() + 1);
                byte[] head = append(new XorChunk(), s, 0, split).toBytes();
                // trailing slack after the chunk must not matter
                byte[] padded = Arrays.copyOf(head, head.length + 3);
                padded[head.length] = (byte) 0xFF;
                XorChunk reopened = XorChunk.fromBytes(padded, 0, head.length);
                assertEquals(split, reopened.numSamples());
                append(reopened, s, split, s.size());
                assertArrayEquals(encode(s), reopened.toBytes());
                if (s.size() > 0) {
                    assertEquals(s.ts()[0], reopened.minT());
                    assertEquals(s.ts()[s.size() - 1], reopened.maxT());
                    assertEquals(s.vBits()[s.size() - 1], reopened.lastValueBits());
                }
            });
    }

    @Test
    void live_chunk_reads_its_captured_prefix_while_appends_continue() {
        qt().forAll(SampleSeries.any(maxSamples()), integers().between(0, Integer.MAX_VALUE))
            .checkAssert((s, splitSeed) -> {
                int split = splitSeed % (s.size() + 1);
                XorChunk c = append(new XorChunk(8), s, 0, split);
                byte[] buf = c.buffer();
                int size = c.sizeBytes();
                int count = c.numSamples();
                append(c, s, split, s.size());
                XorIterator it = new XorIterator().reset(buf, 0, size, count);
                ChunkEncodingContract.assertDecodes(s.prefix(split), it);
                // the live (possibly regrown) buffer with the captured count reads the same prefix
                it.reset(c.buffer(), 0, c.sizeBytes(), count);
                for (int i = 0; i < split; i++) {
                    assertEquals(SampleIterator.FLOAT, it.next());
                    assertEquals(s.vBits()[i], it.atVBits());
                }
                assertEquals(SampleIterator.NONE, it.next());
            });
    }

    @Test
    void reset_chunk_encodes_like_a_new_one() {
        qt().forAll(SampleSeries.any(maxSamples()), SampleSeries.any(maxSamples())).checkAssert((a, b) -> {
            XorChunk c = append(new XorChunk(), a, 0, a.size());
            c.reset();
            assertArrayEquals(encode(b), append(c, b, 0, b.size()).toBytes());
        });
    }
}
