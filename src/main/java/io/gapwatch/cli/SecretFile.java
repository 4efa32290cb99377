package io.gapwatch.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.function.Supplier;

/**
 * A secret kept in a file of $GAPWATCH_HOME that only its owner reads (mode 0600 from the moment it exists:
 * written to a private temporary file, then renamed into place, so no reader ever sees it open or half written).
 */
public final class SecretFile {
    private SecretFile() {
    }

    /** Writes {@code secret} to {@code file}, replacing what was there. */
    public static void write(Path file, String secret) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, secret + "\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the secret file " + file, e);
        }
    }

    /** The secret in {@code file}, or a new one from {@code generate} written there first. */
    public static Secret readOrCreate(Path file, Supplier<String> generate) {
        try {
            if (Files.exists(file)) {
                return new Secret(Files.readString(file).trim(), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secret file " + file, e);
        }
        String secret = generate.get();
        write(file, secret);
        return new Secret(secret, true);
    }

    /** A secret, and whether it was made just now (nothing else knows it yet). */
    public record Secret(String value, boolean created) {
    }
}
