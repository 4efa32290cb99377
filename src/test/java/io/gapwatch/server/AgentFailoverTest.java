package io.gapwatch.server;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.Variant;
import io.gapwatch.agent.Spool;
import io.gapwatch.server.support.Await;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.RunLedger;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Agents as real processes: one is killed with SIGKILL mid-run; nothing is lost, the result is the one of the
 * run's last lease, and a spooled result is delivered rather than run again. Leases last 20 s (a heartbeat
 * every 7 s), so a late heartbeat or a slow delivery on a busy machine does not lose one; every wait is bounded.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.lease-duration=20s", "gapwatch.reaper-interval=200ms"})
@DirtiesContext // its fast reaper has no business running during later test classes
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AgentFailoverTest {
    private static final Pattern TOKEN = Pattern.compile("lease token (\\d+)");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    Path home;

    Http http;
    String enrollment;
    final List<Process> agents = new ArrayList<>();

    @BeforeEach
    void clean() {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        enrollment = http.newToken("enrollment");
    }

    @AfterEach
    void killAgents() throws Exception {
        for (Process p : agents) {
            p.destroyForcibly().waitFor();
        }
        try (var logs = java.nio.file.Files.newDirectoryStream(home, "*.log")) {
            for (Path log : logs) {
                System.out.println("---- " + log.getFileName() + "\n" + java.nio.file.Files.readString(log));
            }
        }
    }

    private Process startAgent(String name) throws IOException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.gapwatch.Gapwatch", "agent",
                "--server", "http://127.0.0.1:" + port, "--backend", "sim", "--name", name, "--home", home.toString(), "--token", enrollment)
                .redirectErrorStream(true)
                .redirectOutput(home.resolve(name + ".log").toFile())
                .start();
        agents.add(p);
        return p;
    }

    private JsonNode awaitState(long runId, String state, Duration timeout) throws InterruptedException {
        return Await.until("run " + runId + " to be " + state, timeout, () -> Optional.of(http.get("/api/v1/runs/" + runId).json())
                .filter(run -> run.path("state").asString().equals(state)));
    }

    private void awaitAgent(String name) throws InterruptedException {
        Await.until("agent " + name + " to register", Duration.ofSeconds(120), () -> {
            for (JsonNode a : http.get("/api/v1/agents").json()) {
                if (a.path("name").asString().equals(name)) {
                    return true;
                }
            }
            return false;
        }, () -> http.get("/api/v1/agents").body());
    }

    private long acceptedToken(long runId) {
        return jdbc.sql(RunLedger.ACCEPTED_TOKEN).param("id", runId).query(Long.class).single();
    }

    private long measurements(long runId) {
        return jdbc.sql("SELECT count(*) FROM measurements WHERE run_id = :id").param("id", runId).query(Long.class).single();
    }

    @Test
    void a_run_whose_agent_is_killed_is_requeued_completed_by_another_and_the_dead_agents_token_is_refused()
            throws Exception {
        Process doomed = startAgent("doomed");
        awaitAgent("doomed");
        Http.Response created = http.post("/api/v1/runs", """
                {"variant":"clock-realtime","gapMs":3000,"iterations":4,"target":{"backend":"sim"}}""");
        long runId = created.json().path("id").asLong();
        JsonNode running = awaitState(runId, "RUNNING", Duration.ofSeconds(120));
        assertThat(running.path("target").path("agent").asString()).isEqualTo("doomed");

        doomed.destroyForcibly().waitFor(); // SIGKILL in the middle of the run (it takes 12 s and more)
        startAgent("survivor");
        JsonNode done = http.awaitFinished(runId, Duration.ofSeconds(180));

        assertThat(done.path("verdict").asString()).isEqualTo("PASS");
        assertThat(done.path("target").path("agent").asString()).isEqualTo("survivor");
        assertThat(done.path("attempts").asInt()).as("the doomed agent's attempt and the survivor's, no more").isEqualTo(2);
        List<String> kinds = new ArrayList<>();
        done.path("events").forEach(e -> kinds.add(e.path("kind").asString()));
        assertThat(kinds).containsExactly("CREATED", "LEASED", "LEASE_EXPIRED", "REQUEUED", "LEASED", "RESULT_ACCEPTED");
        assertThat(measurements(runId)).isEqualTo(4);

        long deadToken = firstLeaseToken(done);
        long survivorsToken = lastLeaseToken(done);
        assertThat(acceptedToken(runId)).as("the result stored is the one of the survivor's lease")
                .isEqualTo(survivorsToken).isNotEqualTo(deadToken);
        ProbeReport late = simReport(Variant.CLOCK_REALTIME, 1500, 4);
        String doomedSecret = java.nio.file.Files.readString(home.resolve("agents").resolve("doomed.secret")).trim();
        Http.Response refused = http.as(doomedSecret).post("/api/v1/leases/" + deadToken + "/result",
                Json.MAPPER.writeValueAsString(late));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(measurements(runId)).isEqualTo(4);
        assertThat(acceptedToken(runId)).isEqualTo(survivorsToken);
        long fromStaleLease = jdbc.sql(RunLedger.RESULTS_FROM_A_STALE_LEASE).query(Long.class).single();
        System.out.printf("fault agent SIGKILL mid-run: runs created 1, completed 1, attempts %d, measurements expected 4, "
                + "stored %d, results accepted from a stale lease %d%n", done.path("attempts").asInt(), measurements(runId),
                fromStaleLease);
        assertThat(fromStaleLease).isZero();
    }

    @Test
    void a_result_spooled_by_an_agent_that_could_not_deliver_it_is_delivered_when_the_agent_runs_again()
            throws Exception {
        // An agent leased a run, finished it, and died before the server had its result: it is in the spool.
        JsonNode registered = http.as(enrollment).post("/api/v1/agents", """
                {"name":"returning","targets":[{"backend":"sim","kernelRelease":"sim:6.12-model"}]}""").json();
        String secret = registered.path("secret").asString();
        new io.gapwatch.agent.Credentials(home.resolve("agents").resolve("returning.secret"), null).enrolled(secret);
        long runId = http.post("/api/v1/runs", """
                {"variant":"clock-frozen","gapMs":10,"iterations":2,"target":{"agent":"returning"}}""").json().path("id").asLong();
        JsonNode lease = http.as(secret).post("/api/v1/agents/" + registered.path("id").asLong() + "/lease?waitSeconds=5", "").json();
        long token = lease.path("token").asLong();
        new Spool(home.resolve("spool").resolve("returning")).put(token, simReport(Variant.CLOCK_FROZEN, 10, 2));

        // The lease stays live while the agent's JVM starts, however slow the machine: the test renews it as the
        // agent did before it died. (Delivery after expiry is refused by design: LeaseQueueTest.)
        ScheduledExecutorService keeper = Executors.newSingleThreadScheduledExecutor();
        keeper.scheduleAtFixedRate(() -> http.as(secret).post("/api/v1/leases/" + token + "/heartbeat", ""), 0, 3, TimeUnit.SECONDS);
        JsonNode done;
        try {
            startAgent("returning");
            done = http.awaitFinished(runId, Duration.ofSeconds(120));
        } finally {
            keeper.shutdownNow();
        }

        assertThat(done.path("verdict").asString()).isEqualTo("FAIL");
        assertThat(done.path("asExpected").asBoolean()).isTrue();
        assertThat(measurements(runId)).isEqualTo(2);
        assertThat(acceptedToken(runId)).as("the result accepted is the spooled one, not a new run's").isEqualTo(token);
        assertThat(done.path("attempts").asInt()).as("the run was not leased again").isEqualTo(1);
        // the agent empties its spool once the server has answered the delivery, a moment after the run completes
        Spool spool = new Spool(home.resolve("spool").resolve("returning"));
        Await.until("the returning agent's spool emptied after its delivery", Duration.ofSeconds(60),
                () -> pending(spool).isEmpty(), () -> pending(spool).toString());
        assertThat(Files.list(home.resolve("spool").resolve("returning").resolve("refused"))).as("nothing refused").isEmpty();
    }

    private static List<Spool.Entry> pending(Spool spool) {
        try {
            return spool.pending();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long firstLeaseToken(JsonNode run) {
        for (JsonNode e : run.path("events")) {
            Matcher m = TOKEN.matcher(e.path("detail").asString());
            if (e.path("kind").asString().equals("LEASED") && m.find()) {
                return Long.parseLong(m.group(1));
            }
        }
        throw new AssertionError("no lease event in " + run);
    }

    private static long lastLeaseToken(JsonNode run) {
        long last = -1;
        for (JsonNode e : run.path("events")) {
            Matcher m = TOKEN.matcher(e.path("detail").asString());
            if (e.path("kind").asString().equals("LEASED") && m.find()) {
                last = Long.parseLong(m.group(1));
            }
        }
        assertThat(last).as("a lease event in " + run).isPositive();
        return last;
    }

    private static ProbeReport simReport(Variant variant, int gapMs, int iterations) {
        return SimReports.of(variant, gapMs, iterations);
    }
}
