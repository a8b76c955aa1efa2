package io.gridvec.loadtest.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MnistDigitsTest {

    @TempDir
    Path dir;

    @Test
    void loadConcatenatesDigitsInOrderAndMakesEveryTwentiethImageAQuery() throws IOException {
        // Digit d has d + 1 images (55 in all); every pixel of an image holds pixel(digit, image).
        for (int digit = 0; digit <= 9; digit++) {
            writeDigit(digit, digit + 1);
        }

        Dataset data = MnistDigits.load(dir);

        // Digit d starts at global image d(d+1)/2, so queries 0, 20 and 40 are digit 0 image 0, digit 5 image 5
        // and digit 8 image 4; the base starts with digit 1 image 0 and ends with digit 9 image 9.
        assertThat(data.queries()).hasNumberOfRows(3);
        assertThat(data.base()).hasNumberOfRows(52);
        assertThat(data.dimension()).isEqualTo(MnistDigits.DIMENSION);
        assertThat(data.queries()[0][0]).isEqualTo(pixel(0, 0));
        assertThat(data.queries()[1][783]).isEqualTo(pixel(5, 5));
        assertThat(data.queries()[2][0]).isEqualTo(pixel(8, 4));
        assertThat(data.base()[0][0]).isEqualTo(pixel(1, 0));
        assertThat(data.base()[51][0]).isEqualTo(pixel(9, 9));
    }

    @Test
    void loadNamesTheMissingFile() throws IOException {
        writeDigit(0, 1);

        assertThatThrownBy(() -> MnistDigits.load(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.json");
    }

    private void writeDigit(int digit, int images) throws IOException {
        StringJoiner data = new StringJoiner(",", "{\"data\": [", "]}");
        for (int image = 0; image < images; image++) {
            String pixel = Float.toString(pixel(digit, image));
            for (int p = 0; p < MnistDigits.DIMENSION; p++) {
                data.add(pixel);
            }
        }
        Files.writeString(dir.resolve(digit + ".json"), data.toString());
    }

    private static float pixel(int digit, int image) {
        return digit + image / 100f;
    }
}
