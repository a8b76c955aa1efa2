package io.gridvec.shard.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * A shard's index of its records' declared payload fields: for each field, the ids holding each value (strings and
 * booleans by value, numbers in order, as doubles). It narrows a filter whose top level {@code must} has an
 * {@code eq}, {@code in} or {@code range} condition on a declared field to the ids that condition can admit, so a
 * selective filtered search tests a few payloads instead of every one. The candidates are a superset (numbers are
 * compared as doubles, widened where rounding could exclude one): callers still test the whole filter on each.
 * Thread-safe for one writer and any number of readers; a reader may miss a write in progress, which the shard's tail
 * still holds.
 */
public final class FieldIndex {

    private final Map<String, Values> fields = new ConcurrentHashMap<>();

    /** Indexes {@code fields} (top-level payload members). */
    public FieldIndex(Collection<String> fields) {
        for (String field : fields) {
            this.fields.put(field, new Values());
        }
    }

    /** Whether no field is indexed: {@link #candidates} then never narrows anything. */
    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** Moves {@code id} from the values of {@code previous} (null: none) to those of {@code current} (null: none). */
    public void update(String id, JsonNode previous, JsonNode current) {
        for (Map.Entry<String, Values> field : fields.entrySet()) {
            JsonNode before = previous == null ? null : previous.get(field.getKey());
            JsonNode after = current == null ? null : current.get(field.getKey());
            if (before == null ? after == null : before.equals(after)) {
                continue;
            }
            Values values = field.getValue();
            forEachKey(before, key -> values.remove(key, id));
            forEachKey(after, key -> values.add(key, id));
        }
    }

    /**
     * Returns the ids {@code filter} can admit, from the most selective indexed condition of its top-level
     * {@code must}, or null when it has none (then every record must be tested).
     */
    public Collection<String> candidates(PayloadFilter filter) {
        if (!(filter.root() instanceof BoolClause bool)) {
            return null;
        }
        List<Set<String>> best = null;
        long bestSize = Long.MAX_VALUE;
        for (FilterClause clause : bool.must()) {
            if (!(clause instanceof FieldCondition condition) || condition.path().length != 1) {
                continue;
            }
            Values values = fields.get(condition.path()[0]);
            if (values == null) {
                continue;
            }
            List<Set<String>> sets = values.lookup(condition);
            long size = 0;
            for (Set<String> set : sets) {
                size += set.size();
            }
            if (size < bestSize) {
                best = sets;
                bestSize = size;
            }
        }
        if (best == null) {
            return null;
        }
        if (best.size() == 1) {
            return best.get(0);
        }
        Set<String> union = new HashSet<>((int) Math.min(Integer.MAX_VALUE / 2, bestSize * 2));
        best.forEach(union::addAll);
        return union;
    }

    /** Calls {@code action} with the key of each scalar in {@code node} (an array's elements, as filters read them). */
    private static void forEachKey(JsonNode node, java.util.function.Consumer<Object> action) {
        if (node == null) {
            return;
        }
        if (node.isArray()) {
            for (JsonNode element : node) {
                Object key = key(element);
                if (key != null) {
                    action.accept(key);
                }
            }
            return;
        }
        Object key = key(node);
        if (key != null) {
            action.accept(key);
        }
    }

    private static Object key(JsonNode scalar) {
        if (scalar.isTextual()) {
            return scalar.textValue();
        }
        if (scalar.isBoolean()) {
            return scalar.booleanValue();
        }
        if (scalar.isNumber()) {
            double value = scalar.doubleValue();
            return Double.isNaN(value) ? null : value == 0 ? 0.0 : value; // -0.0 and 0.0 are one key, as in filters
        }
        return null; // null, objects and nested arrays match no condition
    }

    /** The ids of one field's values. */
    private static final class Values {
        private final Map<Object, Set<String>> byValue = new ConcurrentHashMap<>();
        private final NavigableMap<Double, Set<String>> numbers = new ConcurrentSkipListMap<>();

        void add(Object key, String id) {
            byValue.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(id);
            if (key instanceof Double number) {
                numbers.put(number, byValue.get(key));
            }
        }

        void remove(Object key, String id) {
            Set<String> ids = byValue.get(key);
            if (ids != null && ids.remove(id) && ids.isEmpty()) {
                byValue.remove(key);
                if (key instanceof Double number) {
                    numbers.remove(number);
                }
            }
        }

        List<Set<String>> lookup(FieldCondition condition) {
            List<Set<String>> sets = new ArrayList<>();
            if (condition instanceof ValuesCondition values) {
                for (Object key : values.indexKeys()) {
                    Set<String> ids = byValue.get(key instanceof Double d && d == 0 ? (Object) 0.0 : key);
                    if (ids != null) {
                        sets.add(ids);
                    }
                }
            } else if (condition instanceof RangeCondition range) {
                double low = range.lowest();
                double high = range.highest();
                if (low <= high) {
                    sets.addAll(numbers.subMap(low, true, high, true).values());
                }
            }
            return sets;
        }
    }
}
