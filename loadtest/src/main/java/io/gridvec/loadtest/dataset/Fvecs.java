package io.gridvec.loadtest.dataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads TEXMEX {@code .fvecs} files (SIFT, GIST, ...): per vector a little-endian int32 dimension, then that many
 * little-endian float32 values. Every vector of a file must have the same dimension.
 */
public final class Fvecs {

    private Fvecs() {}

    /**
     * Returns the first {@code limit} vectors of {@code file} (all, when it holds fewer).
     *
     * @throws IllegalArgumentException when the file is empty, truncated, or mixes dimensions
     * @throws IOException when the file cannot be read
     */
    public static float[][] read(Path file, int limit) throws IOException {
        List<float[]> vectors = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            ByteBuffer header = ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer body = ByteBuffer.allocate(0);
            int dimension = -1;
            while (vectors.size() < limit) {
                int headerBytes = in.readNBytes(header.array(), 0, Integer.BYTES);
                if (headerBytes == 0) {
                    break;
                }
                int index = vectors.size();
                if (headerBytes < Integer.BYTES) {
                    throw new IllegalArgumentException(file + ": truncated in the header of vector " + index);
                }
                int d = header.getInt(0);
                if (d < 1 || (dimension > 0 && d != dimension)) {
                    throw new IllegalArgumentException(file + ": vector " + index + " has dimension " + d
                            + (dimension > 0 ? ", expected " + dimension : ", expected at least 1"));
                }
                if (dimension < 0) {
                    dimension = d;
                    body = ByteBuffer.allocate(d * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                }
                if (in.readNBytes(body.array(), 0, body.capacity()) < body.capacity()) {
                    throw new IllegalArgumentException(file + ": truncated in vector " + index);
                }
                float[] v = new float[d];
                body.asFloatBuffer().get(0, v);
                vectors.add(v);
            }
        }
        if (vectors.isEmpty()) {
            throw new IllegalArgumentException(file + ": holds no vectors");
        }
        return vectors.toArray(float[][]::new);
    }
}
