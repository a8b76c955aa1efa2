package io.gridvec.shard.partition;

import io.gridvec.index.hnsw.HnswIndex;
import io.gridvec.shard.catalog.CollectionSpec;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import java.util.zip.CRC32C;

/**
 * A shard on disk, in a collection's snapshot directory: {@code <partition>.hnsw}, the index in the checksummed
 * format of {@link HnswIndex#save}, and {@code <partition>.versions}, the version of every record the index holds.
 * The versions file is big-endian: int magic 'GVSV', int format version, int count, then per record its id
 * (modified UTF-8) and long version, then the CRC32C of all that as an int. Each file is written to a temporary
 * name, forced and renamed; a snapshot whose two files disagree (a crash between the renames) is refused on read.
 * Stateless.
 */
public final class ShardSnapshot {

    private static final int MAGIC = 0x47565356; // "GVSV"
    private static final int FORMAT = 1;
    private static final int BUFFER = 1 << 16;

    /** A snapshot read back: the index and the version of each record in it. */
    record Loaded(HnswIndex index, Map<String, Long> versions) {}

    private ShardSnapshot() {}

    static void write(Path dir, int partition, HnswIndex index, Map<String, Long> versions) throws IOException {
        Files.createDirectories(dir);
        index.save(dir.resolve(partition + ".hnsw"));
        Path file = dir.resolve(partition + ".versions");
        Path tmp = dir.resolve(partition + ".versions.tmp");
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            CRC32C crc = new CRC32C();
            OutputStream raw = Channels.newOutputStream(channel);
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new CheckedOutputStream(raw, crc),
                    BUFFER));
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(versions.size());
            for (Map.Entry<String, Long> entry : versions.entrySet()) {
                out.writeUTF(entry.getKey());
                out.writeLong(entry.getValue());
            }
            out.flush();
            new DataOutputStream(raw).writeInt((int) crc.getValue());
            channel.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads the snapshot of a partition, or returns null when there is none.
     *
     * @throws IOException when a file cannot be read, or (as an {@link io.gridvec.index.hnsw.IndexFormatException} or
     *     a {@link SnapshotFormatException}) is corrupt, truncated, of another format, or does not match the
     *     collection's spec or the other file
     */
    static Loaded read(Path dir, int partition, CollectionSpec spec) throws IOException {
        Path graph = dir.resolve(partition + ".hnsw");
        Path versionsFile = dir.resolve(partition + ".versions");
        if (!Files.exists(graph) && !Files.exists(versionsFile)) {
            return null;
        }
        HnswIndex index = HnswIndex.load(graph);
        if (index.dimension() != spec.dimension() || !index.metric().wireName().equals(spec.metric())
                || index.m() != spec.hnsw().m()) {
            throw new SnapshotFormatException(graph + ": holds a " + index.dimension() + "-d " + index.metric().wireName()
                    + " index with M " + index.m() + ", the collection is " + spec.dimension() + "-d "
                    + spec.metric() + " with M " + spec.hnsw().m());
        }
        Map<String, Long> versions = readVersions(versionsFile);
        if (versions.size() != index.size() || versions.keySet().stream().anyMatch(id -> index.ordinal(id) < 0)) {
            throw new SnapshotFormatException(versionsFile + ": lists " + versions.size() + " records, the index holds "
                    + index.size() + " others; the two files are from different snapshots");
        }
        return new Loaded(index, versions);
    }

    private static Map<String, Long> readVersions(Path file) throws IOException {
        long size = Files.size(file);
        CRC32C crc = new CRC32C();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER)) {
            DataInputStream in = new DataInputStream(new CheckedInputStream(raw, crc));
            if (size < 16 || in.readInt() != MAGIC) {
                throw new SnapshotFormatException(file + ": not a shard versions file");
            }
            int format = in.readInt();
            if (format != FORMAT) {
                throw new SnapshotFormatException(file + ": unsupported format " + format + ", this build reads "
                        + FORMAT);
            }
            int count = in.readInt();
            if (count < 0 || count > size / 10) {
                throw new SnapshotFormatException(file + ": invalid record count " + count);
            }
            Map<String, Long> versions = new HashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                versions.put(in.readUTF(), in.readLong());
            }
            int expected = (int) crc.getValue();
            if (new DataInputStream(raw).readInt() != expected || raw.read() != -1) {
                throw new SnapshotFormatException(file + ": checksum mismatch (corrupted or appended to)");
            }
            return versions;
        } catch (EOFException e) {
            throw new SnapshotFormatException(file + ": truncated");
        }
    }

    /** Deletes a collection's snapshot directory. */
    public static void deleteAll(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
