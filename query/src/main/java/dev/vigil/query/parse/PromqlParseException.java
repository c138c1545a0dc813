package dev.vigil.query.parse;

import dev.vigil.query.ast.PositionRange;
import java.util.Objects;

/**
 * A query that is not valid PromQL: a syntax error, a bad literal, or a type error found at parse time. The message
 * reads like Prometheus's {@code ParseErr}, {@code "1:5: parse error: unexpected \"}\""}, so API clients that show it
 * see what Prometheus would say; {@link #detail()} is the part after {@code "parse error: "}.
 */
public final class PromqlParseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String query;
    private final PositionRange position;
    private final String detail;

    private PromqlParseException(String query, PositionRange position, String detail, Throwable cause) {
        super(position.startPosition(query) + ": parse error: " + detail, cause);
        this.query = query;
        this.position = position;
        this.detail = detail;
    }

    /**
     * @param query the whole query text
     * @param position where in {@code query} the problem is; {@code start} and {@code end} lie within
     *     {@code [0, query.length()]}
     * @param detail what is wrong, as Prometheus words it
     */
    public static PromqlParseException of(String query, PositionRange position, String detail) {
        return new PromqlParseException(Objects.requireNonNull(query), Objects.requireNonNull(position),
                Objects.requireNonNull(detail), null);
    }

    /** As {@link #of(String, PositionRange, String)}, keeping the exception that revealed the problem. */
    public static PromqlParseException of(String query, PositionRange position, String detail, Throwable cause) {
        return new PromqlParseException(Objects.requireNonNull(query), Objects.requireNonNull(position),
                Objects.requireNonNull(detail), cause);
    }

    /** The query that failed to parse. */
    public String query() {
        return query;
    }

    /** Where the problem is, as character offsets into {@link #query()}. */
    public PositionRange position() {
        return position;
    }

    /** The message without the position prefix, e.g. {@code unexpected end of input}. */
    public String detail() {
        return detail;
    }
}
