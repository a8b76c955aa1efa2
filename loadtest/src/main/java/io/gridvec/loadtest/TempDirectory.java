package io.gridvec.loadtest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A directory under the system temp directory that is deleted, with everything in it, on {@link #close()}. */
public final class TempDirectory implements AutoCloseable {

    private final Path path;

    private TempDirectory(Path path) {
        this.path = path;
    }

    /**
     * Creates a new empty directory whose name starts with {@code prefix}.
     *
     * @throws IOException when it cannot be created
     */
    public static TempDirectory create(String prefix) throws IOException {
        return new TempDirectory(Files.createTempDirectory(prefix));
    }

    /** Returns the directory. */
    public Path path() {
        return path;
    }

    /**
     * Deletes the directory tree, children first.
     *
     * @throws IOException when something cannot be deleted
     */
    @Override
    public void close() throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(path)) {
            paths = walk.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : paths) {
            Files.delete(p);
        }
    }
}
