package io.gapwatch.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** gapwatch's own processes as a user starts them (bin/gapwatch agent, bin/gapwatch demo), and their resident memory. */
final class Processes {
    private Processes() {
    }

    /** VmRSS of a process (and of its descendants: the demo's PostgreSQL) in MB. */
    static double rssMb(long pid, boolean withDescendants) {
        long kb = rssKb(pid);
        if (withDescendants) {
            kb += ProcessHandle.of(pid).map(p -> p.descendants().mapToLong(d -> rssKb(d.pid())).sum()).orElse(0L);
        }
        return Latencies.round(kb / 1024.0);
    }

    private static long rssKb(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc/" + pid + "/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(0L);
        } catch (IOException e) {
            return 0; // gone
        }
    }

    static Process start(Path log, Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    static void stop(Process p) throws InterruptedException {
        p.destroy(); // SIGTERM: a quiet stop
        if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    /** A real agent (sim backend) after it has executed {@code runs} runs of the server's. */
    static Map<String, Object> agentRss(String launcher, Api admin, Path home, int runs) throws Exception {
        String token = admin.postOk("/api/v1/tokens", Map.of("role", "enrollment", "name", "rss-agent")).path("token").asString();
        Files.createDirectories(home);
        Process agent = start(home.resolve("agent.log"), Map.of("GAPWATCH_HOME", home.toString()), List.of(launcher,
                "agent", "--server", admin.base().toString(), "--backend", "sim", "--name", "rss-agent", "--token", token,
                "--home", home.toString()));
        try {
            await("rss-agent registered", Duration.ofMinutes(2),
                    () -> admin.getOk("/api/v1/agents").toString().contains("\"rss-agent\""));
            for (int i = 0; i < runs; i++) {
                admin.postOk("/api/v1/runs", Map.of("variant", "clock-realtime", "gapMs", 1, "iterations", 1,
                        "target", Map.of("agent", "rss-agent", "backend", "sim")));
            }
            await(runs + " runs of rss-agent completed", Duration.ofMinutes(5), () ->
                    admin.getOk("/api/v1/runs?agent=rss-agent&state=COMPLETED&size=1").path("total").asLong() >= runs);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("runs", runs);
            out.put("agentRssMb", rssMb(agent.pid(), false));
            return out;
        } finally {
            stop(agent);
        }
    }

    /** {@code gapwatch demo} (server, agent and embedded PostgreSQL) after {@code runs} runs of 1 iteration. */
    static Map<String, Object> demoRss(String launcher, Path home, int port, int runs) throws Exception {
        Files.createDirectories(home);
        Process demo = start(home.resolve("demo.log"), Map.of("GAPWATCH_HOME", home.toString()),
                List.of(launcher, "demo", "--port", String.valueOf(port)));
        try {
            Path tokenFile = home.resolve("demo.token");
            Api anonymous = new Api(URI.create("http://127.0.0.1:" + port + "/"), null);
            await("the demo answers /actuator/health", Duration.ofMinutes(5), () -> {
                if (!demo.isAlive()) {
                    throw new IllegalStateException("the demo exited: see " + home.resolve("demo.log"));
                }
                try {
                    return Files.exists(tokenFile) && anonymous.get("/actuator/health").status() == 200;
                } catch (IllegalStateException e) {
                    return false;
                }
            });
            Api admin = anonymous.as(Files.readString(tokenFile).trim());
            await("the demo's agent registered", Duration.ofMinutes(2),
                    () -> admin.getOk("/api/v1/agents").toString().contains("\"demo-local\""));
            double startedMb = rssMb(demo.pid(), true);
            long before = admin.getOk("/api/v1/runs?state=COMPLETED&size=1").path("total").asLong();
            for (int i = 0; i < runs; i++) {
                admin.postOk("/api/v1/runs", Map.of("variant", "clock-realtime", "gapMs", 1, "iterations", 1,
                        "target", Map.of("agent", "demo-local", "backend", "sim")));
            }
            long t0 = System.nanoTime();
            await(runs + " demo runs completed", Duration.ofMinutes(10), () ->
                    admin.getOk("/api/v1/runs?state=COMPLETED&size=1").path("total").asLong() >= before + runs);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("runs", runs);
            out.put("startedRssMb", startedMb);
            out.put("afterRunsRssMb", rssMb(demo.pid(), true));
            out.put("javaRssMb", rssMb(demo.pid(), false));
            out.put("runsPerSecond", Latencies.round(runs / seconds));
            return out;
        } finally {
            stop(demo);
        }
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void await(String what, Duration bound, Condition condition) throws Exception {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("waited " + bound + " for: " + what);
            }
            Thread.sleep(200);
        }
    }
}
