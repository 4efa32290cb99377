package io.gapwatch.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The embedded default: a real PostgreSQL (zonky's binaries) whose data lives under $GAPWATCH_HOME and
 * survives restarts. initdb refuses to run as root: bin/gapwatch starts the JVM in a user namespace then.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;

    private EmbeddedDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedDatabase start(Path home) {
        try {
            Path data = home.resolve("pgdata");
            Path binaries = home.resolve("pgbin");
            Files.createDirectories(data);
            Files.createDirectories(binaries);
            return new EmbeddedDatabase(EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL under " + home
                    + (isRoot() ? " (as root it must run in a user namespace: start gapwatch through bin/gapwatch)" : ""), e);
        }
    }

    /** Spring properties pointing the server at this database. */
    public Map<String, Object> springProperties() {
        return Map.of(
                "gapwatch.embedded.url", postgres.getJdbcUrl("postgres", "postgres"),
                "gapwatch.embedded.user", "postgres",
                "gapwatch.embedded.password", "");
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
