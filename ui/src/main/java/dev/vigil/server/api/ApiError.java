package dev.vigil.server.api;

/**
 * An API failure with Prometheus's {@code errorType} and HTTP status: bad_data 400, execution 422,
 * canceled 499, timeout 503, unavailable 503, not_found 404, internal 500.
 */
public final class ApiError extends RuntimeException {
    private final String type;
    private final int status;

    private ApiError(String type, int status, String message) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
    }

    public static ApiError badData(String message) {
        return new ApiError("bad_data", 400, message);
    }

    public static ApiError execution(String message) {
        return new ApiError("execution", 422, message);
    }

    public static ApiError timeout(String message) {
        return new ApiError("timeout", 503, message);
    }

    public static ApiError canceled(String message) {
        return new ApiError("canceled", 499, message);
    }

    public static ApiError unavailable(String message) {
        return new ApiError("unavailable", 503, message);
    }

    public static ApiError notFound(String message) {
        return new ApiError("not_found", 404, message);
    }

    public static ApiError internal(String message) {
        return new ApiError("internal", 500, message);
    }

    public static ApiError of(String type, String message) {
        return switch (type) {
            case "bad_data" -> badData(message);
            case "execution" -> execution(message);
            case "timeout" -> timeout(message);
            case "canceled" -> canceled(message);
            case "unavailable" -> unavailable(message);
            case "not_found" -> notFound(message);
            default -> internal(message);
        };
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }
}
