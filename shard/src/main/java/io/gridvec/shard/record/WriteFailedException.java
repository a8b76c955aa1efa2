package io.gridvec.shard.record;

import java.util.List;

/**
 * Some records of a write were not written: the processor failed on their primary, or Ignite could not apply them.
 * The others were. Carries the ids not written and how many were, so an answer never claims more than happened.
 */
public final class WriteFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final int IDS_IN_MESSAGE = 10;

    private final List<String> notWritten;
    private final int written;

    WriteFailedException(List<String> notWritten, int attempted, Throwable cause) {
        super(describe(notWritten, attempted), cause);
        this.notWritten = List.copyOf(notWritten);
        this.written = attempted - notWritten.size();
    }

    private static String describe(List<String> notWritten, int attempted) {
        List<String> shown = notWritten.subList(0, Math.min(IDS_IN_MESSAGE, notWritten.size()));
        return notWritten.size() + " of " + attempted + " records were not written: " + shown
                + (shown.size() < notWritten.size() ? " and " + (notWritten.size() - shown.size()) + " more" : "")
                + (notWritten.size() < attempted ? "; the other " + (attempted - notWritten.size()) + " were" : "");
    }

    /** Returns the ids of the records that were not written. */
    public List<String> notWritten() {
        return notWritten;
    }

    /** Returns how many records of the request were written. */
    public int written() {
        return written;
    }
}
