package io.gridvec.index.hnsw;

import io.gridvec.index.vector.Metric;
import io.gridvec.index.vector.VectorKernels;
import io.gridvec.index.vector.Vectorization;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The storage of one HNSW graph: vectors, levels, neighbour lists and the ordinal maps, in flat primitive arrays
 * split into fixed-size pages so the graph grows without copying what readers are reading.
 *
 * <p><b>Nodes and ordinals.</b> A node is a slot in the graph, never reused; a record's vector lives in one node. An
 * ordinal is the record's internal id, stable while the record lives; updating a record's vector writes a new node
 * and repoints the ordinal, so readers see the old vector or the new one, never a mix. Each page keeps a live bit
 * per node, beside the vectors a search already reads, so checking liveness costs no extra cache miss; nodes whose
 * bit is clear are tombstones (or not yet published) that still route searches.
 *
 * <p><b>Int8 codes.</b> Beside its float vector every node keeps a record of int8 codes scaled by the vector's own
 * largest magnitude, followed by that scale and the vector's exact squared norm: a quarter of the bytes. Query-time
 * traversal scores these records against the float query ({@link #approximateDistance}) and the searcher reranks the
 * final candidates with float vectors; inserts use float vectors throughout. The records need no training and no
 * shared state, so they are written once with the node.
 *
 * <p><b>Concurrency.</b> Any number of threads may add nodes and link them while others search. Each neighbour list
 * is guarded by a seqlock in its first slot: writers take it by CAS from even to odd and release it at the next even
 * value; readers copy the list and retry when the sequence moved. Pages are published by replacing the whole page
 * table, so a page reference, once seen, never changes. Ordinal-to-node entries are written with release and read
 * with acquire semantics.
 */
final class HnswGraph {

    static final VectorKernels KERNELS = Vectorization.kernels();
    private static final VarHandle INTS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle CODE_FLOATS =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int CACHE_LINE = 64;
    /** Target floats per vector page: small enough for a tiny partition, large enough to keep the page table short. */
    private static final int PAGE_FLOATS = 1 << 16;
    static final int MAX_LEVEL = 30;
    private static final int FLOATS_PER_LINE = 16;

    final int dimension;
    final Metric metric;
    /** M: the neighbours a node selects per level; level 0 keeps up to {@code 2 * M}. */
    final int m;
    final int maxConn0;
    final int stride0;
    final int strideUp;
    /** Bytes per int8 record: the codes, the float scale, the float squared norm. */
    final int codeStride;
    final int pageShift;
    final int pageMask;
    private final boolean l2;
    /** Distance for dot-based metrics is {@code dotBase - dot}: 1 for cosine (unit vectors), 0 for dot. */
    private final float dotBase;
    private final double levelMultiplier;
    private final long seed;

    private volatile Page[] pages = new Page[0];
    private final AtomicInteger nodeCount = new AtomicInteger();
    private final AtomicInteger ordinalCount = new AtomicInteger();
    /** (level << 32) | node of the entry point, or -1 while the graph is empty. */
    private volatile long entry = -1L;
    private final Object growLock = new Object();

    /** One page of nodes (and of ordinals with the same index range). */
    static final class Page {
        final float[] vectors;
        final byte[] codes;
        final long[] live;
        final int[] links;
        final byte[] levels;
        final int[][] upper;
        final int[] ordinalOfNode;
        final int[] nodeOfOrdinal;
        final String[] idOfOrdinal;

        Page(int size, int dimension, int stride0, int codeStride) {
            vectors = new float[size * dimension];
            codes = new byte[size * codeStride];
            live = new long[(size + 63) >>> 6];
            links = new int[size * stride0];
            levels = new byte[size];
            upper = new int[size][];
            ordinalOfNode = new int[size];
            nodeOfOrdinal = new int[size];
            Arrays.fill(nodeOfOrdinal, -1);
            idOfOrdinal = new String[size];
        }
    }

    HnswGraph(int dimension, Metric metric, int m, long seed) {
        this.dimension = dimension;
        this.metric = metric;
        this.m = m;
        this.maxConn0 = 2 * m;
        this.stride0 = 2 + maxConn0;
        this.strideUp = 2 + m;
        this.codeStride = dimension + 2 * Float.BYTES;
        int nodesPerPage = Integer.highestOneBit(Math.max(1, PAGE_FLOATS / dimension));
        this.pageShift = Integer.numberOfTrailingZeros(nodesPerPage);
        this.pageMask = nodesPerPage - 1;
        this.l2 = metric == Metric.L2;
        this.dotBase = metric == Metric.COSINE ? 1f : 0f;
        this.levelMultiplier = 1 / Math.log(Math.max(2, m));
        this.seed = seed;
    }

    // ---- pages

    Page[] pages() {
        return pages;
    }

    Page page(int node) {
        Page[] ps = pages;
        return ps[node >>> pageShift];
    }

    private Page ensurePage(int node) {
        int p = node >>> pageShift;
        Page[] ps = pages;
        if (p < ps.length) {
            return ps[p];
        }
        synchronized (growLock) {
            ps = pages;
            if (p >= ps.length) {
                Page[] grown = Arrays.copyOf(ps, p + 1);
                for (int i = ps.length; i <= p; i++) {
                    grown[i] = new Page(pageMask + 1, dimension, stride0, codeStride);
                }
                pages = grown;
                ps = grown;
            }
            return ps[p];
        }
    }

    int nodeCount() {
        return nodeCount.get();
    }

    int ordinalCount() {
        return ordinalCount.get();
    }

    long entry() {
        return entry;
    }

    void entry(long packed) {
        entry = packed;
    }

    static long entryOf(int node, int level) {
        return ((long) level << 32) | node;
    }

    // ---- nodes

    /** Returns the level of a new node, drawn from the exponential distribution of the paper, seeded per node. */
    int levelFor(int node) {
        long z = seed + 0x9E3779B97F4A7C15L * (node + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        double u = ((z >>> 11) + 1) * 0x1.0p-53; // in (0, 1]
        return (int) Math.min(MAX_LEVEL, Math.floor(-Math.log(u) * levelMultiplier));
    }

    /** Adds an unlinked, not yet live node holding {@code vector} (already normalized for cosine). */
    int addNode(float[] vector, int vectorOffset) {
        int node = nodeCount.getAndIncrement();
        return writeNode(node, vector, vectorOffset, levelFor(node));
    }

    /** Writes node {@code node} with an explicit level; used when loading a saved graph. */
    int writeNode(int node, float[] vector, int vectorOffset, int level) {
        Page pg = ensurePage(node);
        int i = node & pageMask;
        System.arraycopy(vector, vectorOffset, pg.vectors, i * dimension, dimension);
        writeCodes(vector, vectorOffset, pg.codes, i * codeStride);
        pg.levels[i] = (byte) level;
        pg.upper[i] = level == 0 ? null : new int[level * strideUp];
        return node;
    }

    void reserveNodes(int count) {
        nodeCount.set(count);
        if (count > 0) {
            ensurePage(count - 1);
        }
    }

    private void writeCodes(float[] vector, int offset, byte[] codes, int base) {
        float max = 0;
        double squaredNorm = 0;
        for (int d = 0; d < dimension; d++) {
            float v = vector[offset + d];
            max = Math.max(max, Math.abs(v));
            squaredNorm += (double) v * v;
        }
        float toCode = max == 0 ? 0 : 127 / max;
        for (int d = 0; d < dimension; d++) {
            codes[base + d] = (byte) Math.round(vector[offset + d] * toCode);
        }
        CODE_FLOATS.set(codes, base + dimension, max / 127);
        CODE_FLOATS.set(codes, base + dimension + Float.BYTES, (float) squaredNorm);
    }

    int level(int node) {
        return page(node).levels[node & pageMask];
    }

    /** Copies the stored (normalized) vector of {@code node} into {@code out}. */
    void copyVector(int node, float[] out, int offset) {
        System.arraycopy(page(node).vectors, (node & pageMask) * dimension, out, offset, dimension);
    }

    // ---- distances

    float distance(float[] q, int qOffset, Page pg, int index) {
        int off = index * dimension;
        return l2
                ? KERNELS.squareDistance(q, qOffset, pg.vectors, off, dimension)
                : dotBase - KERNELS.dotProduct(q, qOffset, pg.vectors, off, dimension);
    }

    /**
     * Returns the distance of {@code q} (whose squared norm is given) to a node, computed from the node's int8 record:
     * an approximation good enough to steer a search, never a score shown to anyone.
     */
    float approximateDistance(float[] q, float querySquaredNorm, Page pg, int index) {
        byte[] codes = pg.codes;
        int base = index * codeStride;
        float dot = (float) CODE_FLOATS.get(codes, base + dimension)
                * KERNELS.dotProductInt8(q, 0, codes, base, dimension);
        return l2
                ? querySquaredNorm + (float) CODE_FLOATS.get(codes, base + dimension + Float.BYTES) - 2 * dot
                : dotBase - dot;
    }

    /** Like {@link #touch}, for the nodes' int8 records. */
    int touchCodes(Page[] pages, int[] nodes, int count) {
        int bits = 0;
        for (int i = 0; i < count; i++) {
            int node = nodes[i];
            byte[] codes = pages[node >>> pageShift].codes;
            int off = (node & pageMask) * codeStride;
            int last = off + codeStride - 1;
            for (; off < last; off += CACHE_LINE) {
                bits ^= codes[off];
            }
            bits ^= codes[last];
        }
        return bits;
    }

    /**
     * Reads one float from every cache line of the given nodes' vectors. Java has no prefetch instruction; these
     * independent loads let the CPU fetch all those lines at once before the kernels need them, instead of one
     * vector's misses at a time (touching every other line measured slower). The loaded bits are folded with XOR
     * (one-cycle latency, unlike a float sum) and returned so the loads are not optimized away.
     */
    int touch(Page[] pages, int[] nodes, int count) {
        int bits = 0;
        for (int i = 0; i < count; i++) {
            int node = nodes[i];
            float[] v = pages[node >>> pageShift].vectors;
            int off = (node & pageMask) * dimension;
            for (int end = off + dimension; off < end; off += FLOATS_PER_LINE) {
                bits ^= Float.floatToRawIntBits(v[off]);
            }
        }
        return bits;
    }

    float distanceBetween(int a, int b) {
        Page pa = page(a);
        return distance(pa.vectors, (a & pageMask) * dimension, page(b), b & pageMask);
    }

    // ---- neighbour lists: [seq][count][entries...]

    int[] linkArray(Page pg, int index, int level) {
        return level == 0 ? pg.links : pg.upper[index];
    }

    int linkBase(int index, int level) {
        return level == 0 ? index * stride0 : (level - 1) * strideUp;
    }

    int maxConn(int level) {
        return level == 0 ? maxConn0 : m;
    }

    /** Copies a consistent snapshot of a neighbour list into {@code out} and returns its length. */
    static int readLinks(int[] links, int base, int[] out) {
        while (true) {
            int before = (int) INTS.getAcquire(links, base);
            if ((before & 1) != 0) {
                Thread.onSpinWait();
                continue;
            }
            int n = links[base + 1];
            System.arraycopy(links, base + 2, out, 0, n);
            VarHandle.loadLoadFence();
            if ((int) INTS.getAcquire(links, base) == before) {
                return n;
            }
        }
    }

    static void lock(int[] links, int base) {
        while (true) {
            int seq = (int) INTS.getVolatile(links, base);
            if ((seq & 1) == 0 && INTS.compareAndSet(links, base, seq, seq + 1)) {
                return;
            }
            Thread.onSpinWait();
        }
    }

    static void unlock(int[] links, int base) {
        INTS.setRelease(links, base, links[base] + 1);
    }

    /** Replaces a neighbour list; the caller holds its lock. */
    static void writeLinks(int[] links, int base, int[] nodes, int count) {
        System.arraycopy(nodes, 0, links, base + 2, count);
        links[base + 1] = count;
    }

    // ---- ordinals

    int newOrdinal() {
        return ordinalCount.getAndIncrement();
    }

    void reserveOrdinals(int count) {
        ordinalCount.set(count);
    }

    int nodeOfOrdinal(int ordinal) {
        return (int) INTS.getAcquire(page(ordinal).nodeOfOrdinal, ordinal & pageMask);
    }

    int ordinalOfNode(int node) {
        return page(node).ordinalOfNode[node & pageMask];
    }

    String idOfOrdinal(int ordinal) {
        return page(ordinal).idOfOrdinal[ordinal & pageMask];
    }

    void setId(int ordinal, String id) {
        page(ordinal).idOfOrdinal[ordinal & pageMask] = id;
    }

    /**
     * Makes {@code node} the live node of {@code ordinal} in place of {@code previous} (-1: none). The new node turns
     * live before the previous one turns dead, so for an instant a search may see both; never neither.
     */
    void point(int ordinal, int node, int previous) {
        Page pg = page(node);
        int i = node & pageMask;
        pg.ordinalOfNode[i] = ordinal;
        LONGS.getAndBitwiseOrRelease(pg.live, i >>> 6, 1L << i);
        INTS.setRelease(page(ordinal).nodeOfOrdinal, ordinal & pageMask, node);
        if (previous >= 0) {
            markDead(previous);
        }
    }

    /** Leaves {@code ordinal} without a live node; its node becomes a tombstone. */
    void unpoint(int ordinal, int node) {
        INTS.setRelease(page(ordinal).nodeOfOrdinal, ordinal & pageMask, -1);
        markDead(node);
    }

    private void markDead(int node) {
        int i = node & pageMask;
        LONGS.getAndBitwiseAndRelease(page(node).live, i >>> 6, ~(1L << i));
    }

    static boolean isLive(Page pg, int index) {
        return ((long) LONGS.getAcquire(pg.live, index >>> 6) & (1L << index)) != 0;
    }
}
