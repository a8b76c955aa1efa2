package io.gridvec.grid.config;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a node could keep its data in a directory: it exists and takes a new file, or it can be created. Finds out
 * by doing it (creating the missing directories and a probe file) and undoing what it did, since permission bits
 * alone do not tell (root passes them, and file systems such as {@code /proc} refuse anyway).
 */
final class DirectoryCheck {

    private DirectoryCheck() {}

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : e.getClass().getSimpleName());
        }
        return e.toString();
    }

    /** Returns why {@code dir} cannot hold a node's data (a phrase after the key), or null when it can. */
    static String problem(String dir) {
        Path path;
        try {
            path = Path.of(dir).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            return "'" + dir + "' is not a valid path: " + e.getMessage();
        }
        List<Path> created = new ArrayList<>();
        String problem = null;
        try {
            for (Path missing = path; missing != null && !Files.exists(missing); missing = missing.getParent()) {
                created.add(0, missing);
            }
            for (Path directory : created) {
                Files.createDirectory(directory);
            }
            Files.delete(Files.createTempFile(path, ".gridvec-check", null));
        } catch (IOException e) {
            problem = "'" + dir + "' cannot be " + (created.isEmpty() ? "written" : "created") + ": " + reason(e);
        }
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                Files.deleteIfExists(created.get(i));
            } catch (IOException e) {
                return "'" + dir + "': the check created " + created.get(i) + " and cannot remove it: " + reason(e);
            }
        }
        return problem;
    }
}
