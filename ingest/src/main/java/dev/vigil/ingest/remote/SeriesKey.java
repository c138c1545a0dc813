package dev.vigil.ingest.remote;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The label pairs of one series as slices of the decoded request (in wire order), hashed and
 * compared without building Strings; Strings are made only on a {@link SeriesRefCache} miss.
 */
final class SeriesKey {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    final ProtoReader labelReader = new ProtoReader(new byte[0], 0, 0);
    private byte[] buf;
    // name start, name end, value start, value end per label
    private int[] offs = new int[64];
    private int n;

    void reset() {
        n = 0;
        buf = null;
    }

    void add(byte[] b, int nameStart, int nameEnd, int valueStart, int valueEnd) {
        buf = b;
        if (n + 4 > offs.length) offs = Arrays.copyOf(offs, offs.length * 2);
        offs[n++] = nameStart;
        offs[n++] = nameEnd;
        offs[n++] = valueStart;
        offs[n++] = valueEnd;
    }

    int labelCount() {
        return n / 4;
    }

    long hash() {
        long h = FNV_OFFSET;
        for (int i = 0; i < n; i += 2) {
            int s = offs[i], e = offs[i + 1];
            h = (h ^ (e - s)) * FNV_PRIME;
            for (int p = s; p < e; p++) h = (h ^ (buf[p] & 0xff)) * FNV_PRIME;
        }
        return h ^ (h >>> 29);
    }

    /** Whether {@code stored} (from {@link #copyBytes}) holds the same slices. */
    boolean matches(byte[] stored) {
        int q = 0;
        for (int i = 0; i < n; i += 2) {
            int s = offs[i], len = offs[i + 1] - s;
            if (q + 4 > stored.length) return false;
            int storedLen = (stored[q] & 0xff) << 24 | (stored[q + 1] & 0xff) << 16 | (stored[q + 2] & 0xff) << 8 | (stored[q + 3] & 0xff);
            q += 4;
            if (storedLen != len || q + len > stored.length) return false;
            if (!Arrays.equals(buf, s, s + len, stored, q, q + len)) return false;
            q += len;
        }
        return q == stored.length;
    }

    /** The slices as length-prefixed bytes, the cache's key. */
    byte[] copyBytes() {
        int size = 0;
        for (int i = 0; i < n; i += 2) size += 4 + offs[i + 1] - offs[i];
        byte[] out = new byte[size];
        int q = 0;
        for (int i = 0; i < n; i += 2) {
            int s = offs[i], len = offs[i + 1] - s;
            out[q] = (byte) (len >>> 24);
            out[q + 1] = (byte) (len >>> 16);
            out[q + 2] = (byte) (len >>> 8);
            out[q + 3] = (byte) len;
            System.arraycopy(buf, s, out, q + 4, len);
            q += 4 + len;
        }
        return out;
    }

    /** Null when the bytes are acceptable, else what is wrong (invalid UTF-8 hides in Strings). */
    String validate() {
        if (n == 0) return "invalid metric name or labels, got {} (a series without labels)";
        for (int i = 0; i < n; i += 2) {
            if (!RemoteWriteHandler.validUtf8(buf, offs[i], offs[i + 1])) {
                return "invalid labels for series " + describe() + ": " + ((i & 2) == 0 ? "label name" : "label value") + " is not valid UTF-8";
            }
        }
        return null;
    }

    String[] strings() {
        String[] s = new String[n / 2];
        for (int i = 0; i < n; i += 2) s[i / 2] = new String(buf, offs[i], offs[i + 1] - offs[i], StandardCharsets.UTF_8);
        return s;
    }

    /** The {@code __name__} value, or null. */
    String metricName() {
        for (int i = 0; i < n; i += 4) {
            if (offs[i + 1] - offs[i] == 8 && new String(buf, offs[i], 8, StandardCharsets.UTF_8).equals("__name__")) {
                return new String(buf, offs[i + 2], offs[i + 3] - offs[i + 2], StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The label set as written, for error messages. */
    String describe() {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < n; i += 4) {
            if (i > 0) sb.append(", ");
            sb.append(new String(buf, offs[i], offs[i + 1] - offs[i], StandardCharsets.UTF_8)).append("=\"")
                    .append(new String(buf, offs[i + 2], offs[i + 3] - offs[i + 2], StandardCharsets.UTF_8)).append('"');
        }
        return sb.append('}').toString();
    }
}
