package dev.vigil.tsdb.chunk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.vigil.tsdb.SampleIterator;
import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exact bytes Prometheus's {@code chunkenc.XORChunk} produces, derived by hand from
 * {@code tsdb/chunkenc/xor.go} and {@code bstream.go} (bits are written most significant first;
 * the last byte is zero-padded). Each case documents its derivation; {@link XorChunk} must
 * produce exactly these bytes and {@link XorIterator} must decode them back.
 *
 * <p>Building blocks used below:
 * <ul>
 *   <li>header: u16 big-endian sample count.
 *   <li>ts_0: Go {@code PutVarint} = zigzag ({@code (t << 1) ^ (t >> 63)}) then uvarint (7 bits
 *       per byte, low group first, 0x80 = more). 1000 → zigzag 2000 = 15·128 + 80 → D0 0F.
 *   <li>ts_1: uvarint of t1 - t0. 15000 = 117·128 + 24 → 98 75. 1000 = 7·128 + 104 → E8 07.
 *       1_000_000 = 7812·128 + 64, 7812 = 61·128 + 4 → C0 84 3D.
 *   <li>v_0: the 64 raw bits. 1.0 = 3FF0000000000000, 0.0 = 0000000000000000.
 *   <li>v_n: '0' when equal to v_(n-1); else '1', then '0' + the window's bits when the XOR's
 *       leading zeros (clamped to 31) and trailing zeros are both ≥ the current window's, else
 *       '1' + leading (5 bits) + sigbits (6 bits, 64 written as 0) + the sigbits bits.
 *   <li>ts_n (n ≥ 2): dod = (t_n - t_(n-1)) - (t_(n-1) - t_(n-2)); '0' for 0, else '10'+14 bits,
 *       '110'+17 bits, '1110'+20 bits (each for [-(2^(k-1)-1), 2^(k-1)]), or '1111'+64 bits,
 *       the field holding the two's complement low bits.
 * </ul>
 */
class XorChunkVectorsTest {
    record Vector(String name, long[] ts, long[] vBits, String hex) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final long ONE = 0x3FF0000000000000L;
    private static final long TWO = 0x4000000000000000L;
    private static final long FOUR = 0x4010000000000000L;
    private static final long THREE = 0x4008000000000000L;

    // dod cases: t = 0, 1_000_000, 2_000_000 + dod, values all 0.0. Common prefix:
    // 00 03 | ts_0 = 0 → 00 | v_0 = 00×8 | ts_1 delta 1_000_000 → C0 84 3D; then the bits
    // '0' (v_1 equal) + dod field + '0' (v_2 equal), padded.
    private static final String DOD_PREFIX = "0003" + "00" + "0000000000000000" + "c0843d";

