package io.gridvec.grid.tls;

/** TLS key or trust material that cannot be used; the message names the configuration key and the file. */
public final class TlsException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    TlsException(String message) {
        super(message);
    }

    TlsException(String message, Throwable cause) {
        super(message, cause);
    }
}
