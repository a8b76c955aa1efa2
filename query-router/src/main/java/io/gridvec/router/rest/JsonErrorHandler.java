package io.gridvec.router.rest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's answer to a request it refuses before any route sees it (a {@code %00} or another illegal character in the
 * path, headers too large): the API's JSON error, {@code {"error": {"code", "message"}}}, instead of Jetty's HTML page,
 * and never a stack trace, with {@code Connection: close}. Thread-safe.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        // Jetty closes the connection after a request it cannot route but did not say so: a client that kept the
        // connection alive sent its next request into the closed connection and got no answer.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, body(code), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return body(status);
    }

    /** The message names only the status: Jetty's own text may quote internals. */
    private static ByteBuffer body(int status) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", status == 413 ? "TOO_LARGE" : status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT");
        error.put("message", "the HTTP request was refused before reaching an endpoint: " + status + " "
                + HttpStatus.getMessage(status));
        return ByteBuffer.wrap(JsonBody.write(Map.of("error", error)).getBytes(StandardCharsets.UTF_8));
    }
}