    static Stream<Vector> vectors() {
        return Stream.of(
            // 00 01 | D0 0F | 3F F0 00 00 00 00 00 00
            new Vector("one sample", new long[] {1000}, new long[] {ONE},
                "0001" + "d00f" + "3ff0000000000000"),
            // 00 02 | D0 0F | 3FF0.. | 98 75 (delta 15000) | '0' v equal, padded → 00
            new Vector("two samples, equal values", new long[] {1000, 16000}, new long[] {ONE, ONE},
                "0002" + "d00f" + "3ff0000000000000" + "9875" + "00"),
            // ... | 98 75 | bits '0' (v_1) '0' (dod 0) '0' (v_2) → 000 + pad → 00
            new Vector("three samples, dod 0, equal values", new long[] {1000, 16000, 31000},
                new long[] {ONE, ONE, ONE},
                "0003" + "d00f" + "3ff0000000000000" + "9875" + "00"),
            // 1.0 ^ 2.0 = 7FF0000000000000: leading 1, trailing 52, sigbits 11.
            // '1' '1' 00001 001011 11111111111 = 24 bits:
            // 11000010 01011111 11111111 → C2 5F FF
            new Vector("new window", new long[] {1000, 16000}, new long[] {ONE, TWO},
                "0002" + "d00f" + "3ff0000000000000" + "9875" + "c25fff"),
            // as above, then t=31000 (dod 0) and 4.0: 2.0 ^ 4.0 = 0010000000000000, leading 11
            // ≥ 1 and trailing 52 ≥ 52, so the window is reused: '1' '0' + 11 bits of
            // xor >>> 52 = 00000000001. Bits '0' (dod) '10' 00000000001 = 14 bits:
            // 01000000 000001(00) → 40 04
            new Vector("window reuse", new long[] {1000, 16000, 31000}, new long[] {ONE, TWO, FOUR},
                "0003" + "d00f" + "3ff0000000000000" + "9875" + "c25fff" + "4004"),
            // then t=46000 (dod 0) and 3.0: 4.0 ^ 3.0 = 0018000000000000, leading 11, trailing 51
            // < 52: new window. Its bits '0' (dod) '11' 01011 000010 11 = 16 bits follow the
            // third sample's 14 bits mid-byte, so the last 30 bits are
            // 01000000000001 0110101100001011 → 01000000 00000101 10101100 001011(00)
            // → 40 05 AC 2C
            new Vector("narrower trailing opens a new window", new long[] {1000, 16000, 31000, 46000},
                new long[] {ONE, TWO, FOUR, THREE},
                "0004" + "d00f" + "3ff0000000000000" + "9875" + "c25fff" + "4005ac2c"),
            // 1.0 ^ nextUp(1.0) = 1: 63 leading zeros clamped to 31, trailing 0, sigbits 33.
            // '1' '1' 11111 100001 + 33 bits (32 zeros, then 1) = 46 bits:
            // 11111111 00001000 00000000 00000000 00000000 000001(00) → FF 08 00 00 00 04
            new Vector("leading zeros >= 32 clamp to 31", new long[] {1000, 16000},
                new long[] {ONE, ONE + 1},
                "0002" + "d00f" + "3ff0000000000000" + "9875" + "ff0800000004"),
            // 1.0 ^ BFF0000000000001 = 8000000000000001: leading 0, trailing 0, sigbits 64 → 0.
            // '1' '1' 00000 000000 + 64 bits (1, 62 zeros, 1) = 77 bits:
            // 11000000 00000100 00×7 00001(000) → C0 04 00 00 00 00 00 00 00 08
            new Vector("sigbits 64 written as 0", new long[] {1000, 16000},
                new long[] {ONE, 0xBFF0000000000001L},
                "0002" + "d00f" + "3ff0000000000000" + "9875" + "c0040000000000000008"),
            // 1.0 ^ stale 7FF0000000000002 = 4000000000000002: leading 1, trailing 1, sigbits 62.
            // '1' '1' 00001 111110 + 62 bits of 2000000000000001 (1, 60 zeros, 1) = 75 bits:
            // 11000011 11110100 00×7 001(00000) → C3 F4 00 00 00 00 00 00 00 20
            new Vector("stale marker after 1.0", new long[] {1000, 16000},
                new long[] {ONE, 0x7FF0000000000002L},
                "0002" + "d00f" + "3ff0000000000000" + "9875" + "c3f40000000000000020"),
            // ts_0 = -1000: zigzag 1999 = 15·128 + 79 → CF 0F; -0.0 = 8000000000000000
            new Vector("negative first timestamp, -0.0", new long[] {-1000}, new long[] {0x8000000000000000L},
                "0001" + "cf0f" + "8000000000000000"),
            // Long.MIN_VALUE: zigzag 2^64-1 → nine FF bytes then 01 (10-byte varint)
            new Vector("Long.MIN_VALUE first timestamp", new long[] {Long.MIN_VALUE}, new long[] {0},
                "0001" + "ffffffffffffffffff01" + "0000000000000000"),
            // dod 8192 = 2^13, the asymmetric top of the 14-bit bucket: '0' '10' 10000000000000
            // '0' = 18 bits: 01010000 00000000 00(000000) → 50 00 00
            dod(8192, "500000"),
            // dod -8191, bottom of 14 bits: 2^14 - 8191 = 8193 = 10000000000001:
            // '0' '10' 10000000000001 '0': 01010000 00000000 10(000000) → 50 00 80
            dod(-8191, "500080"),
            // dod 8193 needs 17 bits: '0' '110' 00010000000000001 '0' = 22 bits:
            // 01100001 00000000 000010(00) → 61 00 08
            dod(8193, "610008"),
            // dod -8192 needs 17 bits: 2^17 - 8192 = 1E000 = 11110000000000000:
            // '0' '110' 11110000000000000 '0': 01101111 00000000 000000(00) → 6F 00 00
            dod(-8192, "6f0000"),
            // dod 65536 = 2^16, top of 17 bits: '0' '110' 10000000000000000 '0' → 68 00 00
            dod(65536, "680000"),
            // dod -65535, bottom of 17 bits: 2^17 - 65535 = 65537 = 10000000000000001:
            // '0' '110' 10000000000000001 '0': 01101000 00000000 000010(00) → 68 00 08
            dod(-65535, "680008"),
            // dod 65537 needs 20 bits: '0' '1110' 00010000000000000001 '0' = 26 bits:
            // 01110000 10000000 00000000 10(000000) → 70 80 00 80
            dod(65537, "70800080"),
            // dod -65536 needs 20 bits: 2^20 - 65536 = F0000 = 11110000000000000000:
            // '0' '1110' 11110000000000000000 '0': 01110111 10000000 00000000 00(000000)
            dod(-65536, "77800000"),
            // dod 524288 = 2^19, top of 20 bits: '0' '1110' 1 + 19 zeros '0' → 74 00 00 00
            dod(524288, "74000000"),
            // dod -524287, bottom of 20 bits: 2^20 - 524287 = 80001 = 10000000000000000001:
            // '0' '1110' 10000000000000000001 '0' → 74 00 00 80
            dod(-524287, "74000080"),
            // dod 524289 needs 64 bits: '0' '1111' + 64 bits of 0000000000080001 + '0' = 70
            // bits. Value bit p (p=0 is 2^63) sits at stream bit 5+p: 2^19 → p=44 → bit 49
            // (byte 6, 0x40); 2^0 → p=63 → bit 68 (byte 8, 0x08):
            // 01111000 00×5 01000000 00000000 00001(000) → 78 00 00 00 00 00 40 00 08
            dod(524289, "780000000000400008"),
            // dod -524288 needs 64 bits: FFFFFFFFFFF80000 = bits p 0..44 set → stream bits
            // 5..49: 01111111 FF×5 11000000 00000000 00(000000) → 7F FF FF FF FF FF C0 00 00
            dod(-524288, "7fffffffffffc00000"));
    }

