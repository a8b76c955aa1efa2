package io.gridvec.index.hnsw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridvec.index.vector.Metric;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Saving and loading an index: exact round trip, and clear failures on damaged files. */
class HnswIndexFormatTest {

    private static final int DIM = 24;

    @TempDir
    Path dir;

    private HnswIndex index;
    private Path file;

    @BeforeEach
    void saveAnIndexWithDeletesAndUpdates() throws IOException {
        float[][] points = TestData.clustered(3_000, DIM, 12, TestData.SEED);
        index = HnswIndex.builder(DIM, Metric.COSINE).m(12).efConstruction(80).efSearch(50).seed(9).build();
        for (int i = 0; i < points.length; i++) {
            index.upsert("id-" + i + "-é", points[i]);
        }
        for (int i = 0; i < points.length; i += 10) {
            index.delete("id-" + i + "-é");
        }
        index.upsert("id-1-é", points[2]);
        file = dir.resolve("shard.hnsw");
        index.save(file);
    }

    @Test
    void loadedIndexAnswersExactlyLikeTheSavedOne() throws IOException {
        HnswIndex loaded = HnswIndex.load(file);
        assertThat(loaded.dimension()).isEqualTo(DIM);
        assertThat(loaded.metric()).isEqualTo(Metric.COSINE);
        assertThat(loaded.m()).isEqualTo(12);
        assertThat(loaded.efConstruction()).isEqualTo(80);
        assertThat(loaded.efSearch()).isEqualTo(50);
        assertThat(loaded.seed()).isEqualTo(9);
        assertThat(loaded.size()).isEqualTo(index.size());
        assertThat(loaded.tombstones()).isEqualTo(index.tombstones());
        assertThat(loaded.ordinal("id-0-é")).isEqualTo(-1);

        for (float[] q : TestData.clusteredQueries(50, DIM, 12, TestData.SEED)) {
            SearchResults expected = index.search(q, 10);
            SearchResults actual = loaded.search(q, 10);
            assertThat(actual.size()).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertThat(loaded.id(actual.ordinal(i))).isEqualTo(index.id(expected.ordinal(i)));
                assertThat(actual.score(i)).isEqualTo(expected.score(i));
            }
        }
        loaded.upsert("new", TestData.uniform(1, DIM, 1)[0]);
        assertThat(loaded.size()).isEqualTo(index.size() + 1);
    }

    @Test
    void emptyIndexRoundTrips() throws IOException {
        Path empty = dir.resolve("empty.hnsw");
        HnswIndex.builder(3, Metric.L2).build().save(empty);
        HnswIndex loaded = HnswIndex.load(empty);
        assertThat(loaded.size()).isZero();
        assertThat(loaded.search(new float[] {1, 2, 3}, 3).size()).isZero();
    }

    @Test
    void aFlippedByteAnywhereIsDetected() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int position : new int[] {0, 7, 40, bytes.length / 2, bytes.length - 5, bytes.length - 1}) {
            byte[] damaged = bytes.clone();
            damaged[position] ^= 0x10;
            Path copy = dir.resolve("damaged-" + position);
            Files.write(copy, damaged);
            assertThatThrownBy(() -> HnswIndex.load(copy))
                    .as("flipped byte at %d", position)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void aTruncatedFileIsDetected() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        for (int length : new int[] {0, 5, 11, 100, bytes.length / 3, bytes.length - 1}) {
            Path copy = dir.resolve("truncated-" + length);
            Files.write(copy, Arrays.copyOf(bytes, length));
            assertThatThrownBy(() -> HnswIndex.load(copy))
                    .as("truncated to %d bytes", length)
                    .isInstanceOf(IndexFormatException.class)
                    .hasMessageMatching(".*(truncated|checksum mismatch).*");
        }
    }

    @Test
    void aForeignFileOrANewerVersionIsRefusedByName() throws IOException {
        Path foreign = dir.resolve("foreign");
        Files.write(foreign, withChecksum("just some text, not an index".getBytes()));
        assertThatThrownBy(() -> HnswIndex.load(foreign))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageContaining("not a Gridvec index file");

        byte[] body = Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 4);
        ByteBuffer.wrap(body).putInt(4, HnswIndexFormat.VERSION + 1);
        Path newer = dir.resolve("newer");
        Files.write(newer, withChecksum(body));
        assertThatThrownBy(() -> HnswIndex.load(newer))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageContaining("unsupported format version " + (HnswIndexFormat.VERSION + 1));
    }

    @Test
    void aConsistentButInvalidGraphIsRefused() throws IOException {
        byte[] body = Arrays.copyOf(Files.readAllBytes(file), (int) Files.size(file) - 4);
        // Header: magic, version, dimension, metric(1), m, efC, efS, seed(8), nodes, ordinals, entry(8) = 49 bytes;
        // the first node then has level(1), ordinal(4), vector, then its level-0 link count.
        int firstLinkCount = 49 + 1 + 4 + DIM * 4;
        ByteBuffer.wrap(body).putInt(firstLinkCount, 1_000);
        Path invalid = dir.resolve("invalid");
        Files.write(invalid, withChecksum(body));
        assertThatThrownBy(() -> HnswIndex.load(invalid))
                .isInstanceOf(IndexFormatException.class)
                .hasMessageContaining("node 0 has 1000 links on level 0");
    }

    private static byte[] withChecksum(byte[] body) {
        CRC32C crc = new CRC32C();
        crc.update(body);
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) crc.getValue()).array();
    }
}
