package io.gridvec.index.hnsw;

import io.gridvec.index.hnsw.HnswGraph.Page;
import io.gridvec.index.vector.Metric;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The on-disk format of an {@link HnswIndex}, version {@value #VERSION}. Big-endian, in this order:
 *
 * <pre>
 * int magic 'GVHN', int version
 * int dimension, byte metric (0 cosine, 1 dot, 2 l2), int M, int efConstruction, int efSearch, long seed
 * int nodeCount, int ordinalCount, long entry ((level &lt;&lt; 32) | node, or -1)
 * per node:    byte level, int ordinal, float[dimension] vector, then for levels 0..level: int count, int[count]
 * per ordinal: int node (-1: deleted), int idLength (bytes of UTF-8), byte[idLength]
 * int CRC32C of every byte above
 * </pre>
 *
 * Reading checks the checksum over the whole file before it builds anything, then validates every count and
 * reference, so a truncated or corrupted file fails with an {@link IndexFormatException}, never with a wrong graph.
 */
final class HnswIndexFormat {

    static final int MAGIC = 0x4756484E; // "GVHN"
    static final int VERSION = 1;
    private static final int MAX_ID_BYTES = 1 << 20;
    private static final int BUFFER = 1 << 16;

    private HnswIndexFormat() {}

    static void write(HnswIndex index, Path file) throws IOException {
        HnswGraph g = index.graph();
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = dir.resolve(file.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C crc = new CRC32C();
            OutputStream raw = Channels.newOutputStream(channel);
            DataOutputStream out = new DataOutputStream(
                    new BufferedOutputStream(new CheckedOutputStream(raw, crc), BUFFER));
            writeBody(index, g, out);
            out.flush();
            new DataOutputStream(raw).writeInt((int) crc.getValue());
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
            directory.force(true);
        }
    }

    private static void writeBody(HnswIndex index, HnswGraph g, DataOutputStream out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(g.dimension);
        out.writeByte(g.metric.ordinal());
        out.writeInt(g.m);
        out.writeInt(index.efConstruction());
        out.writeInt(index.efSearch());
        out.writeLong(index.seed());
        int nodes = g.nodeCount();
        int ordinals = g.ordinalCount();
        out.writeInt(nodes);
        out.writeInt(ordinals);
        out.writeLong(g.entry());
        int[] buffer = new int[g.maxConn0];
        // Vectors and link lists go through one big-endian byte buffer in bulk, not a value at a time.
        ByteBuffer bytes = ByteBuffer.allocate(4 * Math.max(g.dimension, g.maxConn0));
        FloatBuffer floats = bytes.asFloatBuffer();
        IntBuffer ints = bytes.asIntBuffer();
        for (int node = 0; node < nodes; node++) {
            Page page = g.page(node);
            int i = node & g.pageMask;
            int level = page.levels[i];
            out.writeByte(level);
            out.writeInt(page.ordinalOfNode[i]);
            floats.put(0, page.vectors, i * g.dimension, g.dimension);
            out.write(bytes.array(), 0, 4 * g.dimension);
            for (int l = 0; l <= level; l++) {
                int n = HnswGraph.readLinks(g.linkArray(page, i, l), g.linkBase(i, l), buffer);
                out.writeInt(n);
                ints.put(0, buffer, 0, n);
                out.write(bytes.array(), 0, 4 * n);
            }
        }
        for (int ordinal = 0; ordinal < ordinals; ordinal++) {
            out.writeInt(g.nodeOfOrdinal(ordinal));
            byte[] id = g.idOfOrdinal(ordinal).getBytes(StandardCharsets.UTF_8);
            out.writeInt(id.length);
            out.write(id);
        }
    }

    static HnswIndex read(Path file) throws IOException {
        long size = Files.size(file);
        if (size < 12) {
            throw new IndexFormatException(file + ": truncated (" + size + " bytes)");
        }
        verifyChecksum(file, size);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), BUFFER))) {
            return readBody(in, size, file);
        } catch (EOFException e) {
            throw new IndexFormatException(file + ": truncated", e);
        }
    }

    private static void verifyChecksum(Path file, long size) throws IOException {
        CRC32C crc = new CRC32C();
        try (InputStream in = new CheckedInputStream(Files.newInputStream(file), crc)) {
            byte[] buffer = new byte[BUFFER];
            long remaining = size - 4;
            while (remaining > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
                if (n < 0) {
                    throw new IndexFormatException(file + ": truncated");
                }
                remaining -= n;
            }
            int computed = (int) crc.getValue();
            int stored = new DataInputStream(in).readInt();
            if (stored != computed) {
                throw new IndexFormatException(file + ": checksum mismatch (corrupted or truncated file)");
            }
        }
    }

    private static HnswIndex readBody(DataInputStream in, long size, Path file) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IndexFormatException(file + ": not a Gridvec index file (magic " + Integer.toHexString(magic) + ")");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IndexFormatException(file + ": unsupported format version " + version + ", this build reads "
                    + VERSION);
        }
        int dimension = in.readInt();
        int metricCode = in.readByte();
        if (metricCode < 0 || metricCode >= Metric.values().length) {
            throw new IndexFormatException(file + ": unknown metric code " + metricCode);
        }
        HnswIndex index;
        try {
            index = HnswIndex.builder(dimension, Metric.values()[metricCode])
                    .m(in.readInt())
                    .efConstruction(in.readInt())
                    .efSearch(in.readInt())
                    .seed(in.readLong())
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IndexFormatException(file + ": invalid parameters: " + e.getMessage(), e);
        }
        HnswGraph g = index.graph();
        int nodes = in.readInt();
        int ordinals = in.readInt();
        long entry = in.readLong();
        long minNodeBytes = 1L + 4 + 4L * dimension + 4;
        if (nodes < 0 || nodes * minNodeBytes > size || ordinals < 0 || ordinals > nodes) {
            throw new IndexFormatException(file + ": invalid counts (nodes " + nodes + ", ordinals " + ordinals + ")");
        }
        int entryNode = (int) entry;
        int entryLevel = (int) (entry >>> 32);
        if (nodes == 0 ? entry != -1 : entryNode < 0 || entryNode >= nodes || entryLevel > HnswGraph.MAX_LEVEL) {
            throw new IndexFormatException(file + ": invalid entry point " + entry);
        }
        readNodes(in, g, nodes, ordinals, file);
        readOrdinals(in, index, g, ordinals, nodes, file);
        if (nodes > 0 && g.level(entryNode) != entryLevel) {
            throw new IndexFormatException(file + ": entry point level " + entryLevel + " does not match its node");
        }
        g.entry(entry);
        return index;
    }

    private static void readNodes(DataInputStream in, HnswGraph g, int nodes, int ordinals, Path file)
            throws IOException {
        g.reserveNodes(nodes);
        float[] vector = new float[g.dimension];
        ByteBuffer bytes = ByteBuffer.allocate(4 * Math.max(g.dimension, g.maxConn0));
        FloatBuffer floats = bytes.asFloatBuffer();
        IntBuffer ints = bytes.asIntBuffer();
        for (int node = 0; node < nodes; node++) {
            int level = in.readByte();
            int ordinal = in.readInt();
            if (level < 0 || level > HnswGraph.MAX_LEVEL || ordinal < 0 || ordinal >= Math.max(1, ordinals)) {
                throw new IndexFormatException(file + ": invalid node " + node + " (level " + level + ", ordinal "
                        + ordinal + ")");
            }
            in.readFully(bytes.array(), 0, 4 * g.dimension);
            floats.get(0, vector);
            g.writeNode(node, vector, 0, level);
            Page page = g.page(node);
            int i = node & g.pageMask;
            page.ordinalOfNode[i] = ordinal;
            for (int l = 0; l <= level; l++) {
                int n = in.readInt();
                if (n < 0 || n > g.maxConn(l)) {
                    throw new IndexFormatException(file + ": node " + node + " has " + n + " links on level " + l);
                }
                int[] links = g.linkArray(page, i, l);
                int base = g.linkBase(i, l);
                in.readFully(bytes.array(), 0, 4 * n);
                ints.get(0, links, base + 2, n);
                for (int j = 0; j < n; j++) {
                    int neighbor = links[base + 2 + j];
                    if (neighbor < 0 || neighbor >= nodes) {
                        throw new IndexFormatException(file + ": node " + node + " links to missing node " + neighbor);
                    }
                }
                links[base + 1] = n;
            }
        }
    }

    private static void readOrdinals(DataInputStream in, HnswIndex index, HnswGraph g, int ordinals, int nodes,
            Path file) throws IOException {
        g.reserveOrdinals(ordinals);
        for (int ordinal = 0; ordinal < ordinals; ordinal++) {
            int node = in.readInt();
            int length = in.readInt();
            if (node < -1 || node >= nodes || length < 0 || length > MAX_ID_BYTES) {
                throw new IndexFormatException(file + ": invalid ordinal " + ordinal + " (node " + node + ", id length "
                        + length + ")");
            }
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException();
            }
            String id = new String(bytes, StandardCharsets.UTF_8);
            g.setId(ordinal, id);
            if (node >= 0) {
                if (g.ordinalOfNode(node) != ordinal) {
                    throw new IndexFormatException(file + ": ordinal " + ordinal + " and node " + node + " disagree");
                }
                if (index.ordinalMap().putIfAbsent(id, ordinal) != null) {
                    throw new IndexFormatException(file + ": id '" + id + "' is live twice");
                }
                g.point(ordinal, node, -1);
            }
        }
    }
}
