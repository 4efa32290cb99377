package io.gapwatch.server.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.test.context.DynamicPropertyRegistry;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A real PostgreSQL for the tests: GAPWATCH_TEST_DB_URL (+ _USER, _PASSWORD) when set, else one embedded
 * server per test JVM. As root, run the tests through `bin/gapwatch test` (initdb refuses root).
 */
public final class TestDatabase {
    private static String url;
    private static String user;
    private static String password;

    private TestDatabase() {
    }

    /** A new, empty database on the test PostgreSQL server, for server processes of their own. */
    public static synchronized String createDatabase(String name) {
        start();
        try (var c = java.sql.DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + name);
            s.execute("CREATE DATABASE " + name);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot create database " + name, e);
        }
        return url.replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    }

    public static String user() {
        return user;
    }

    public static String password() {
        return password;
    }

    public static synchronized void register(DynamicPropertyRegistry registry) {
        start();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> user);
        registry.add("spring.datasource.password", () -> password);
    }

    /**
     * A database of the test class's own. Every test class's server stays alive in Spring's context cache, and each
     * completes and analyses whatever sweeps it finds in its database, with its own settings and its own clock: a
     * class whose assertions depend on its server's settings (analysis, leases) needs a database no other server sees.
     */
    public static void registerOwn(DynamicPropertyRegistry registry, String name) {
        String own = createDatabase(name);
        registry.add("spring.datasource.url", () -> own);
        registry.add("spring.datasource.username", TestDatabase::user);
        registry.add("spring.datasource.password", TestDatabase::password);
    }

    private static void start() {
        if (url != null) {
            return;
        }
        String external = System.getenv("GAPWATCH_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            url = external;
            user = System.getenv().getOrDefault("GAPWATCH_TEST_DB_USER", "postgres");
            password = System.getenv().getOrDefault("GAPWATCH_TEST_DB_PASSWORD", "");
            return;
        }
        try {
            // many test servers (Spring contexts, server processes) share it: room for all their pools
            EmbeddedPostgres pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "500").start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is exiting; the temporary data directory goes with it
                }
            }));
            url = pg.getJdbcUrl("postgres", "postgres");
            user = "postgres";
            password = "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the embedded PostgreSQL for tests"
                    + " (as root, run them through bin/gapwatch test, or set GAPWATCH_TEST_DB_URL)", e);
        }
    }
}
