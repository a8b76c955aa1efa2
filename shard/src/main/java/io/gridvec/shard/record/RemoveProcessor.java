package io.gridvec.shard.record;

import javax.cache.processor.MutableEntry;
import org.apache.ignite.cache.CacheEntryProcessor;

/** Removes a record; returns whether it existed. */
final class RemoveProcessor implements CacheEntryProcessor<String, Object, Boolean> {

    private static final long serialVersionUID = 1L;

    @Override
    public Boolean process(MutableEntry<String, Object> entry, Object... arguments) {
        if (!entry.exists()) {
            return false;
        }
        entry.remove();
        return true;
    }
}
