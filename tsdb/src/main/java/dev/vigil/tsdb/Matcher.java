package dev.vigil.tsdb;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.Objects;

/**
 * A label matcher: {@code =}, {@code !=}, {@code =~}, {@code !~}. Regular expressions use RE2
 * semantics (linear time) and are fully anchored, and {@code .} matches a newline, as in
 * Prometheus 3.x. A missing label matches as the empty string. Immutable and thread-safe.
 */
public final class Matcher {
    public enum Type {
        EQUAL("="), NOT_EQUAL("!="), REGEX("=~"), NOT_REGEX("!~");

        private final String symbol;

        Type(String symbol) {
            this.symbol = symbol;
        }

        public String symbol() {
            return symbol;
        }
    }

    private final Type type;
    private final String name;
    private final String value;
    private final Pattern pattern; // REGEX and NOT_REGEX only

    private Matcher(Type type, String name, String value) {
        this.type = Objects.requireNonNull(type);
        this.name = Objects.requireNonNull(name);
        this.value = Objects.requireNonNull(value);
        if (type == Type.REGEX || type == Type.NOT_REGEX) {
            try {
                this.pattern = Pattern.compile("(?s:" + value + ")");
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("invalid regular expression [name=" + name + ", regex=" + value + "]: "
                        + e.getDescription(), e);
            }
        } else {
            this.pattern = null;
        }
    }

    /** @throws IllegalArgumentException when a regex does not compile, naming the label and the regex */
    public static Matcher of(Type type, String name, String value) {
        return new Matcher(type, name, value);
    }

    public static Matcher equal(String name, String value) {
        return new Matcher(Type.EQUAL, name, value);
    }

    public static Matcher notEqual(String name, String value) {
        return new Matcher(Type.NOT_EQUAL, name, value);
    }

    public static Matcher regex(String name, String regex) {
        return new Matcher(Type.REGEX, name, regex);
    }

    public static Matcher notRegex(String name, String regex) {
        return new Matcher(Type.NOT_REGEX, name, regex);
    }

    public Type type() {
        return type;
    }

    public String name() {
        return name;
    }

    public String value() {
        return value;
    }

    /** Whether a label value matches; pass {@code ""} for an absent label. */
    public boolean matches(String v) {
        return switch (type) {
            case EQUAL -> value.equals(v);
            case NOT_EQUAL -> !value.equals(v);
            case REGEX -> pattern.matches(v);
            case NOT_REGEX -> !pattern.matches(v);
        };
    }

    /** Whether a series that lacks this label matches. */
    public boolean matchesEmpty() {
        return matches("");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matcher m && m.type == type && m.name.equals(name) && m.value.equals(value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, name, value);
    }

    @Override
    public String toString() {
        return name + type.symbol + '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
