package io.gapwatch.server.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * gapwatch servers and agents as real processes (the test's own classpath), their output in log files.
 * Closing the fleet kills whatever still runs and prints the logs, so a failed fault test explains itself.
 */
public final class Fleet implements AutoCloseable {
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    public Fleet(Path dir) {
        this.dir = dir;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A server on its own port over the given database, answering to {@link Http#ADMIN_TOKEN}. */
    public Process server(String name, int port, String dbUrl, Map<String, String> env) throws IOException, InterruptedException {
        Map<String, String> all = new java.util.HashMap<>(Map.of("GAPWATCH_DB_URL", dbUrl, "GAPWATCH_ADMIN_TOKEN", Http.ADMIN_TOKEN));
        if (TestDatabase.user() != null) {
            all.put("GAPWATCH_DB_USER", TestDatabase.user());
            all.put("GAPWATCH_DB_PASSWORD", TestDatabase.password());
        }
        all.putAll(env); // a test with a database of its own names its user
        Process p = start(name, all, "server", "--port", Integer.toString(port));
        awaitHealthy(name, p, port);
        return p;
    }

    /** A sim agent talking to the given servers, enrolled with the given token. */
    public Process agent(String name, String servers, String enrollmentToken, Map<String, String> env) throws IOException {
        return start(name, env, "agent", "--server", servers, "--backend", "sim", "--name", name,
                "--home", dir.resolve("home-" + name).toString(), "--token", enrollmentToken);
    }

    /**
     * {@code gapwatch demo} on its own port with the given home (several demos, one after the other, may share
     * one), its output in {@link #log(String) log(name)}; returns once it printed its ready line.
     */
    public Process demo(String name, Path home, int port, Map<String, String> env) throws IOException, InterruptedException {
        Process p = start(name, home, env, "demo", "--port", Integer.toString(port));
        awaitLine(name, p, "gapwatch ready at http://127.0.0.1:" + port, Duration.ofMinutes(4));
        return p;
    }

    /** Waits for a line of a process's output; fails naming the line if the process exits or the time is up. */
    public void awaitLine(String name, Process p, String line, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!Files.exists(log(name)) || !Files.readString(log(name)).lines().anyMatch(line::equals)) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited before printing '" + line + "': " + Files.readString(log(name)));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " did not print '" + line + "' within " + timeout + ": " + Files.readString(log(name)));
            }
            Thread.sleep(200);
        }
    }

    public Path log(String name) {
        return dir.resolve(name + ".log");
    }

    private Process start(String name, Map<String, String> env, String... args) throws IOException {
        return start(name, dir.resolve("home-" + name), env, args);
    }

    private Process start(String name, Path home, Map<String, String> env, String... args) throws IOException {
        // without empty entries, which would put the working directory (and its db/migration) on the classpath
        String classpath = String.join(java.io.File.pathSeparator, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(java.io.File.pathSeparator)).filter(e -> !e.isBlank()).toList());
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", classpath, "io.gapwatch.Gapwatch"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log(name).toFile());
        pb.environment().putAll(env);
        pb.environment().put("GAPWATCH_HOME", home.toString());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private void awaitHealthy(String name, Process p, int port) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        // generous: a JVM with Spring and Flyway can take minutes on a loaded 2-core machine; the bound only turns a
        // hang into a failure that names the process and shows its log
        long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(name + " exited: " + Files.readString(log(name)));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not become ready: " + Files.readString(log(name)));
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly().waitFor();
        }
        try (var logs = Files.newDirectoryStream(dir, "*.log")) {
            for (Path log : logs) {
                String text = Files.readString(log);
                System.out.println("---- " + log.getFileName() + " (last 40 lines)");
                List<String> lines = text.lines().toList();
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
            }
        }
    }
}
