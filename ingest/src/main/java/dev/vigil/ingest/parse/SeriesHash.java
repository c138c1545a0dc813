package dev.vigil.ingest.parse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A stable 64-bit hash of raw series text, for scrape-cache lookups. Murmur3-style mixing of
 * 8-byte words with a 64-bit finalizer; the same bytes hash the same in every process and version.
 */
public final class SeriesHash {
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long C1 = 0x87c37b91114253d5L;
    private static final long C2 = 0x4cf5ad432745937fL;

    private SeriesHash() {}

    /** Hash of {@code buf[start, end)}. */
    public static long hash(byte[] buf, int start, int end) {
        long h = 0x9E3779B97F4A7C15L ^ (end - start);
        int i = start;
        for (; i + 8 <= end; i += 8) {
            long k = (long) LONG_LE.get(buf, i);
            h ^= mixK(k);
            h = Long.rotateLeft(h, 27) * 5 + 0x52dce729;
        }
        long k = 0;
        for (int s = 0; i < end; i++, s += 8) k |= (buf[i] & 0xFFL) << s;
        h ^= mixK(k);
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long mixK(long k) {
        k *= C1;
        k = Long.rotateLeft(k, 31);
        return k * C2;
    }
}
