package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DenseChunkTest {
    record Scale(double v, int expected) {}

    static Stream<Scale> scales() {
        return Stream.of(
            new Scale(0.0, 0),
            new Scale(-0.0, -1), // 0 / 10^k is +0.0: must stay an exception
            new Scale(123, 0),
            new Scale(-7, 0),
            new Scale(0.1, 1),
            new Scale(0.29, 2), // 0.29 · 100 = 28.999999999999996, rounds back
            new Scale(12.345, 3),
            new Scale(1e-9, 9),
            new Scale(1e-10, -1),
            new Scale(0x1p53, 0),
            new Scale(0x1p53 + 2, -1),
            new Scale(1.0 / 3, -1),
            new Scale(Double.NaN, -1),
            new Scale(Double.POSITIVE_INFINITY, -1),
            new Scale(Double.longBitsToDouble(SampleSeries.STALE), -1),
            new Scale(Double.MIN_VALUE, -1));
    }

    @ParameterizedTest
    @MethodSource("scales")
    void decimalScale(Scale c) {
        assertEquals(c.expected, DenseChunk.decimalScale(Double.doubleToRawLongBits(c.v)));
    }

    private static byte[] regular(double... vs) {
        long[] ts = new long[vs.length];
        for (int i = 0; i < ts.length; i++) ts[i] = 1_700_000_000_000L + 15_000L * i;
        return new DenseChunk().encode(ts, vs, vs.length);
    }

    private static int valueMode(byte[] chunk) {
        // header 16 bits, t0 varbits, delta varbits, packed all-equal dods: '1' + varbits(0)
        BitReader r = new BitReader();
        r.reset(chunk, 0, chunk.length);
        r.skipBits(16);
        r.readVarbits();
        r.readVarbits();
        assertTrue(r.readBit());
        assertEquals(0, r.readVarbits());
        return (int) r.readBits(2);
    }

    @Test
    void constant_series_costs_a_few_bytes() {
        double[] vs = new double[480];
        java.util.Arrays.fill(vs, 42.5);
        byte[] chunk = regular(vs);
        assertEquals(DenseChunk.MODE_DECIMAL, valueMode(chunk));
        assertTrue(chunk.length <= 24, "length " + chunk.length);
    }

    @Test
    void stale_marker_is_an_exception_not_a_fallback() {
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) vs[i] = i * 3;
        vs[119] = Double.longBitsToDouble(SampleSeries.STALE);
        vs[50] = -0.0;
        byte[] chunk = regular(vs);
        assertEquals(DenseChunk.MODE_DECIMAL, valueMode(chunk));
        ChunkSampleIterator it = Chunks.iterator(Encoding.DENSE, ByteBuffer.wrap(chunk), null);
        for (int i = 0; i < vs.length; i++) {
            it.next();
            assertEquals(Double.doubleToRawLongBits(vs[i]), it.atVBits());
        }
    }

    @Test
    void full_precision_values_fall_back_to_xor() {
        java.util.Random r = new java.util.Random(1);
        double[] vs = new double[120];
        for (int i = 0; i < vs.length; i++) vs[i] = r.nextDouble();
        assertEquals(DenseChunk.MODE_XOR, valueMode(regular(vs)));
    }

    @Test
    void rejects_bad_counts_and_small_outputs() {
        DenseChunk c = new DenseChunk();
        assertThrows(IllegalArgumentException.class, () -> c.encode(new long[1], new double[1], 2));
        assertThrows(IndexOutOfBoundsException.class,
            () -> c.encode(new long[] {1, 2}, new double[] {1, 2}, 2, new byte[3], 0));
    }

    @Test
    void damaged_mode_bits_are_corrupt() {
        byte[] chunk = regular(1, 2, 3);
        // flip the value mode from 01 (decimal) to 11 (undefined); it follows the header,
        // t0, the first delta and the all-equal dods ('1' + 7-bit length 0)
        int modeBit = 16 + BitWriter.varbitsSize(BitWriter.zigzag(1_700_000_000_000L))
            + BitWriter.varbitsSize(BitWriter.zigzag(15_000)) + 1 + 7;
        chunk[modeBit >>> 3] |= (byte) (0x80 >>> (modeBit & 7));
        ChunkSampleIterator it = Chunks.iterator(Encoding.DENSE, ByteBuffer.wrap(chunk), null);
        assertEquals(ChunkSampleIterator.NONE, it.next());
        assertTrue(it.corrupt());
    }

    /** The worked example in chunks.md, "Dense chunk encoding". */
    @Test
    void format_doc_example() {
        long t0 = 1_717_200_000_000L;
        byte[] chunk = new DenseChunk().encode(new long[] {t0, t0 + 15_000, t0 + 30_000}, new double[] {1, 2, 3}, 3);
        assertEquals("0003558fd11894000fea6100820a828000", java.util.HexFormat.of().formatHex(chunk));
    }
}
