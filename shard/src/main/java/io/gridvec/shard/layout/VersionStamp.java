package io.gridvec.shard.layout;

import javax.cache.Cache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheInterceptorAdapter;

/**
 * Gives every write of a record a version above the one it replaces, whoever wrote it: a thin client's put or a SQL
 * {@code INSERT}/{@code UPDATE} carries no version or keeps the old one, so shards could not tell it from a write they
 * already hold. Runs on the key's primary, where Ignite decides the value its backups then store (an ATOMIC cache's
 * interceptor runs only there); Gridvec's own writes already carry a larger version and pass unchanged. A write over a
 * version of {@link Long#MAX_VALUE} throws, which fails that key's update (Ignite reports it to the writer and the node
 * carries on: measured), rather than store a version that goes back.
 */
public final class VersionStamp extends CacheInterceptorAdapter<Object, Object> {

    private static final long serialVersionUID = 1L;

    @Override
    public Object onBeforePut(Cache.Entry<Object, Object> entry, Object newValue) {
        long version = RecordValue.versionOf(newValue);
        if (version < 0) {
            return newValue; // not a record: stored as it is, and kept out of the index by the shards
        }
        long previous = Math.max(0, RecordValue.versionOf(entry.getValue()));
        if (version > previous) {
            return newValue;
        }
        return ((BinaryObject) newValue).toBuilder()
                .setField(RecordValue.VERSION, RecordValue.next(previous), Long.class)
                .build();
    }
}
