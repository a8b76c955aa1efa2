package io.gridvec.grid.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a CA and node certificates by running the first {@code bash} block of docs/security.md's "TLS" section as
 * written (real {@code openssl} and {@code keytool}), so the documented commands and the tests cannot drift apart.
 */
public final class DocCertificates {

    /** The passwords the documented commands give every PKCS12 store. */
    public static final String STORE_PASSWORD = "changeit";

    private static final Path DOC = Path.of("..", "docs", "security.md");
    private static final Pattern FIRST_BASH_BLOCK = Pattern.compile("(?s)## TLS.*?```bash\\n(.*?)```");
    private static final long TIMEOUT_S = 120;

    private DocCertificates() {}

    /** Runs the documented commands in {@code dir}: it then holds ca.crt, node1.crt/.key, node2.p12, truststore.p12. */
    public static Path make(Path dir) throws IOException, InterruptedException {
        Matcher block = FIRST_BASH_BLOCK.matcher(Files.readString(DOC));
        if (!block.find()) {
            throw new IllegalStateException(DOC + " has no ```bash block in its \"## TLS\" section");
        }
        Files.createDirectories(dir);
        Path log = dir.resolve("make-certificates.log");
        Process bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", block.group(1))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!bash.waitFor(TIMEOUT_S, TimeUnit.SECONDS)) {
            bash.destroyForcibly();
            throw new IllegalStateException("the certificate commands of " + DOC + " ran over " + TIMEOUT_S + " s");
        }
        if (bash.exitValue() != 0) {
            throw new IllegalStateException("the certificate commands of " + DOC + " failed with " + bash.exitValue()
                    + ":\n" + Files.readString(log, StandardCharsets.UTF_8));
        }
        return dir;
    }
}
