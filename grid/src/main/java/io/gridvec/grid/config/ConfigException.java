package io.gridvec.grid.config;

import java.util.List;

/** A configuration that cannot be used; the message lists every problem found, one per line. */
public final class ConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    ConfigException(String source, List<String> problems) {
        super(source + " is invalid:\n  - " + String.join("\n  - ", problems));
        this.problems = List.copyOf(problems);
    }

    /** Returns the problems, each naming its key. */
    public List<String> problems() {
        return problems;
    }
}
