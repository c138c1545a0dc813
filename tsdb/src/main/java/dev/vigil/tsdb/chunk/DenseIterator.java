package dev.vigil.tsdb.chunk;

import java.nio.ByteBuffer;

/**
 * Decodes a {@link Encoding#DENSE} chunk (written by {@link DenseChunk}; layout in
 * {@code tsdb/docs/format/chunks.md}, "Dense chunk encoding").
 *
 * <p>{@code reset} decodes the whole chunk into arrays the iterator owns and reuses, so
 * {@link #next()} is an index bump and {@link #seek(long)} a binary search; memory grows to the
 * largest chunk seen and is then reused (no allocation in steady state). The source bytes are not
 * referenced after {@code reset} returns. A damaged chunk yields no samples and
 * {@link #corrupt()} is true.
 *
 * <p>{@link #seek(long)} never moves backwards; once {@link #next()} or {@link #seek(long)} has
 * returned {@link #NONE}, both keep returning it. Not thread-safe.
 */
public final class DenseIterator implements ChunkSampleIterator {
    private final BitReader in = new BitReader();
    private long[] ts = new long[0];
    private long[] vBits = new long[0];
    private int count;
    private int index;
    private boolean done;
    private boolean corrupt;

    @Override
    public byte encoding() {
        return Encoding.DENSE;
    }

    @Override
    public DenseIterator reset(ByteBuffer chunk) {
        in.reset(chunk);
        return decode(chunk.remaining());
    }

    @Override
    public DenseIterator reset(byte[] src, int off, int len) {
        in.reset(src, off, len);
        return decode(len);
    }

    private DenseIterator decode(int len) {
        index = -1;
        done = false;
        corrupt = false;
        count = 0;
        try {
            int n = (int) in.readBits(16);
            if (ts.length < n) {
                ts = new long[n];
                vBits = new long[n];
            }
            decodeTimestamps(n);
            if (n > 0) {
                int mode = (int) in.readBits(2);
                switch (mode) {
                    case DenseChunk.MODE_XOR -> decodeXor(n);
                    case DenseChunk.MODE_DECIMAL -> decodeDecimal(n);
                    default -> throw new IndexOutOfBoundsException("value mode " + mode);
                }
            }
            count = n;
        } catch (IndexOutOfBoundsException e) {
            // our own bounds and range checks: the bytes are truncated or damaged
            corrupt = true;
        } finally {
            in.clear();
        }
        return this;
    }

    private void decodeTimestamps(int n) {
        if (n >= 1) ts[0] = BitReader.unzigzag(in.readVarbits());
        if (n >= 2) ts[1] = ts[0] + BitReader.unzigzag(in.readVarbits());
        if (n >= 3) {
            readPacked(ts, 2, n - 2);
            long delta = ts[1] - ts[0];
            for (int i = 2; i < n; i++) {
                delta += ts[i]; // ts[i] holds the dod until here
                ts[i] = ts[i - 1] + delta;
            }
        }
    }

    /** Reads {@code m} packed values into {@code dst[from..from+m)}. */
    private void readPacked(long[] dst, int from, int m) {
        if (m == 0) return;
        if (in.readBit()) {
            long v = BitReader.unzigzag(in.readVarbits());
            for (int i = 0; i < m; i++) dst[from + i] = v;
            return;
        }
        for (int g = 0; g < m; g += DenseChunk.GROUP) {
            int end = Math.min(m, g + DenseChunk.GROUP);
            int width = (int) in.readBits(7);
            if (width > 64) throw new IndexOutOfBoundsException("packed width " + width);
            long min = BitReader.unzigzag(in.readVarbits());
            for (int i = g; i < end; i++) dst[from + i] = min + in.readBits(width);
        }
    }

    private void decodeXor(int n) {
        long v = in.readBits(64);
        vBits[0] = v;
        int leading = 0;
        int trailing = 0;
        for (int i = 1; i < n; i++) {
            if (in.readBit()) {
                if (in.readBit()) {
                    int newLeading = (int) in.readBits(5);
                    int sigBits = (int) in.readBits(6);
                    if (sigBits == 0) sigBits = 64;
                    if (newLeading + sigBits > 64) throw new IndexOutOfBoundsException("bad xor window");
                    leading = newLeading;
                    trailing = 64 - newLeading - sigBits;
                }
                v ^= in.readBits(64 - leading - trailing) << trailing;
            }
            vBits[i] = v;
        }
    }

    private void decodeDecimal(int n) {
        int scale = (int) in.readBits(4);
        int order = (int) in.readBits(2);
        if (scale > DenseChunk.MAX_SCALE || order > 2) {
            throw new IndexOutOfBoundsException("decimal scale " + scale + " order " + order);
        }
        long[] x = vBits; // integers first, converted to double bits in place below
        x[0] = BitReader.unzigzag(in.readVarbits());
        switch (order) {
            case 0 -> readPacked(x, 1, n - 1);
            case 1 -> {
                readPacked(x, 1, n - 1);
                for (int i = 1; i < n; i++) x[i] += x[i - 1];
            }
            default -> {
                if (n >= 2) {
                    long delta = BitReader.unzigzag(in.readVarbits());
                    x[1] = x[0] + delta;
                    readPacked(x, 2, n - 2);
                    for (int i = 2; i < n; i++) {
                        delta += x[i];
                        x[i] = x[i - 1] + delta;
                    }
                }
            }
        }
        double pow = DenseChunk.POW10[scale];
        for (int i = 0; i < n; i++) vBits[i] = Double.doubleToRawLongBits(x[i] / pow);
        long exceptions = in.readVarbits();
        if (exceptions > n) throw new IndexOutOfBoundsException("exceptions " + exceptions);
        long at = -1;
        for (long e = 0; e < exceptions; e++) {
            at += in.readVarbits() + 1;
            if (at < 0 || at >= n) throw new IndexOutOfBoundsException("exception index " + at);
            vBits[(int) at] = in.readBits(64);
        }
    }

    @Override
    public boolean corrupt() {
        return corrupt;
    }

    @Override
    public int next() {
        if (done || index + 1 >= count) {
            done = true;
            return NONE;
        }
        index++;
        return FLOAT;
    }

    @Override
    public int seek(long target) {
        if (done) return NONE;
        if (index >= 0 && ts[index] >= target) return FLOAT;
        int lo = index + 1;
        int hi = count; // first index with ts >= target lies in [lo, hi]
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ts[mid] < target) lo = mid + 1;
            else hi = mid;
        }
        if (lo >= count) {
            index = count;
            done = true;
            return NONE;
        }
        index = lo;
        return FLOAT;
    }

    /** The current sample's timestamp, epoch millis; undefined before the first {@code next}. */
    @Override
    public long atT() {
        return ts[index];
    }

    /** The current sample's value; undefined before the first {@code next}. */
    @Override
    public double atV() {
        return Double.longBitsToDouble(vBits[index]);
    }

    @Override
    public long atVBits() {
        return vBits[index];
    }
}
