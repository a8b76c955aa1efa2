package io.gridvec.shard.record;

import java.io.Serializable;

/**
 * One owner's digest of one partition of a collection: how many records its copy holds and an order-independent
 * checksum of their ids, versions, vectors and payloads. Two owners with equal digests hold the same records.
 * Immutable.
 */
public final class PartitionDigest implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The partition. */
    public final int partition;
    /** The consistent id of the owner. */
    public final String node;
    /** Records in the owner's copy. */
    public final long records;
    /** The checksum of the owner's copy. */
    public final long checksum;

    PartitionDigest(int partition, String node, long records, long checksum) {
        this.partition = partition;
        this.node = node;
        this.records = records;
        this.checksum = checksum;
    }
}
