package io.gridvec.router.collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gridvec.router.rest.ApiException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Collection names from requests: traversal, SQL, overlong and look-alike names are refused before any lookup. */
class CollectionNamesTest {

    @Test
    void hostileNamesAreRefusedNamingTheField() {
        List<String> hostile = Arrays.asList("../../etc", "..%2F..%2Fetc", "a/b", "x'; DROP TABLE t; --",
                "a".repeat(300), "docs\n", "DOCS", "dоcs" /* Cyrillic o */, "ｄｏｃｓ", "", " docs", "1abc", null,
                "docs\u0000", "gv_docs;");
        for (String name : hostile) {
            assertThatThrownBy(() -> CollectionNames.check(name, "collections[0]")).as(String.valueOf(name))
                    .isInstanceOfSatisfying(ApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("collections[0]");
                        assertThat(e.getMessage()).startsWith("collections[0] must match ^[a-z][a-z0-9_-]{0,62}$")
                                .hasSizeLessThan(200);
                    });
        }
    }

    @Test
    void wellFormedNamesPass() {
        for (String name : List.of("docs", "a", "docs_2-b", "a" + "b".repeat(62))) {
            assertThat(CollectionNames.check(name, "name")).isEqualTo(name);
        }
    }
}
