package io.gridvec.shard.partition;

import java.io.IOException;

/** A shard snapshot that cannot be used: corrupt, truncated, of another format, or not matching its collection. */
final class SnapshotFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    SnapshotFormatException(String message) {
        super(message);
    }
}
