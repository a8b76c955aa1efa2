package io.gridvec.grid;

/**
 * What a record copy costs a node, from measured per-record constants (docs/capacity.md says where each comes
 * from; {@code CapacityIT} measures the disk ones on a real node and fails when they drift), and the sizes of a
 * cluster that follow from them. Immutable.
 *
 * @param vectors records in the cluster
 * @param dim their dimension
 * @param backups backups of each partition
 * @param nodes server nodes
 * @param m the HNSW graph's M
 * @param payloadBytes the average payload, as JSON text
 */
public record CapacityModel(long vectors, int dim, int backups, int nodes, int m, int payloadBytes) {

    /** Heap per record copy besides its vector, codes, links and payload: ids, versions, upper graph levels. */
    static final int HEAP_OVERHEAD = 450;
    /** Ignite's partition files per record copy besides the vector and payload: key, binary object, page slack. */
    static final int PARTITION_OVERHEAD = 200;
    /** A shard snapshot per record copy besides its vector and level-0 links: id, version, counts, upper levels. */
    static final int SNAPSHOT_OVERHEAD = 30;
    /** A node's heap without records: Ignite, Jetty, the result cache (16 MiB) and working room, in MiB. */
    static final int BASE_HEAP_MIB = 256;
    /** The fixed WAL of a node: 10 preallocated segments of 64 MiB and an archive of up to 1 GiB (Ignite's cap). */
    static final long WAL_BYTES = 10L * 64 * 1024 * 1024 + 1024L * 1024 * 1024;
    /** The logs at their defaults: the file and 10 rolled ones of at most 100 MiB (gzipped, far smaller). */
    static final long LOG_BYTES = 11L * 100 * 1024 * 1024;

    /** Record copies each node holds: primaries and backups spread evenly. */
    public long copiesPerNode() {
        return (long) Math.ceil((double) vectors * (1 + backups) / nodes);
    }

    /** Heap per record copy: float vector, int8 codes, level-0 links ((2 + 2M) ints), payload and bookkeeping. */
    public long heapPerCopy() {
        return 4L * dim + (dim + 8) + 4L * (2 + 2L * m) + payloadBytes + HEAP_OVERHEAD;
    }

    /** Ignite's partition files per record copy; also what the data region holds to keep every page in memory. */
    public long partitionPerCopy() {
        return 4L * dim + payloadBytes + PARTITION_OVERHEAD;
    }

    /**
     * Shard snapshots per record copy: the float vector and the graph's links as they are (no payload, no int8
     * codes); a level-0 list holds about three quarters of its 2M links, 6M bytes.
     */
    public long snapshotPerCopy() {
        return 4L * dim + 6L * m + SNAPSHOT_OVERHEAD;
    }

    /**
     * The heap to give each node ({@code -Xmx}): the shards' heap plus the base, with half again as much room for
     * the collector and the index lag.
     */
    public long heapPerNodeMib() {
        return mib(copiesPerNode() * heapPerCopy() * 3 / 2) + BASE_HEAP_MIB;
    }

    /** The data region that keeps every page of this node's partitions in memory ({@code storage.dataRegionMb}). */
    public long dataRegionPerNodeMib() {
        return Math.max(64, mib(copiesPerNode() * partitionPerCopy() * 11 / 10));
    }

    /** Disk per node: partition files, shard snapshots, WAL and logs; each backup snapshot adds the partition files. */
    public long diskPerNodeBytes() {
        return copiesPerNode() * (partitionPerCopy() + snapshotPerCopy()) + WAL_BYTES + LOG_BYTES;
    }

    /** Disk per node for each snapshot kept (a full copy of its partition files). */
    public long snapshotDiskPerNodeBytes() {
        return copiesPerNode() * partitionPerCopy();
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
