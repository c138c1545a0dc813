package dev.vigil.query.eval;

/**
 * A query that could not be evaluated. The {@link Kind} maps to Prometheus's {@code errorType} (done in exactly one
 * place in the HTTP layer); the message is what Prometheus would say.
 */
public final class QueryException extends RuntimeException {
    /** Error kinds, as Prometheus's API error types. */
    public enum Kind {
        BAD_DATA, EXECUTION, TIMEOUT, CANCELED, TOO_MANY_SAMPLES, INTERNAL
    }

    private final Kind kind;

    private QueryException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static QueryException badData(String message) {
        return new QueryException(Kind.BAD_DATA, message, null);
    }

    public static QueryException badData(String message, Throwable cause) {
        return new QueryException(Kind.BAD_DATA, message, cause);
    }

    public static QueryException execution(String message) {
        return new QueryException(Kind.EXECUTION, message, null);
    }

    public static QueryException timeout(String where) {
        return new QueryException(Kind.TIMEOUT, "query timed out in " + where, null);
    }

    public static QueryException canceled(String where) {
        return new QueryException(Kind.CANCELED, "query was canceled in " + where, null);
    }

    public static QueryException tooManySamples() {
        // Prometheus's ErrTooManySamples text; its API reports it as an execution error.
        return new QueryException(Kind.TOO_MANY_SAMPLES,
                "query processing would load too many samples into memory in query execution", null);
    }

    /** A selector matched more series than {@link EngineOptions#maxSeriesPerSelector()} allows. */
    public static QueryException tooManySeries(int limit, String selector) {
        return new QueryException(Kind.EXECUTION, "the query selects more series than the limit of " + limit
                + " per selector [selector=" + selector + "]", null);
    }

    public static QueryException internal(String message, Throwable cause) {
        return new QueryException(Kind.INTERNAL, message, cause);
    }
}
