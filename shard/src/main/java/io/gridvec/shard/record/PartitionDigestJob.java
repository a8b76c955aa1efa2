package io.gridvec.shard.record;

import io.gridvec.shard.layout.RecordValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * Digests the local copy of every partition of a collection that a node owns (primary or backup) by scanning it:
 * the replica check compares the digests of a partition's owners. Answers nothing when the collection is gone.
 */
public final class PartitionDigestJob implements IgniteCallable<List<PartitionDigest>> {

    private static final long serialVersionUID = 1L;

    @IgniteInstanceResource
    private transient Ignite ignite;

    private final String cacheName;

    /** Creates the job for the collection cache {@code cacheName}. */
    public PartitionDigestJob(String cacheName) {
        this.cacheName = cacheName;
    }

    @Override
    public List<PartitionDigest> call() {
        IgniteCache<String, BinaryObject> cache = ignite.cache(cacheName);
        if (cache == null) {
            return List.of();
        }
        String node = String.valueOf(ignite.cluster().localNode().consistentId());
        List<PartitionDigest> digests = new ArrayList<>();
        for (int partition : ignite.affinity(cacheName).allPartitions(ignite.cluster().localNode())) {
            long records = 0;
            long checksum = 0;
            ScanQuery<String, BinaryObject> scan = new ScanQuery<String, BinaryObject>(partition).setLocal(true);
            try (QueryCursor<Cache.Entry<String, BinaryObject>> cursor = cache.withKeepBinary().query(scan)) {
                for (Cache.Entry<String, BinaryObject> entry : cursor) {
                    records++;
                    checksum += digest(entry.getKey(), entry.getValue()); // a sum: the scan order does not matter
                }
            }
            digests.add(new PartitionDigest(partition, node, records, checksum));
        }
        return digests;
    }

    private static long digest(String id, BinaryObject value) {
        long h = mix(id.hashCode());
        h = mix(h ^ RecordValue.version(value));
        h = mix(h ^ Arrays.hashCode(RecordValue.vector(value)));
        String payload = RecordValue.payload(value);
        return mix(h ^ (payload == null ? 0 : payload.hashCode()));
    }

    /** The SplitMix64 finalizer: spreads every input bit over the whole word. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
