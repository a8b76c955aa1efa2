package io.gridvec.router.search;

import java.util.List;

/** Some partitions found no owner with a ready shard before a search's deadline; the search has no full answer. */
public final class PartitionsUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    PartitionsUnavailableException(List<Integer> partitions, long deadlineMs) {
        super("partitions " + partitions + " had no owner with a ready shard within " + deadlineMs
                + " ms; retry later");
    }
}
