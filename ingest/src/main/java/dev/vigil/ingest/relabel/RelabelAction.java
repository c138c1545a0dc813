package dev.vigil.ingest.relabel;

import java.util.Locale;

/** The relabel actions of Prometheus 3.x, named as in {@code prometheus.yml}. */
public enum RelabelAction {
    /** Sets {@code target_label} to the expanded {@code replacement} when the regex matches. */
    REPLACE,
    /** Drops the set unless the joined source values match the regex. */
    KEEP,
    /** Drops the set when the joined source values match the regex. */
    DROP,
    /** Drops the set unless the joined source values equal the value of {@code target_label}. */
    KEEPEQUAL,
    /** Drops the set when the joined source values equal the value of {@code target_label}. */
    DROPEQUAL,
    /** Sets {@code target_label} to MD5(joined source values) modulo {@code modulus}. */
    HASHMOD,
    /** Copies every label whose name matches the regex to the name given by {@code replacement}. */
    LABELMAP,
    /** Removes every label whose name matches the regex. */
    LABELDROP,
    /** Removes every label whose name does not match the regex. */
    LABELKEEP,
    /** Sets {@code target_label} to the lower-cased joined source values. */
    LOWERCASE,
    /** Sets {@code target_label} to the upper-cased joined source values. */
    UPPERCASE;

    /** The name used in configuration files, e.g. {@code "labeldrop"}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a configuration name case-insensitively, as Prometheus does.
     *
     * @throws IllegalArgumentException {@code unknown relabel action "x"}
     */
    public static RelabelAction parse(String s) {
        for (RelabelAction a : values()) {
            if (a.configName().equalsIgnoreCase(s)) return a;
        }
        throw new IllegalArgumentException("unknown relabel action \"" + s + "\"");
    }

    @Override
    public String toString() {
        return configName();
    }
}
