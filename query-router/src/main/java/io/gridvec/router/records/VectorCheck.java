package io.gridvec.router.records;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorRules;
import io.gridvec.router.rest.ApiException;
import io.gridvec.shard.catalog.CollectionSpec;

/** Checks a vector in a request against its collection: present, the right dimension, finite, non-zero for cosine. */
public final class VectorCheck {

    private VectorCheck() {}

    /**
     * Returns {@code vector} when the collection accepts it.
     *
     * @param field the request field, named in the error
     * @throws ApiException 400 naming the field (and the element at fault) and the limit
     */
    public static float[] check(float[] vector, CollectionSpec spec, String field) {
        if (vector == null) {
            throw ApiException.invalid(field, field + " is required");
        }
        if (vector.length != spec.dimension()) {
            throw ApiException.invalid(field, field + " must have " + spec.dimension() + " dimensions (collection '"
                    + spec.name() + "'), had " + vector.length);
        }
        int bad = VectorRules.firstNonFinite(vector);
        if (bad >= 0) {
            throw ApiException.invalid(field + "[" + bad + "]", field + "[" + bad
                    + "] must be a finite 32-bit float, was " + vector[bad]);
        }
        if (Metric.parse(spec.metric()) == Metric.COSINE && VectorRules.allZero(vector)) {
            throw ApiException.invalid(field, field + " must not be all zeros: metric cosine needs a direction");
        }
        return vector;
    }
}
