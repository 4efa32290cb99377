package io.gapwatch.demo;

import io.gapwatch.server.support.Fleet;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Processes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gapwatch demo} as a real process, stopped as a user stops it (SIGTERM, what Ctrl-C and a service
 * manager send) and killed as a crash kills it (SIGKILL).
 */
class DemoLifecycleTest {
    private static final Duration BOUND = Duration.ofMinutes(3);

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void a_stop_is_quiet_and_in_order_agent_then_server_then_database(@TempDir Path dir) throws Exception {
        try (Fleet fleet = new Fleet(dir)) {
            Path home = dir.resolve("home");
            Process demo = fleet.demo("demo", home, Fleet.freePort(), Map.of());
            long postgres = postmasterPid(home);

            int before = Files.readAllLines(fleet.log("demo")).size();
            demo.destroy(); // SIGTERM, while the agent's lease request waits on the server
            assertThat(demo.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("the demo exits after SIGTERM").isTrue();

            List<String> stop = stopLines(fleet.log("demo"), before);
            System.out.println("stop output:\n  " + String.join("\n  ", stop));
            assertThat(stop).as("the stop output").noneMatch(l -> l.contains("ERROR") || l.contains("Exception") || l.contains("WARN"));
            assertThat(stop).hasSize(3);
            assertThat(stop.get(0)).isEqualTo("gapwatch demo: agent demo-local stopped");
            assertThat(stop.get(1)).isEqualTo("gapwatch demo: server stopped");
            assertThat(stop.get(2)).startsWith("gapwatch demo: PostgreSQL stopped");
            assertThat(Processes.running(postgres)).as("PostgreSQL pid %d after the stop", postgres).isFalse();
        }
    }

    @Test
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    void a_demo_killed_mid_batch_starts_again_and_every_run_completes_once(@TempDir Path dir) throws Exception {
        // a short lease, so the run the killed agent held goes back to the queue soon; not so short that a stall
        // of the loaded machine between heartbeats (every 5 s) costs a live run an attempt
        Map<String, String> env = Map.of("GAPWATCH_LEASE_DURATION", "15s");
        try (Fleet fleet = new Fleet(dir)) {
            Path home = dir.resolve("home");
            int port = Fleet.freePort();
            Process first = fleet.demo("demo-1", home, port, env);
            Http http = new Http("http://127.0.0.1:" + port, Files.readString(home.resolve("demo.token")).trim());
            List<Long> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                batch.add(http.post("/api/v1/runs", "{\"variant\":\"clock-realtime\",\"gapMs\":100,\"iterations\":15,"
                        + "\"target\":{\"backend\":\"sim\"}}").json().path("id").asLong());
            }
            awaitMidBatch(http, batch);
            long postgres = postmasterPid(home);

            first.destroyForcibly(); // SIGKILL: no shutdown hook runs
            first.waitFor();
            long killed = System.nanoTime();
            assertThat(Processes.awaitGone(postgres, Duration.ofSeconds(30)))
                    .as("the killed demo's PostgreSQL (pid %d) noticed and stopped", postgres).isTrue();
            long goneMillis = (System.nanoTime() - killed) / 1_000_000;

            fleet.demo("demo-2", home, port, env);
            int measurements = 0;
            int attempts = 0;
            for (long id : batch) {
                JsonNode run = http.awaitFinished(id, BOUND);
                assertThat(run.path("state").asString()).isEqualTo("COMPLETED");
                assertThat(run.path("verdict").asString()).as("run %d", id).isEqualTo("PASS");
                Set<Integer> iterations = new HashSet<>();
                run.path("measurements").forEach(m -> iterations.add(m.path("iteration").asInt()));
                assertThat(run.path("measurements").size()).as("measurements of run %d", id).isEqualTo(15);
                assertThat(iterations).as("distinct iterations of run %d", id).hasSize(15);
                assertThat(run.path("attempts").asInt()).as("attempts of run %d", id).isBetween(1, 2);
                measurements += run.path("measurements").size();
                attempts += run.path("attempts").asInt();
            }
            System.out.printf("demo SIGKILLed mid-batch: its PostgreSQL gone %d ms after; started again: runs %d, "
                    + "measurements expected %d, stored %d, attempts %d%n", goneMillis, batch.size(), batch.size() * 15,
                    measurements, attempts);
        }
    }

    /** Waits until a run of the batch is finished and another one is executing. */
    private static void awaitMidBatch(Http http, List<Long> batch) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (System.nanoTime() < deadline) {
            Set<String> states = new HashSet<>();
            for (long id : batch) {
                states.add(http.get("/api/v1/runs/" + id).json().path("state").asString());
            }
            if (states.contains("COMPLETED") && states.contains("RUNNING")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no moment with a run of the batch COMPLETED and another RUNNING within " + BOUND);
    }

    private static long postmasterPid(Path home) throws IOException {
        return Long.parseLong(Files.readAllLines(home.resolve("pgdata").resolve("postmaster.pid")).get(0).trim());
    }

    /**
     * What the demo printed from the SIGTERM on, less the one line of its own sweep's analysis that may announce the
     * planted regression at any moment (news of the series, not of the stop).
     */
    private static List<String> stopLines(Path log, int before) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return lines.subList(before, lines.size()).stream()
                .filter(l -> !l.matches(".* WARN  i\\.g\\.s\\.r\\.RegressionService - regression \\d+ .*"))
                .toList();
    }
}
