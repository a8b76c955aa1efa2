package io.gridvec.grid.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A stop runs every step even when earlier ones fail, and reports every failure. */
class ShutdownTest {

    @Test
    void everyStepRunsAndTheFirstFailureCarriesTheOthers() {
        List<String> ran = new ArrayList<>();
        assertThatThrownBy(() -> Shutdown.runAll(
                () -> ran.add("rest"),
                () -> {
                    ran.add("shards");
                    throw new IllegalStateException("shards failed to close");
                },
                () -> {
                    ran.add("policy");
                    throw new IllegalArgumentException("policy failed");
                },
                () -> ran.add("ignite")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("shards failed to close")
                .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
                        .isInstanceOf(IllegalArgumentException.class));
        assertThat(ran).containsExactly("rest", "shards", "policy", "ignite");
    }

    @Test
    void withoutFailuresNothingIsThrown() {
        List<String> ran = new ArrayList<>();
        Shutdown.runAll(() -> ran.add("a"), () -> ran.add("b"));
        assertThat(ran).containsExactly("a", "b");
    }
}
