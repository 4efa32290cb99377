package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Json;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cancelling a run stops the agent executing it: its heartbeat gets 409, the probe stops before its next
 * iteration, the partial result is kept aside (never delivered), and the agent leases the next run.
 * A 10 s lease makes the agent heartbeat every 3 s or so, well within the minute the run would take; a shorter one
 * could expire in a stall of the loaded test JVM and have the run leased twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "gapwatch.lease-duration=10s")
class RunCancellationTest {
    private static final int LONG_ITERATIONS = 60;

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

    Agent agent;

    @AfterEach
    void stopAgent() {
        if (agent != null) {
            agent.stop();
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void cancelling_a_running_run_stops_the_agent_between_iterations_and_it_leases_the_next_run() throws Exception {
        Tables.truncateAll(jdbc);
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        List<String> log = new CopyOnWriteArrayList<>();
        Credentials credentials = new Credentials(home.resolve("worker.secret"), http.newToken("enrollment"));
        agent = new Agent("worker", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("t", new String[0], Set.of(), Set.of())), log::add);
        new Thread(agent, "worker-agent").start();
        long registered = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the agent registers within 60 s").isLessThan(registered);
            Thread.sleep(50);
        }

        // a run of about a minute: 60 iterations across a 1 s gap
        Http.Response created = http.post("/api/v1/runs", "{\"variant\":\"clock-realtime\",\"gapMs\":1000,\"iterations\":"
                + LONG_ITERATIONS + ",\"target\":{\"backend\":\"sim\"}}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long longRun = created.json().path("id").asLong();
        JsonNode running = awaitProgress(http, longRun);
        assertThat(running.path("state").asString()).isEqualTo("RUNNING");

        assertThat(http.post("/api/v1/runs/" + longRun + "/cancel", "").status()).isEqualTo(200);
        long next = http.post("/api/v1/runs", """
                {"variant":"clock-realtime","gapMs":10,"iterations":1,"target":{"backend":"sim"}}""").json().path("id").asLong();
        JsonNode done = http.awaitFinished(next, Duration.ofSeconds(150));

        assertThat(done.path("verdict").asString()).as(log.toString()).isEqualTo("PASS");
        JsonNode cancelled = http.get("/api/v1/runs/" + longRun).json();
        assertThat(cancelled.path("state").asString()).isEqualTo("CANCELLED");
        assertThat(cancelled.path("measurements")).isEmpty();
        // the agent (one thread) finished with the cancelled run before it leased the next one
        JsonNode discarded = onlyRefusedResult(home.resolve("spool").resolve("refused"));
        assertThat(discarded.path("report").path("measurements").size())
                .as("iterations the agent ran after the cancel should be few; its log: " + log)
                .isLessThan(LONG_ITERATIONS);
        assertThat(log).anyMatch(line -> line.contains("run " + longRun + ": stopped after"));
    }

    private static JsonNode awaitProgress(Http http, long runId) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        JsonNode run = null;
        while (System.nanoTime() < deadline) {
            run = http.get("/api/v1/runs/" + runId).json();
            if (run.path("iterationsDone").asInt() >= 1) {
                return run;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("run " + runId + " reported no iteration done in its heartbeats within 90 s: " + run);
    }

    private static JsonNode onlyRefusedResult(Path refused) throws IOException {
        try (Stream<Path> files = Files.list(refused)) {
            List<Path> results = files.filter(p -> p.toString().endsWith(".json")).toList();
            assertThat(results).as("results the agent kept aside").hasSize(1);
            return Json.MAPPER.readTree(Files.readString(results.get(0)));
        }
    }
}
