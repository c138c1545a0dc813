package dev.vigil.ingest.config;

/**
 * A configuration file that cannot be used: unreadable, not YAML, an unknown key, a bad value or a
 * rule of Prometheus's validation broken. The message names the file, the position and the key,
 * e.g. {@code prometheus.yml:12:5: unknown key "scrape_intervall" [key=scrape_configs[0].scrape_intervall]}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final int column;
    private final String key;
    private final String detail;

    private ConfigException(String file, int line, int column, String key, String detail, Throwable cause) {
        super(format(file, line, column, key, detail), cause);
        this.file = file;
        this.line = line;
        this.column = column;
        this.key = key;
        this.detail = detail;
    }

    /** An error at a 1-based line and column (0 when unknown) of {@code file}, about {@code key} (may be empty). */
    public static ConfigException at(String file, int line, int column, String key, String detail) {
        return new ConfigException(file, line, column, key, detail, null);
    }

    /** An error about a whole file (unreadable, a glob that does not compile). */
    public static ConfigException ofFile(String file, String detail, Throwable cause) {
        return new ConfigException(file, 0, 0, "", detail, cause);
    }

    private static String format(String file, int line, int column, String key, String detail) {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line);
        if (column > 0) sb.append(':').append(column);
        sb.append(": ").append(detail);
        if (key != null && !key.isEmpty()) sb.append(" [key=").append(key).append(']');
        return sb.toString();
    }

    public String file() {
        return file;
    }

    /** 1-based line, or 0 when the whole file is meant. */
    public int line() {
        return line;
    }

    /** 1-based column, or 0. */
    public int column() {
        return column;
    }

    /** The dotted path of the offending key, e.g. {@code scrape_configs[0].scrape_timeout}; may be empty. */
    public String key() {
        return key;
    }

    /** The message without file, position and key. */
    public String detail() {
        return detail;
    }
}
