package dev.vigil.ingest.relabel;

import com.google.re2j.Matcher;
import dev.vigil.tsdb.Labels;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Applies relabeling rules to label sets, with Prometheus 3.x semantics.
 *
 * <p>Relabeling runs per target (target relabeling) and per new series (metric relabeling, only on
 * scrape-cache misses), so it is allowed to allocate. Stateless and thread-safe.
 */
public final class Relabel {
    private Relabel() {}

    /**
     * Applies {@code configs} in order.
     *
     * @return the relabeled set, or {@code null} when a keep/drop/keepequal/dropequal rule dropped
     *     it. An empty result (every label removed) is returned as {@link Labels#EMPTY}, not null.
     * @throws IllegalArgumentException if a rule produces an invalid label set (e.g. a labelmap
     *     that maps to an invalid name)
     */
    public static Labels process(Labels labels, List<RelabelConfig> configs) {
        Work w = new Work(labels);
        for (RelabelConfig c : configs) {
            if (!apply(c, w)) return null;
        }
        return w.build();
    }

    /** Applies one rule; false when the set is dropped. */
    private static boolean apply(RelabelConfig c, Work w) {
        String val = joinSources(c, w);
        switch (c.action()) {
            case DROP -> {
                if (c.regex().matches(val)) return false;
            }
            case KEEP -> {
                if (!c.regex().matches(val)) return false;
            }
            case DROPEQUAL -> {
                if (w.get(c.targetLabel()).equals(val)) return false;
            }
            case KEEPEQUAL -> {
                if (!w.get(c.targetLabel()).equals(val)) return false;
            }
            case REPLACE -> replace(c, w, val);
            case LOWERCASE -> w.set(c.targetLabel(), val.toLowerCase(Locale.ROOT));
            case UPPERCASE -> w.set(c.targetLabel(), val.toUpperCase(Locale.ROOT));
            case HASHMOD -> w.set(c.targetLabel(), Long.toUnsignedString(hashMod(val, c.modulus())));
            case LABELMAP -> {
                String[] snap = w.snapshot();
                for (int i = 0; i < snap.length; i += 2) {
                    Matcher m = c.regex().pattern().matcher(snap[i]);
                    if (m.matches()) {
                        w.set(expand(c.regex(), m, c.replacement(), snap[i]), snap[i + 1]);
                    }
                }
            }
            case LABELDROP, LABELKEEP -> {
                boolean dropMatching = c.action() == RelabelAction.LABELDROP;
                String[] snap = w.snapshot();
                for (int i = 0; i < snap.length; i += 2) {
                    if (c.regex().matches(snap[i]) == dropMatching) w.remove(snap[i]);
                }
            }
        }
        return true;
    }

    private static void replace(RelabelConfig c, Work w, String val) {
        Matcher m = c.regex().pattern().matcher(val);
        // No match, no replacement.
        if (!m.matches()) return;
        String target = expand(c.regex(), m, c.targetLabel(), val);
        if (!c.nameValidation().isValidLabelName(target)) return;
        String res = expand(c.regex(), m, c.replacement(), val);
        w.set(target, res); // an empty result deletes the label
    }

    private static String joinSources(RelabelConfig c, Work w) {
        List<String> src = c.sourceLabels();
        if (src.isEmpty()) return "";
        if (src.size() == 1) return w.get(src.getFirst());
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < src.size(); i++) {
            if (i > 0) sb.append(c.separator());
            sb.append(w.get(src.get(i)));
        }
        return sb.toString();
    }

    /**
     * Prometheus's hashmod: MD5 of the UTF-8 bytes, the last 8 bytes read big-endian as an unsigned
     * 64-bit integer, modulo {@code modulus} (unsigned).
     */
    static long hashMod(String val, long modulus) {
        byte[] d;
        try {
            d = MessageDigest.getInstance("MD5").digest(val.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
        long x = 0;
        for (int i = 8; i < 16; i++) x = (x << 8) | (d[i] & 0xFF);
        return Long.remainderUnsigned(x, modulus);
    }

    /**
     * Go's {@code regexp.Expand}: {@code $$} is a literal dollar; {@code $name} takes the longest run
     * of letters, digits and underscores; {@code ${name}} is explicit; a number refers to a group
     * index (leading zeros disallowed, then it is a name); unknown groups and groups that did not
     * participate expand to nothing; a malformed reference leaves the {@code $} as text.
     */
    static String expand(RelabelRegex re, Matcher m, String template, String src) {
        int dollar = template.indexOf('$');
        if (dollar < 0) return template;
        StringBuilder out = new StringBuilder(template.length() + 16);
        int i = 0;
        int n = template.length();
        while (true) {
            int d = template.indexOf('$', i);
            if (d < 0) {
                out.append(template, i, n);
                return out.toString();
            }
            out.append(template, i, d);
            i = d + 1;
            if (i < n && template.charAt(i) == '$') {
                out.append('$');
                i++;
                continue;
            }
            boolean brace = i < n && template.charAt(i) == '{';
            int nameStart = brace ? i + 1 : i;
            int j = nameStart;
            while (j < n) {
                int cp = template.codePointAt(j);
                if (!Character.isLetter(cp) && !Character.isDigit(cp) && cp != '_') break;
                j += Character.charCount(cp);
            }
            if (j == nameStart || (brace && (j >= n || template.charAt(j) != '}'))) {
                out.append('$'); // malformed: treat $ as raw text
                continue;
            }
            String name = template.substring(nameStart, j);
            i = brace ? j + 1 : j;
            int group = groupNumber(name);
            if (group < 0) group = re.groupIndex(name);
            if (group >= 0 && group <= m.groupCount()) {
                int s = m.start(group);
                if (s >= 0) out.append(src, s, m.end(group));
            }
        }
    }

    private static int groupNumber(String name) {
        int num = 0;
        for (int k = 0; k < name.length(); k++) {
            char c = name.charAt(k);
            if (c < '0' || c > '9' || num >= 100_000_000) return -1;
            num = num * 10 + (c - '0');
        }
        if (name.charAt(0) == '0' && name.length() > 1) return -1;
        return num;
    }

    /** The label set being relabeled: alternating names and values, insertion order. */
    private static final class Work {
        private String[] p;
        private int n; // strings used

        Work(Labels l) {
            p = new String[Math.max(8, l.size() * 2 + 4)];
            for (int i = 0; i < l.size(); i++) {
                p[n++] = l.name(i);
                p[n++] = l.value(i);
            }
        }

        String get(String name) {
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) return p[i + 1];
            }
            return "";
        }

        /** Sets a label; an empty value removes it, as in Prometheus's labels.Builder. */
        void set(String name, String value) {
            if (value.isEmpty()) {
                remove(name);
                return;
            }
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) {
                    p[i + 1] = value;
                    return;
                }
            }
            if (n + 2 > p.length) p = Arrays.copyOf(p, p.length * 2);
            p[n++] = name;
            p[n++] = value;
        }

        void remove(String name) {
            for (int i = 0; i < n; i += 2) {
                if (p[i].equals(name)) {
                    System.arraycopy(p, i + 2, p, i, n - i - 2);
                    n -= 2;
                    p[n] = null;
                    p[n + 1] = null;
                    return;
                }
            }
        }

        /** A copy to iterate over while mutating, like labels.Builder.Range. */
        String[] snapshot() {
            return Arrays.copyOf(p, n);
        }

        Labels build() {
            return Labels.of(Arrays.copyOf(p, n));
        }
    }
}
