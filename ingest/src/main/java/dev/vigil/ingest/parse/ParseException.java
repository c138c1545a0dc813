package dev.vigil.ingest.parse;

/**
 * A scrape body that is not valid in its exposition format. The message reads {@code line 12,
 * column 5: expected equal sign after label name "foo", got "}"}. A failed parse means a failed
 * scrape: samples reported before the error must be rolled back by the caller.
 */
public final class ParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;
    private final String detail;

    private ParseException(int line, int column, String detail, Throwable cause) {
        super("line " + line + (column > 0 ? ", column " + column : "") + ": " + detail, cause);
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    /** An error at a 1-based line and column (0 when the whole line is meant). */
    public static ParseException at(int line, int column, String detail) {
        return new ParseException(line, column, detail, null);
    }

    static ParseException at(int line, int column, String detail, Throwable cause) {
        return new ParseException(line, column, detail, cause);
    }

    /** 1-based line number. */
    public int line() {
        return line;
    }

    /** 1-based column in characters, or 0 when not known. */
    public int column() {
        return column;
    }

    /** The message without the position prefix. */
    public String detail() {
        return detail;
    }
}
