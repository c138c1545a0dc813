package dev.vigil.ingest.relabel;

/**
 * How label names produced by relabeling are validated ({@code metric_name_validation_scheme}).
 * Prometheus 3.x defaults to {@link #UTF8}.
 */
public enum NameValidationScheme {
    /** Any non-empty valid UTF-8 string is a label name. */
    UTF8,
    /** Only {@code [a-zA-Z_][a-zA-Z0-9_]*} is a label name. */
    LEGACY;

    /** Whether {@code name} is a valid label name under this scheme. */
    public boolean isValidLabelName(String name) {
        if (name == null || name.isEmpty()) return false;
        if (this == UTF8) return isValidUtf16(name);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (i > 0 && c >= '0' && c <= '9');
            if (!ok) return false;
        }
        return true;
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
}
