package io.gapwatch.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The agent's bearer secret. A new agent holds an enrollment token; registering with it yields the
 * agent's own secret, which is kept (mode 0600) and used from then on, across restarts.
 */
public final class Credentials {
    private final Path secretFile;
    private final String enrollmentToken;
    private volatile String secret;

    public Credentials(Path secretFile, String enrollmentToken) {
        this.secretFile = secretFile;
        this.enrollmentToken = enrollmentToken;
        try {
            this.secret = Files.exists(secretFile) ? Files.readString(secretFile).trim() : null;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the agent secret " + secretFile + ": " + e.getMessage(), e);
        }
    }

    /** The bearer to send: the agent's own secret once it has one, else the enrollment token (may be null). */
    public String bearer() {
        return secret != null ? secret : enrollmentToken;
    }

    public boolean enrolled() {
        return secret != null;
    }

    /** Keeps the secret the server issued at enrollment. */
    public void enrolled(String newSecret) throws IOException {
        Files.createDirectories(secretFile.getParent());
        Path tmp = secretFile.resolveSibling(secretFile.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, newSecret);
        Files.move(tmp, secretFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        secret = newSecret;
    }

    /** The server no longer takes the secret (revoked, or a new database): fall back to enrolling again. */
    public void forget() throws IOException {
        Files.deleteIfExists(secretFile);
        secret = null;
    }
}
