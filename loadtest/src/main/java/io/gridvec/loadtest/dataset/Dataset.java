package io.gridvec.loadtest.dataset;

import java.util.Arrays;

/**
 * Base vectors to index and query vectors to search for, all of one dimension; immutable by convention (the arrays
 * are shared, never copied, and nobody writes to them after loading).
 *
 * @param name what the data is, for reports ({@code synthetic}, {@code fvecs}, {@code mnist})
 * @param base the vectors to index; a vector's position is its id
 * @param queries the vectors to search for
 */
public record Dataset(String name, float[][] base, float[][] queries) {

    /**
     * Checks that both sets are non-empty and every vector has the same dimension.
     *
     * @throws IllegalArgumentException naming the first vector that breaks the rule
     */
    public Dataset {
        if (base.length == 0 || queries.length == 0) {
            throw new IllegalArgumentException(name + ": needs at least one base and one query vector, has "
                    + base.length + " base and " + queries.length + " query vectors");
        }
        int dimension = base[0].length;
        checkDimension(name + " base", base, dimension);
        checkDimension(name + " queries", queries, dimension);
    }

    private static void checkDimension(String what, float[][] vectors, int dimension) {
        for (int i = 0; i < vectors.length; i++) {
            if (vectors[i].length != dimension) {
                throw new IllegalArgumentException(
                        what + ": vector " + i + " has dimension " + vectors[i].length + ", expected " + dimension);
            }
        }
    }

    /** Returns the dimension of every vector. */
    public int dimension() {
        return base[0].length;
    }

    /** Returns this data set cut to its first {@code maxBase} base and first {@code maxQueries} query vectors. */
    public Dataset limit(int maxBase, int maxQueries) {
        return new Dataset(name, Arrays.copyOf(base, Math.min(maxBase, base.length)),
                Arrays.copyOf(queries, Math.min(maxQueries, queries.length)));
    }
}