    private static Vector dod(long dod, String bitsHex) {
        return new Vector("dod " + dod, new long[] {0, 1_000_000, 2_000_000 + dod}, new long[] {0, 0, 0},
            DOD_PREFIX + bitsHex);
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void encoder_produces_prometheus_bytes(Vector v) {
        XorChunk c = new XorChunk(8); // tiny buffer: exercises growth on every append
        for (int i = 0; i < v.ts.length; i++) c.append(v.ts[i], Double.longBitsToDouble(v.vBits[i]));
        assertEquals(v.hex, HexFormat.of().formatHex(c.toBytes()));
        assertEquals(v.ts.length, c.numSamples());
        assertEquals(v.ts[0], c.minT());
        assertEquals(v.ts[v.ts.length - 1], c.maxT());
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void iterator_decodes_prometheus_bytes(Vector v) {
        byte[] bytes = HexFormat.of().parseHex(v.hex);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        for (XorIterator it : new XorIterator[] {
                new XorIterator().reset(bytes, 0, bytes.length), new XorIterator().reset(direct)}) {
            for (int i = 0; i < v.ts.length; i++) {
                assertEquals(SampleIterator.FLOAT, it.next());
                assertEquals(v.ts[i], it.atT(), "t at " + i);
                assertEquals(v.vBits[i], it.atVBits(), "v at " + i);
            }
            assertEquals(SampleIterator.NONE, it.next());
            assertFalse(it.corrupt());
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void fromBytes_keeps_the_bytes(Vector v) {
        byte[] bytes = HexFormat.of().parseHex(v.hex);
        assertArrayEquals(bytes, XorChunk.fromBytes(bytes, 0, bytes.length).toBytes());
    }

    /**
     * Worst-case appends: sample 1 takes a 10-byte delta varint plus a 77-bit value (157 bits);
     * later ones take 64-bit dods. The original growth check reserved only 144 bits per append,
     * so this overran the buffer whenever it was nearly full.
     */
    @org.junit.jupiter.api.Test
    void worst_case_appends_fit_the_buffer() {
        long xorAll = 0x8000000000000001L; // no leading or trailing zeros: sigbits 64
        for (int capacity = 8; capacity < 64; capacity++) {
            XorChunk c = new XorChunk(capacity);
            long t = Long.MIN_VALUE;
            c.append(t, 0.0);
            t = 5; // delta 2^63 + 5: a 10-byte uvarint
            long v = xorAll;
            c.append(t, Double.longBitsToDouble(v));
            for (int i = 2; i < 40; i++) {
                t += (i % 2 == 0) ? 1 : (1L << 56); // dods of about ±2^56: '1111' + 64 bits
                v ^= xorAll;
                c.append(t, Double.longBitsToDouble(v));
            }
            XorIterator it = new XorIterator().reset(c.toBytes(), 0, c.sizeBytes());
            int n = 0;
            while (it.next() == SampleIterator.FLOAT) n++;
            assertEquals(40, n);
            assertFalse(it.corrupt());
        }
    }
}
