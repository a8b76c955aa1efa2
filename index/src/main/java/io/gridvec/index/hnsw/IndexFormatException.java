package io.gridvec.index.hnsw;

import java.io.IOException;

/** A saved index file that cannot be read: wrong format, unsupported version, truncated, or corrupted. */
public final class IndexFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    IndexFormatException(String message) {
        super(message);
    }

    IndexFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
