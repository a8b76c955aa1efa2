package io.gridvec.loadtest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FvecsTest {

    private static final float[][] VECTORS = {
        {1f, -2.5f, 3.25f},
        {Float.MIN_VALUE, Float.MAX_VALUE, -0f},
        {0.1f, 0.2f, 0.3f},
    };

    @TempDir
    Path dir;

    @Test
    void readReturnsTheLittleEndianVectorsAsWritten() throws IOException {
        Path file = write("three.fvecs", VECTORS);

        assertThat(Fvecs.read(file, Integer.MAX_VALUE)).isDeepEqualTo(VECTORS);
    }

    @Test
    void readStopsAtTheLimit() throws IOException {
        Path file = write("three.fvecs", VECTORS);

        assertThat(Fvecs.read(file, 2)).isDeepEqualTo(new float[][] {VECTORS[0], VECTORS[1]});
    }

    @Test
    void readRejectsMixedDimensions() throws IOException {
        Path file = write("mixed.fvecs", new float[][] {{1f, 2f}, {1f, 2f, 3f}});

        assertThatThrownBy(() -> Fvecs.read(file, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vector 1 has dimension 3, expected 2");
    }

    @Test
    void readRejectsATruncatedVector() throws IOException {
        Path file = write("whole.fvecs", VECTORS);
        byte[] bytes = Files.readAllBytes(file);
        Path truncated = Files.write(dir.resolve("truncated.fvecs"), Arrays.copyOf(bytes, bytes.length - 1));

        assertThatThrownBy(() -> Fvecs.read(truncated, Integer.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truncated in vector 2");
    }

    private Path write(String name, float[][] vectors) throws IOException {
        int bytes = 0;
        for (float[] v : vectors) {
            bytes += Integer.BYTES + v.length * Float.BYTES;
        }
        ByteBuffer buffer = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) {
            buffer.putInt(v.length);
            for (float x : v) {
                buffer.putFloat(x);
            }
        }
        return Files.write(dir.resolve(name), buffer.array());
    }
}
