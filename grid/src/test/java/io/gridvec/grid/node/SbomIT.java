package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CycloneDX SBOM that {@code package} writes: the node's runtime dependencies, and no test-only ones. */
class SbomIT {

    @Test
    void theSbomListsTheRuntimeDependenciesAndNoTestOnes() throws Exception {
        JsonNode bom = new ObjectMapper().readTree(Path.of("target", "gridvec-sbom.json").toFile());
        assertThat(bom.path("bomFormat").asText()).isEqualTo("CycloneDX");
        List<String> components = new ArrayList<>();
        for (JsonNode component : bom.path("components")) {
            components.add(component.path("group").asText() + ":" + component.path("name").asText());
        }
        assertThat(components).contains("org.apache.ignite:ignite-core", "io.javalin:javalin",
                "io.gridvec:gridvec-query-router");
        assertThat(components).noneMatch(c -> c.startsWith("org.junit") || c.startsWith("org.assertj")
                || c.startsWith("org.awaitility") || c.contains(":junit"));
    }
}
