package io.gapwatch.server;

import io.gapwatch.cli.SecretFile;
import io.gapwatch.server.auth.Secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The embedded default: a real PostgreSQL (zonky's binaries) whose data lives in {@code $GAPWATCH_HOME/pgdata}
 * and survives restarts. It takes password logins (SCRAM) on the loopback interface only; the password is
 * generated and kept in {@code $GAPWATCH_HOME/db.password} (mode 0600).
 *
 * <p>It does not outlive its owner: PostgreSQL is started under {@code setpriv --pdeathsig SIGINT}, so when the
 * JVM dies, even by SIGKILL, PostgreSQL receives a fast shutdown. A start that finds a PostgreSQL still running
 * on its data directory (postmaster.pid) while no other gapwatch holds the home's lock stops it first.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    /** How the embedded database trades durability for speed. */
    public enum Durability {
        /** fsync and synchronous commits on: what the server acknowledged survives a crash of the machine. */
        DURABLE,
        /**
         * fsync off: acknowledged results survive a crash of gapwatch or of PostgreSQL (every commit reaches
         * the operating system), not a crash of the machine. The demo's choice.
         */
        FAST
    }

    static final String USER = "postgres";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(1);
    static final String PG_HBA = """
            # Written by gapwatch: password (SCRAM) logins over the loopback interface only.
            # The password is in $GAPWATCH_HOME/db.password.
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    private final PostgresBinaries binaries;
    private final Path data;
    private final Path log;
    private final int port;
    private final String password;
    private final Process postmaster;
    private final FileLock lock;

    private EmbeddedDatabase(PostgresBinaries binaries, Path data, Path log, int port, String password, Process postmaster,
                             FileLock lock) {
        this.binaries = binaries;
        this.data = data;
        this.log = log;
        this.port = port;
        this.password = password;
        this.postmaster = postmaster;
        this.lock = lock;
    }

    /**
     * Starts the database of {@code home}: initialises it on first use, brings a data directory of an older
     * gapwatch (which trusted every local user) to password logins, and stops a PostgreSQL that a killed gapwatch
     * left running on it. {@code say} gets one line for each of those events.
     */
    public static EmbeddedDatabase start(Path home, Durability durability, Consumer<String> say) {
        Path data = home.toAbsolutePath().normalize().resolve("pgdata");
        Path log = data.resolveSibling("postgres.log");
        FileLock lock = lockHome(data.resolveSibling("pgdata.lock"), data);
        try {
            PostgresBinaries binaries = PostgresBinaries.unpack(data.resolveSibling("pgbin"));
            SecretFile.Secret password = SecretFile.readOrCreate(data.resolveSibling("db.password"), () -> Secrets.generate("gwdb_"));
            if (!Files.exists(data.resolve("PG_VERSION"))) {
                initdb(binaries, data, log, data.resolveSibling("db.password"));
            } else {
                stopLeftover(binaries, data, log, say);
                String hba = Files.readString(data.resolve("pg_hba.conf"));
                boolean trusted = hba.lines().anyMatch(l -> !l.strip().startsWith("#") && l.contains("trust"));
                if (password.created() || trusted) {
                    setPassword(binaries, data, log, password.value());
                    say.accept("the embedded PostgreSQL now takes password logins only (password in "
                            + data.resolveSibling("db.password") + ")" + (trusted ? "; it trusted every local user before" : ""));
                }
                if (!hba.equals(PG_HBA)) {
                    Files.writeString(data.resolve("pg_hba.conf"), PG_HBA);
                }
            }
            int port = freePort();
            Process postmaster = startPostmaster(binaries, data, log, port, durability);
            EmbeddedDatabase db = new EmbeddedDatabase(binaries, data, log, port, password.value(), postmaster, lock);
            db.awaitReady();
            return db;
        } catch (IOException | RuntimeException e) {
            release(lock);
            throw new IllegalStateException("cannot start the embedded PostgreSQL in " + data + ": " + e.getMessage(), e);
        }
    }

    /** Spring properties pointing the server at this database. */
    public Map<String, Object> springProperties() {
        return Map.of(
                "gapwatch.embedded.url", jdbcUrl(),
                "gapwatch.embedded.user", USER,
                "gapwatch.embedded.password", password);
    }

    public Path dataDirectory() {
        return data;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** Stops PostgreSQL (fast shutdown: sessions end, everything committed is on disk) and waits for it. */
    @Override
    public void close() {
        try {
            if (postmaster.isAlive()) {
                run(binaries.command(List.of(), "pg_ctl", "-D", data.toString(), "stop", "-m", "fast", "-w",
                        "-t", Long.toString(STOP_TIMEOUT.toSeconds())), log, "pg_ctl stop");
            }
            if (!postmaster.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IOException("PostgreSQL did not stop within " + STOP_TIMEOUT);
            }
        } catch (IOException e) {
            postmaster.destroyForcibly();
            throw new UncheckedIOException("PostgreSQL did not stop in order; killed it (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            release(lock);
        }
    }

    /** One gapwatch per home: a second one would stop the first one's PostgreSQL as a leftover. */
    private static FileLock lockHome(Path lockFile, Path data) {
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("another gapwatch runs the embedded PostgreSQL in " + data
                        + ": stop it first, or give this one its own GAPWATCH_HOME");
            }
            return lock;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + lockFile, e);
        }
    }

    private static void release(FileLock lock) {
        try {
            lock.channel().close(); // releases the lock
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }

    private static void initdb(PostgresBinaries binaries, Path data, Path log, Path passwordFile) throws IOException {
        if (Files.isDirectory(data)) {
            try (var entries = Files.list(data)) {
                if (entries.findAny().isPresent()) {
                    throw new IOException(data + " is not empty but holds no PostgreSQL data (no PG_VERSION): move it away");
                }
            }
        }
        Path fresh = data.resolveSibling("pgdata.initdb");
        PostgresBinaries.deleteRecursively(fresh);
        run(binaries.command(List.of(), "initdb", "-D", fresh.toString(), "-U", USER, "--auth=scram-sha-256",
                "--pwfile=" + passwordFile, "-E", "UTF-8", "--no-locale"), log, "initdb");
        Files.writeString(fresh.resolve("pg_hba.conf"), PG_HBA);
        Files.deleteIfExists(data); // empty, as checked above
        Files.move(fresh, data);
    }

    /** Sets the superuser's password in single-user mode: nothing listens while it happens. */
    private static void setPassword(PostgresBinaries binaries, Path data, Path log, String password) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binaries.command(List.of(), "postgres", "--single", "-D", data.toString(),
                "-c", "password_encryption=scram-sha-256", "postgres"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            // generated from [A-Za-z0-9_-]: nothing to quote
            in.write(("ALTER ROLE " + USER + " PASSWORD '" + password + "';\n").getBytes(StandardCharsets.UTF_8));
        }
        await(p, "postgres --single", log);
    }

    private static Process startPostmaster(PostgresBinaries binaries, Path data, Path log, int port, Durability durability)
            throws IOException {
        ProcessBuilder pb = new ProcessBuilder(binaries.command(List.of("setpriv", "--pdeathsig", "INT", "--"), "postgres",
                "-D", data.toString(),
                "-c", "listen_addresses=127.0.0.1",
                "-c", "port=" + port,
                "-c", "unix_socket_directories=",
                "-c", "fsync=" + (durability == Durability.DURABLE ? "on" : "off"),
                "-c", "synchronous_commit=on",
                "-c", "timezone=UTC"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // The parent-death signal follows the thread that forked PostgreSQL, not the JVM: fork from a thread that
        // lives exactly as long as PostgreSQL does.
        CompletableFuture<Process> started = new CompletableFuture<>();
        Thread owner = new Thread(() -> {
            try {
                Process p = pb.start();
                started.complete(p);
                p.waitFor();
            } catch (IOException e) {
                started.completeExceptionally(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "embedded-postgres");
        owner.setDaemon(true);
        owner.start();
        try {
            return started.get();
        } catch (ExecutionException e) {
            throw new IOException("cannot run " + pb.command() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting PostgreSQL", e);
        }
    }

    private void awaitReady() throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                throw new IOException("PostgreSQL exited with status " + postmaster.exitValue() + "; " + tail(log));
            }
            try (var c = DriverManager.getConnection(jdbcUrl(), USER, password)) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(100);
        }
        postmaster.destroyForcibly();
        throw new IOException("PostgreSQL did not accept connections within " + READY_TIMEOUT
                + (last != null ? " (" + last.getMessage() + ")" : "") + "; " + tail(log));
    }

    /**
     * A PostgreSQL still running on this data directory was left by a gapwatch that did not stop (we hold the
     * home's lock, so its owner is gone): stop it. A postmaster.pid whose process is gone is PostgreSQL's to clean.
     */
    private static void stopLeftover(PostgresBinaries binaries, Path data, Path log, Consumer<String> say) throws IOException {
        Path pidFile = data.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid = Long.parseLong(lines.get(0).trim());
        Optional<ProcessHandle> leftover = ProcessHandle.of(pid).filter(p -> runsOn(pid, data));
        if (leftover.isEmpty()) {
            return;
        }
        run(binaries.command(List.of(), "pg_ctl", "-D", data.toString(), "stop", "-m", "fast", "-w",
                "-t", Long.toString(STOP_TIMEOUT.toSeconds())), log, "pg_ctl stop");
        say.accept("stopped PostgreSQL pid " + pid + ", left running on " + data + " by a gapwatch that did not stop");
    }

    /** Whether process {@code pid} is a postmaster of {@code data} (its command line names the directory). */
    private static boolean runsOn(long pid, Path data) {
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                    .split("\0");
            for (int i = 0; i + 1 < args.length; i++) {
                if (args[i].equals("-D") && Path.of(args[i + 1]).toAbsolutePath().normalize().equals(data)) {
                    return Path.of(args[0]).getFileName().toString().equals("postgres");
                }
            }
            return false;
        } catch (IOException gone) {
            return false;
        }
    }

    private static void run(List<String> command, Path log, String what) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        await(p, what, log);
    }

    private static void await(Process p, String what, Path log) throws IOException {
        try {
            if (!p.waitFor(STOP_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(what + " did not finish; " + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(what + " interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(what + " failed with status " + p.exitValue() + "; " + tail(log));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return "the end of " + log + ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 8), lines.size()));
        } catch (IOException e) {
            return "no log at " + log;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for PostgreSQL", e);
        }
    }
}
