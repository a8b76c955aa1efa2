package io.gridvec.loadtest;

import java.io.Closeable;
import java.io.IOException;

/**
 * An HNSW index under test, built from a data set's base vectors (a vector's position is its id) and searched one
 * query at a time. Searches are single-threaded: an engine may reuse scratch state between calls.
 */
public interface Engine extends Closeable {

    /** Returns the engine's name in reports ({@code gridvec}, {@code lucene}). */
    String name();

    /** Returns the wall-clock seconds the build took. */
    double buildSeconds();

    /**
     * Writes the ids of the (approximate) {@code k} nearest base vectors of {@code query}, nearest first, to
     * {@code ids} and returns how many it wrote; {@code ef} is the search's beam width.
     *
     * @throws IOException when the index cannot be read
     */
    int search(float[] query, int k, int ef, int[] ids) throws IOException;
}
