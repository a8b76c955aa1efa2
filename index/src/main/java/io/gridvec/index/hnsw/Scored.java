package io.gridvec.index.hnsw;

/**
 * Packs a (distance, node) pair into one {@code long} that orders by distance, then node: the high 32 bits are the
 * distance's sortable-int form, the low 32 the node. Heaps of these need no objects. {@link #reversed} flips the
 * order so one min-heap class also serves as a max-heap.
 */
final class Scored {

    private Scored() {}

    static long of(float distance, int node) {
        return ((long) sortable(distance) << 32) | (node & 0xFFFFFFFFL);
    }

    static float distance(long packed) {
        return unsortable((int) (packed >> 32));
    }

    static int node(long packed) {
        return (int) packed;
    }

    static long reversed(long packed) {
        return ~packed;
    }

    private static int sortable(float f) {
        int bits = Float.floatToIntBits(f);
        return bits ^ ((bits >> 31) & 0x7FFFFFFF);
    }

    private static float unsortable(int sortable) {
        return Float.intBitsToFloat(sortable ^ ((sortable >> 31) & 0x7FFFFFFF));
    }
}
