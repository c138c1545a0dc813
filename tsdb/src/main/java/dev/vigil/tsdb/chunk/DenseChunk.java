package dev.vigil.tsdb.chunk;

/**
 * Encodes a whole run of float samples at once in the {@link Encoding#DENSE} format, for
 * persisted blocks where chunks are written once (compaction) and never appended to. The layout
 * is in {@code tsdb/docs/format/chunks.md} ("Dense chunk encoding"); decode with
 * {@link DenseIterator}.
 *
 * <p>How it gets small: timestamps are delta-of-delta, bit-packed by frame of reference in groups
 * of {@value #GROUP}, with an "all equal" shortcut, so regular scrapes cost a few bytes per
 * chunk in total. Values that are decimals with at most {@value #MAX_SCALE} fraction digits
 * (integers, counters, {@code 0.1}-step gauges, ...) become integers {@code x = v·10^k} that are
 * stored as values, deltas or delta-of-deltas (whichever packs smallest), bit-packed the same
 * way. The rest fall back per value (exceptions: NaN, ±Inf, -0.0, the stale marker, values that
 * do not round-trip) or, when that is not smaller, per chunk to Prometheus-style XOR values.
 *
 * <p>Lossless: every value is checked during encoding to decode to the identical bits
 * ({@code (double) x / 10^k}, division being correctly rounded), else it is an exception.
 *
 * <p>An instance holds scratch buffers and is reusable; not thread-safe. The encoder does not
 * check timestamp order; the caller (compaction) provides strictly increasing timestamps.
 */
public final class DenseChunk {
    /** The 2-byte header holds at most 2^16-1 samples. */
    public static final int MAX_SAMPLES = 0xFFFF;

    /**
     * Samples per frame-of-reference group. Measured with {@code ChunkSizeReportTest} (mean
     * bytes/sample over all series): 16 → 1.06, 32 → 1.01, 64 → 1.00. 64 gains 1% on that
     * smooth workload but doubles what one outlier costs (the whole group takes its width), so 32.
     */
    static final int GROUP = 32;

    /** Largest decimal scale tried: 10^9 still leaves 10^9·|v| ≤ 2^53 for |v| up to ~9·10^6. */
    static final int MAX_SCALE = 9;

    static final int MODE_XOR = 0;
    static final int MODE_DECIMAL = 1;

