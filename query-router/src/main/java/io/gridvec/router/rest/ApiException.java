package io.gridvec.router.rest;

/**
 * A request the API refuses: an HTTP status, a stable error code, a message naming the limit, and the request field
 * at fault (null when none). {@link RestServer} turns it into {@code {"error": {"code", "message", "field"}}}.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    /** Creates an error answered with {@code status}; {@code field} may be null. */
    public ApiException(int status, String code, String message, String field) {
        super(message);
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** Returns a 400 {@code INVALID_ARGUMENT} error about {@code field}. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(400, "INVALID_ARGUMENT", message, field);
    }

    /** Returns a 404 {@code NOT_FOUND} error. */
    public static ApiException notFound(String message) {
        return new ApiException(404, "NOT_FOUND", message, null);
    }

    /** Returns the HTTP status. */
    public int status() {
        return status;
    }

    /** Returns the stable error code. */
    public String code() {
        return code;
    }

    /** Returns the request field at fault, or null. */
    public String field() {
        return field;
    }
}
