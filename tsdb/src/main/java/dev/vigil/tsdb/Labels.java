package dev.vigil.tsdb;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable label set, sorted by name, stored as one array of alternating names and values.
 *
 * <p>{@code __name__} is an ordinary label. Empty values are treated as absent (Prometheus drops
 * them), so {@code Labels.of("a", "")} equals {@link #EMPTY}. Names must be non-empty, unique and
 * valid UTF-16 (no unpaired surrogates, hence valid UTF-8 once encoded); construction throws
 * {@link IllegalArgumentException} naming what is wrong otherwise.
 *
 * <p>The {@link #hash()} is a stable 64-bit hash of the canonical encoding: it is the same in every
 * process and version, so it may be persisted. Instances are thread-safe.
 */
public final class Labels implements Comparable<Labels> {
    public static final String METRIC_NAME = "__name__";
    public static final Labels EMPTY = new Labels(new String[0]);
    private static final int INTERN_SLOTS = 1 << 12; // see intern()
    private static final String[] INTERNED = new String[INTERN_SLOTS];

    /** name0, value0, name1, value1, ... sorted by name; no empty values. */
    private final String[] pairs;
    private final long hash;
    /**
     * Every string is the JVM's canonical instance ({@link #interned()} made this set). A hint, not
     * state: written once, racily, and a reader that misses it only interns again.
     */
    private boolean canonical;

    private Labels(String[] sortedPairs) {
        this.pairs = sortedPairs;
        this.hash = computeHash(sortedPairs);
    }

    /** The same label set with other but equal strings: the hash is that of the content. */
    private Labels(String[] sortedPairs, long hash) {
        this.pairs = sortedPairs;
        this.hash = hash;
    }

    /** Builds a label set from alternating names and values, in any order. */
    public static Labels of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("odd number of label names and values [count=" + namesAndValues.length + "]");
        }
        return fromPairs(namesAndValues.clone());
    }

    public static Labels of(Map<String, String> map) {
        String[] p = new String[map.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> e : map.entrySet()) {
            p[i++] = e.getKey();
            p[i++] = e.getValue();
        }
        return fromPairs(p);
    }

    /** Takes ownership of {@code p} (alternating names and values), validates, sorts and drops empty values. */
    static Labels fromPairs(String[] p) {
        int n = p.length / 2;
        // insertion sort by name: label sets are small and often already sorted
        for (int i = 1; i < n; i++) {
            String name = p[2 * i], value = p[2 * i + 1];
            int j = i - 1;
            while (j >= 0 && compareNames(p[2 * j], name) > 0) {
                p[2 * j + 2] = p[2 * j];
                p[2 * j + 3] = p[2 * j + 1];
                j--;
            }
            p[2 * j + 2] = name;
            p[2 * j + 3] = value;
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            String name = p[2 * i], value = p[2 * i + 1];
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("empty label name");
            }
            if (value == null) {
                throw new IllegalArgumentException("null label value [name=" + name + "]");
            }
            if (i > 0 && name.equals(p[2 * i - 2])) {
                throw new IllegalArgumentException("duplicate label name [name=" + name + "]");
            }
            if (!isValidUtf16(name)) {
                throw new IllegalArgumentException("label name is not valid UTF-8 [name=" + name + "]");
            }
            if (!isValidUtf16(value)) {
                throw new IllegalArgumentException("label value is not valid UTF-8 [name=" + name + "]");
            }
            if (!value.isEmpty()) {
                p[2 * kept] = name;
                p[2 * kept + 1] = value;
                kept++;
            }
        }
        if (kept == 0) return EMPTY;
        return new Labels(kept == n ? p : Arrays.copyOf(p, kept * 2));
    }

    /** Label names compare by UTF-8 bytes, which for valid UTF-16 equals code-point order. */
    static int compareNames(String a, String b) {
        return compareUtf8(a, b);
    }

    /** Compares two strings in UTF-8 byte order (code-point order), as Prometheus does. */
    public static int compareUtf8(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char x = a.charAt(i), y = b.charAt(i);
            if (x != y) {
                boolean xs = Character.isSurrogate(x), ys = Character.isSurrogate(y);
                if (xs != ys) return xs ? 1 : -1; // supplementary code points sort after the BMP
                return x - y;
            }
        }
        return a.length() - b.length();
    }

    static boolean isValidUtf16(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return false;
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        for (int i = 0; i < size(); i++) b.set(name(i), value(i));
        return b;
    }

    public int size() {
        return pairs.length / 2;
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    public String name(int i) {
        return pairs[2 * i];
    }

    public String value(int i) {
        return pairs[2 * i + 1];
    }

    /** The value of {@code name}, or {@code ""} when absent (Prometheus semantics). */
    public String get(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) return pairs[i + 1];
        }
        return "";
    }

    public boolean has(String name) {
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(name)) return true;
        }
        return false;
    }

    /** The metric name, or {@code ""}. */
    public String metricName() {
        return get(METRIC_NAME);
    }

    /** Stable 64-bit hash of the canonical encoding; never changes across versions. */
    public long hash() {
        return hash;
    }

    /**
     * The same label set with every string interned, so that series sharing a name or value share
     * one String (the head keeps one Labels per series; this is most of its label memory).
     */
    public Labels interned() {
        if (canonical) return this;
        Labels l = interned(Labels::intern);
        l.canonical = true;
        return l;
    }

    /** The same label set with every string replaced by {@code interner}'s canonical instance. */
    public Labels interned(java.util.function.UnaryOperator<String> interner) {
        String[] p = null;
        for (int i = 0; i < pairs.length; i++) {
            String c = interner.apply(pairs[i]);
            if (c != pairs[i] && p == null) p = pairs.clone();
            if (p != null) p[i] = c;
        }
        // Already canonical: this instance itself, so that holders of it (the head, a scrape cache) share it.
        return p == null ? this : new Labels(p, hash);
    }

    /**
     * {@link String#intern()} behind a small direct-mapped cache of canonical strings. The JVM's
     * string table costs ~100 ns a call (a native call and a hash of its own); a new series interns
     * every name and value, and most of them (label names, {@code job}, {@code instance}, bucket
     * bounds, methods, codes) recur series after series, so the cache answers them for a hash and
     * an equals. It holds at most {@code INTERN_SLOTS} strings strongly; everything else stays
     * collectable as with {@code intern()} alone. Racy by design: a slot holds a reference to an
     * immutable, canonical String or null, so any value a reader sees is a right answer.
     */
    public static String intern(String s) {
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (INTERN_SLOTS - 1);
        String c = INTERNED[slot];
        if (c != null && (c == s || c.equals(s))) return c;
        c = s.intern();
        INTERNED[slot] = c;
        return c;
    }

    /** A copy without the named labels. */
    public Labels without(String... names) {
        // this set is valid and sorted already, so skipping pairs keeps it so: no builder, no re-validation
        int drop = 0;
        for (int i = 0; i < pairs.length; i += 2) if (contains(names, pairs[i])) drop++;
        if (drop == 0) return this;
        if (drop * 2 == pairs.length) return EMPTY;
        String[] p = new String[pairs.length - drop * 2];
        int k = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (contains(names, pairs[i])) continue;
            p[k++] = pairs[i];
            p[k++] = pairs[i + 1];
        }
        return new Labels(p);
    }

    /** A copy with only the named labels (names absent here are skipped). */
    public Labels keep(java.util.Collection<String> names) {
        int k = 0;
        for (int i = 0; i < pairs.length; i += 2) if (names.contains(pairs[i])) k++;
        if (k * 2 == pairs.length) return this;
        if (k == 0) return EMPTY;
        String[] p = new String[k * 2];
        int j = 0;
        for (int i = 0; i < pairs.length; i += 2) {
            if (!names.contains(pairs[i])) continue;
            p[j++] = pairs[i];
            p[j++] = pairs[i + 1];
        }
        return new Labels(p);
    }

    private static boolean contains(String[] names, String name) {
        for (String n : names) if (n.equals(name)) return true;
        return false;
    }

    /**
     * Canonical encoding: for each pair in order, uvarint(len(name)) name uvarint(len(value)) value,
     * UTF-8. Two label sets are equal exactly when their encodings are equal.
     */
    public byte[] encode() {
        // ASCII, nearly always: one exact-size array written char by char, no String.getBytes copy
        // per string (a new series encodes its labels for the dictionary and the WAL).
        int size = 0;
        for (String s : pairs) size += s.length() + uvarintSize(s.length());
        byte[] out = new byte[size];
        int p = 0;
        for (String s : pairs) {
            int n = s.length();
            for (int v = n; ; v >>>= 7) {
                if (v < 0x80) {
                    out[p++] = (byte) v;
                    break;
                }
                out[p++] = (byte) (v & 0x7F | 0x80);
            }
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x80) return encodeUtf8();
                out[p++] = (byte) c;
            }
        }
        return out;
    }

    private static int uvarintSize(int v) {
        return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x20_0000 ? 3 : v < 0x1000_0000 ? 4 : 5;
    }

    private byte[] encodeUtf8() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(pairs.length * 12);
        for (String s : pairs) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeUvarint(out, b.length);
            out.write(b, 0, b.length);
        }
        return out.toByteArray();
    }

    /** Decodes {@link #encode()}'s output. */
    public static Labels decode(byte[] buf, int off, int len) {
        int end = off + len;
        String[] p = new String[16];
        int n = 0;
        int[] pos = {off};
        while (pos[0] < end) {
            int l = (int) readUvarint(buf, pos, end);
            if (l < 0 || pos[0] + l > end) {
                throw new IllegalArgumentException("malformed label encoding [offset=" + pos[0] + "]");
            }
            if (n == p.length) p = Arrays.copyOf(p, n * 2);
            p[n++] = new String(buf, pos[0], l, StandardCharsets.UTF_8);
            pos[0] += l;
        }
        if (n % 2 != 0) throw new IllegalArgumentException("malformed label encoding: odd string count");
        return fromPairs(n == p.length ? p : Arrays.copyOf(p, n));
    }

    private static void writeUvarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static long readUvarint(byte[] buf, int[] pos, int end) {
        long x = 0;
        int s = 0;
        for (int i = 0; i < 10; i++) {
            if (pos[0] >= end) throw new IllegalArgumentException("malformed label encoding: truncated length");
            byte b = buf[pos[0]++];
            if (b >= 0) return x | ((long) b << s);
            x |= (long) (b & 0x7F) << s;
            s += 7;
        }
        throw new IllegalArgumentException("uvarint overflow");
    }

    private static long computeHash(String[] p) {
        // FNV-1a over UTF-16 code units with a 0xFF separator after every string, finished with a
        // murmur3 fmix64 so that the low bits spread well for striping.
        long h = 0xcbf29ce484222325L;
        for (String s : p) {
            for (int i = 0; i < s.length(); i++) {
                h ^= s.charAt(i);
                h *= 0x100000001b3L;
            }
            h ^= 0xFF;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public int compareTo(Labels o) {
        int n = Math.min(pairs.length, o.pairs.length);
        for (int i = 0; i < n; i++) {
            int c = compareUtf8(pairs[i], o.pairs[i]);
            if (c != 0) return c;
        }
        return pairs.length - o.pairs.length;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof Labels other)) return false;
        return hash == other.hash && Arrays.equals(pairs, other.pairs);
    }

    @Override
    public int hashCode() {
        return (int) (hash ^ (hash >>> 32));
    }

    /** Prometheus's notation: {@code name{a="b", c="d"}}, or {@code {a="b"}} without a name. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        String name = metricName();
        sb.append(name).append('{');
        boolean first = true;
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i].equals(METRIC_NAME)) continue;
            if (!first) sb.append(", ");
            first = false;
            sb.append(pairs[i]).append("=\"");
            escape(sb, pairs[i + 1]);
            sb.append('"');
        }
        return sb.append('}').toString();
    }

    private static void escape(StringBuilder sb, String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '"' -> sb.append("\\\"");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    /** A mutable builder; {@link #set} with an empty value removes the label. Not thread-safe. */
    public static final class Builder {
        private String[] p = new String[16];
        private int n; // strings used

        public Builder set(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) {
                    p[i + 1] = value;
                    return this;
                }
            }
            if (n + 2 > p.length) p = Arrays.copyOf(p, p.length * 2);
            p[n++] = name;
            p[n++] = value;
            return this;
        }

        public Builder remove(String name) {
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) {
                    System.arraycopy(p, i + 2, p, i, n - i - 2);
                    n -= 2;
                    return this;
                }
            }
            return this;
        }

        public String get(String name) {
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) return p[i + 1];
            }
            return "";
        }

        public Builder reset() {
            n = 0;
            return this;
        }

        /** Validates as {@link Labels#of}; the builder stays usable. */
        public Labels build() {
            return fromPairs(Arrays.copyOf(p, n));
        }
    }
}