    static final double[] POW10 = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};

    private static final double MAX_EXACT = 0x1p53;

    private final BitWriter main = new BitWriter();
    private final BitWriter xorValues = new BitWriter();
    private final BitWriter decimalValues = new BitWriter();
    private long[] residuals = new long[64];
    private long[] ints = new long[64];
    private boolean[] exception = new boolean[64];

    /**
     * An upper bound on the encoded size of {@code numSamples} samples, header included, for
     * sizing the output of {@link #encode(long[], double[], int, byte[], int)}.
     */
    public static int maxEncodedBytes(int numSamples) {
        // ≤ 143.5 bits per sample (64-bit dod + packing share, 77-bit XOR value) plus fixed fields
        return 64 + 18 * numSamples;
    }

    /**
     * Encodes samples {@code [0, n)} into {@code out} at {@code off}.
     *
     * @param ts strictly increasing timestamps, epoch millis
     * @param vs the values; their raw bits are preserved (NaN payloads, the stale marker, -0.0)
     * @return the offset just past the chunk's last byte
     * @throws IllegalArgumentException when {@code n} exceeds {@link #MAX_SAMPLES} or the arrays
     * @throws IndexOutOfBoundsException when {@code out} has no room; {@link #maxEncodedBytes}
     *     always suffices
     */
    public int encode(long[] ts, double[] vs, int n, byte[] out, int off) {
        if (n < 0 || n > MAX_SAMPLES || n > ts.length || n > vs.length) {
            throw new IllegalArgumentException("bad sample count [n=" + n + "]");
        }
        main.reset();
        main.writeBits(n, 16);
        writeTimestamps(ts, n);
        if (n > 0) {
            xorValues.reset();
            writeXorValues(xorValues, vs, n);
            decimalValues.reset();
            boolean decimal = writeDecimalValues(decimalValues, vs, n);
            main.append(decimal && decimalValues.bitLength() < xorValues.bitLength() ? decimalValues : xorValues);
        }
        int len = main.byteLength();
        if (off < 0 || out.length - off < len) {
            throw new IndexOutOfBoundsException("no room for dense chunk [need=" + len + ", have=" + (out.length - off) + "]");
        }
        System.arraycopy(main.buffer(), 0, out, off, len);
        return off + len;
    }

    /** Encodes samples {@code [0, n)} into a new array of exactly the chunk's length. */
    public byte[] encode(long[] ts, double[] vs, int n) {
        byte[] out = new byte[maxEncodedBytes(n)];
        int len = encode(ts, vs, n, out, 0);
        return java.util.Arrays.copyOf(out, len);
    }

    private void ensureScratch(int n) {
        if (residuals.length < n) {
            int cap = Math.max(n, residuals.length * 2);
            residuals = new long[cap];
            ints = new long[cap];
            exception = new boolean[cap];
        }
    }

    private void writeTimestamps(long[] ts, int n) {
        if (n >= 1) main.writeVarbits(BitWriter.zigzag(ts[0]));
        if (n >= 2) main.writeVarbits(BitWriter.zigzag(ts[1] - ts[0]));
        if (n >= 3) {
            ensureScratch(n);
            for (int i = 2; i < n; i++) residuals[i - 2] = (ts[i] - ts[i - 1]) - (ts[i - 1] - ts[i - 2]);
            writePacked(main, residuals, n - 2);
        }
    }

    /** Prometheus's XOR value scheme (see "XOR chunk encoding"), after a 2-bit mode. */
    private static void writeXorValues(BitWriter w, double[] vs, int n) {
        w.writeBits(MODE_XOR, 2);
        long prev = Double.doubleToRawLongBits(vs[0]);
        w.writeBits(prev, 64);
        int leading = 0xFF;
        int trailing = 0;
        for (int i = 1; i < n; i++) {
            long bits = Double.doubleToRawLongBits(vs[i]);
            long x = bits ^ prev;
            prev = bits;
            if (x == 0) {
                w.writeBits(0, 1);
                continue;
            }
            int lz = Math.min(Long.numberOfLeadingZeros(x), 31);
            int tz = Long.numberOfTrailingZeros(x);
            if (leading != 0xFF && lz >= leading && tz >= trailing) {
                w.writeBits(0b10, 2);
                w.writeBits(x >>> trailing, 64 - leading - trailing);
            } else {
                leading = lz;
                trailing = tz;
                int sigBits = 64 - lz - tz;
                w.writeBits(0b11, 2);
                w.writeBits(lz, 5);
                w.writeBits(sigBits, 6);
                w.writeBits(x >>> tz, sigBits);
            }
        }
    }

    /**
     * The smallest k in [0, 9] with {@code (double) round(v·10^k) / 10^k} bit-identical to
     * {@code v} and {@code |v·10^k| ≤ 2^53}; -1 when there is none (NaN, ±Inf, -0.0, too many
     * digits, too large).
     */
    static int decimalScale(long bits) {
        double v = Double.longBitsToDouble(bits);
        if (!Double.isFinite(v)) return -1;
        for (int k = 0; k <= MAX_SCALE; k++) {
            double scaled = v * POW10[k];
            if (Math.abs(scaled) > MAX_EXACT) return -1;
            if (Double.doubleToRawLongBits(Math.round(scaled) / POW10[k]) == bits) return k;
        }
        return -1;
    }

    private boolean writeDecimalValues(BitWriter w, double[] vs, int n) {
        ensureScratch(n);
        int scale = 0;
        int exceptions = 0;
        for (int i = 0; i < n; i++) {
            int k = decimalScale(Double.doubleToRawLongBits(vs[i]));
            exception[i] = k < 0;
            if (k < 0) exceptions++;
            else scale = Math.max(scale, k);
        }
        if (exceptions == n) return false;
        // a value exact at scale k is exact at any larger scale (both divisions round the same
        // real number), but check anyway: exactness is the contract
        double pow = POW10[scale];
        long firstX = 0;
        boolean haveFirst = false;
        for (int i = 0; i < n; i++) {
            if (exception[i]) continue;
            long bits = Double.doubleToRawLongBits(vs[i]);
            double scaled = vs[i] * pow;
            long x = Math.round(scaled);
            if (Math.abs(scaled) > MAX_EXACT || Double.doubleToRawLongBits(x / pow) != bits) {
                exception[i] = true;
                exceptions++;
                continue;
            }
            ints[i] = x;
            if (!haveFirst) {
                firstX = x;
                haveFirst = true;
            }
        }
        if (exceptions == n) return false;
        // exceptions get a placeholder that keeps deltas at zero
        for (int i = 0; i < n; i++) {
            if (exception[i]) ints[i] = i == 0 ? firstX : ints[i - 1];
        }

        int order = 0;
        long best = Long.MAX_VALUE;
        for (int o = 0; o <= 2; o++) {
            int m = fillResiduals(o, n);
            long size = packedSize(residuals, m) + (o == 2 && n >= 2 ? BitWriter.varbitsSize(BitWriter.zigzag(ints[1] - ints[0])) : 0);
            if (size < best) {
                best = size;
                order = o;
            }
        }
        w.writeBits(MODE_DECIMAL, 2);
        w.writeBits(scale, 4);
        w.writeBits(order, 2);
        w.writeVarbits(BitWriter.zigzag(ints[0]));
        if (order == 2 && n >= 2) w.writeVarbits(BitWriter.zigzag(ints[1] - ints[0]));
        writePacked(w, residuals, fillResiduals(order, n));

        w.writeVarbits(exceptions);
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (!exception[i]) continue;
            w.writeVarbits(i - last - 1);
            w.writeBits(Double.doubleToRawLongBits(vs[i]), 64);
            last = i;
        }
        return true;
    }

    /** Fills {@code residuals} for an order (0 values, 1 deltas, 2 delta-of-deltas); returns how many. */
    private int fillResiduals(int order, int n) {
        switch (order) {
            case 0 -> {
                for (int i = 1; i < n; i++) residuals[i - 1] = ints[i];
                return Math.max(n - 1, 0);
            }
            case 1 -> {
                for (int i = 1; i < n; i++) residuals[i - 1] = ints[i] - ints[i - 1];
                return Math.max(n - 1, 0);
            }
            default -> {
                for (int i = 2; i < n; i++) residuals[i - 2] = (ints[i] - ints[i - 1]) - (ints[i - 1] - ints[i - 2]);
                return Math.max(n - 2, 0);
            }
        }
    }

    private static boolean allEqual(long[] r, int m) {
        for (int i = 1; i < m; i++) if (r[i] != r[0]) return false;
        return true;
    }

    /** Bits {@link #writePacked} would write. */
    static long packedSize(long[] r, int m) {
        if (m == 0) return 0;
        if (allEqual(r, m)) return 1 + BitWriter.varbitsSize(BitWriter.zigzag(r[0]));
        long bits = 1;
        for (int g = 0; g < m; g += GROUP) {
            int end = Math.min(m, g + GROUP);
            long min = r[g];
            long max = r[g];
            for (int i = g + 1; i < end; i++) {
                min = Math.min(min, r[i]);
                max = Math.max(max, r[i]);
            }
            int width = 64 - Long.numberOfLeadingZeros(max - min);
            bits += 7 + BitWriter.varbitsSize(BitWriter.zigzag(min)) + (long) width * (end - g);
        }
        return bits;
    }

    /**
     * {@code <packed>}: '1' + varbits(zigzag(r)) when all equal; else '0' + per group of up to
     * {@value #GROUP}: width (7 bits), varbits(zigzag(min)), then each {@code r - min} in width
     * bits (wrapping arithmetic: the difference is taken as unsigned).
     */
    static void writePacked(BitWriter w, long[] r, int m) {
        if (m == 0) return;
        if (allEqual(r, m)) {
            w.writeBits(1, 1);
            w.writeVarbits(BitWriter.zigzag(r[0]));
            return;
        }
        w.writeBits(0, 1);
        for (int g = 0; g < m; g += GROUP) {
            int end = Math.min(m, g + GROUP);
            long min = r[g];
            long max = r[g];
            for (int i = g + 1; i < end; i++) {
                min = Math.min(min, r[i]);
                max = Math.max(max, r[i]);
            }
            int width = 64 - Long.numberOfLeadingZeros(max - min);
            w.writeBits(width, 7);
            w.writeVarbits(BitWriter.zigzag(min));
            for (int i = g; i < end; i++) w.writeBits(r[i] - min, width);
        }
    }
}
