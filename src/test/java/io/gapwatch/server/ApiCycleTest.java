package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Await;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole cycle over HTTP: REST -> PostgreSQL queue -> a real agent executing the sim probe -> result. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ApiCycleTest {
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;

    Http http;
    Agent agent;

    @BeforeAll
    void startAgent() throws InterruptedException {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("cycle-agent.secret"), http.newToken("enrollment"));
        agent = new Agent("cycle-agent", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("t", new String[0], Set.of(), Set.of())), line -> { });
        new Thread(agent, "cycle-agent").start();
        Await.until("cycle-agent to register", Duration.ofSeconds(60), () -> !http.get("/api/v1/agents").json().isEmpty(),
                () -> "no agent");
    }

    @AfterAll
    void stopAgent() {
        agent.stop();
    }

    /** A timestamp the run must have: present, a string, an ISO-8601 instant. */
    private static Instant instant(JsonNode run, String field) {
        JsonNode value = run.path(field);
        assertThat(value.isString()).as("%s is a timestamp in %s", field, run).isTrue();
        return Instant.parse(value.asString());
    }

    private JsonNode createAndAwait(String body) throws InterruptedException {
        Http.Response created = http.post("/api/v1/runs", body);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().path("id").asLong();
        assertThat(created.location()).endsWith("/api/v1/runs/" + id);
        return http.awaitFinished(id, WITHIN);
    }

    @Test
    void a_clock_realtime_run_completes_pass_with_every_measurement_field_filled() throws InterruptedException {
        JsonNode run = createAndAwait("""
                {"variant":"clock-realtime","gapMs":10,"iterations":3,"target":{"backend":"sim"}}""");

        assertThat(run.path("state").asString()).isEqualTo("COMPLETED");
        assertThat(run.path("verdict").asString()).isEqualTo("PASS");
        assertThat(run.path("asExpected").asBoolean()).isTrue();
        assertThat(run.path("target").path("kernelRelease").asString()).isEqualTo("sim:6.12-model");
        assertThat(run.path("target").path("agent").asString()).isEqualTo("cycle-agent");
        assertThat(run.path("target").path("simulated").asBoolean()).isTrue();
        assertThat(run.path("clockPath").asString()).isEqualTo("kvm-clock-realtime");
        Instant created = instant(run, "createdAt");
        Instant started = instant(run, "startedAt");
        Instant finished = instant(run, "finishedAt");
        assertThat(started).as("started after it was created").isAfterOrEqualTo(created);
        assertThat(finished).as("finished after it started").isAfterOrEqualTo(started);
        JsonNode measurements = run.path("measurements");
        assertThat(measurements).hasSize(3);
        for (JsonNode m : measurements) {
            for (String field : new String[]{"savedRunnableNs", "restoredRunnableNs", "stealDeltaNs",
                    "guestAreaRunnableNs", "gapLowNs", "gapHighNs", "hostRunDelayNs", "errorNs", "createNs",
                    "saveNs", "restoreNs", "runNs"}) {
                assertThat(m.has(field)).as(field).isTrue();
            }
            assertThat(m.path("stealDeltaNs").asLong()).isGreaterThanOrEqualTo(10_000_000);
            assertThat(m.path("gapLowNs").asLong()).isGreaterThanOrEqualTo(10_000_000);
            assertThat(m.path("gapHighNs").asLong()).isGreaterThan(m.path("gapLowNs").asLong());
            assertThat(m.path("withinBracket").asBoolean()).isTrue();
            assertThat(m.path("pass").asBoolean()).isTrue();
            assertThat(m.path("guestAreaAgrees").asBoolean()).isTrue();
        }
    }

    @Test
    void a_running_run_shows_how_far_it_has_got_before_it_ends() throws InterruptedException {
        // 4 iterations of a 1.5 s gap: the whole run is shorter than a third of the lease, so only the progress the
        // agent sends as iterations finish can show it (the periodic heartbeat comes too late)
        Http.Response created = http.post("/api/v1/runs", """
                {"variant":"clock-realtime","gapMs":1500,"iterations":4,"target":{"backend":"sim"}}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().path("id").asLong();
        JsonNode midway = Await.until("run " + id + " RUNNING with some iterations done", Duration.ofSeconds(120), () -> {
            JsonNode run = http.get("/api/v1/runs/" + id).json();
            assertThat(run.path("state").asString()).as("run %d ended before it showed progress", id).isNotEqualTo("COMPLETED");
            return run.path("state").asString().equals("RUNNING") && run.path("iterationsDone").asInt() > 0
                    ? java.util.Optional.of(run) : java.util.Optional.empty();
        });
        assertThat(midway.path("iterationsDone").asInt()).isBetween(1, 4);
        assertThat(http.awaitFinished(id, Duration.ofSeconds(120)).path("iterationsDone").asInt()).isEqualTo(4);
    }

    @Test
    void clock_frozen_fails_as_expected_and_clock_guest_skips_naming_the_ioctl() throws InterruptedException {
        JsonNode frozen = createAndAwait("""
                {"variant":"clock-frozen","gapMs":10,"iterations":2,"target":{"backend":"sim"}}""");
        JsonNode guest = createAndAwait("""
                {"variant":"clock-guest","gapMs":10,"iterations":2,"target":{"backend":"sim","agent":"cycle-agent"}}""");

        assertThat(frozen.path("verdict").asString()).isEqualTo("FAIL");
        assertThat(frozen.path("expectedVerdict").asString()).isEqualTo("FAIL");
        assertThat(frozen.path("asExpected").asBoolean()).isTrue();
        assertThat(frozen.path("clockPath").asString()).isEqualTo("frozen");
        assertThat(guest.path("verdict").asString()).isEqualTo("SKIP");
        assertThat(guest.path("clockPath").isNull()).as("a SKIP never asked the kernel").isTrue();
        assertThat(guest.path("skipReason").asString()).contains("KVM_GET_CLOCK_GUEST");
        assertThat(guest.path("asExpected").isNull()).isTrue();

        JsonNode page = http.get("/api/v1/runs?variant=clock-frozen&verdict=FAIL&agent=cycle-agent&size=5").json();
        assertThat(page.path("items")).extracting(n -> n.path("id").asLong()).contains(frozen.path("id").asLong());
        assertThat(page.path("items")).allSatisfy(n -> assertThat(n.path("variant").asString()).isEqualTo("clock-frozen"));
        assertThat(page.path("total").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void a_finished_run_cannot_be_cancelled_and_an_unknown_run_is_404() throws InterruptedException {
        JsonNode run = createAndAwait("""
                {"variant":"clock-realtime","target":{"backend":"sim"}}""");
        Http.Response cancel = http.post("/api/v1/runs/" + run.path("id").asLong() + "/cancel", "");
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.contentType()).startsWith("application/problem+json");
        assertThat(http.get("/api/v1/runs/987654").status()).isEqualTo(404);
    }

    static Stream<Arguments> bad_requests() {
        return Stream.of(
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":0}", 400, "gapMs"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":-5}", 400, "gapMs"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":60001}", 400, "gapMs"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"iterations\":0}", 400, "iterations"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"iterations\":1001}", 400, "iterations"),
                Arguments.of("{\"variant\":\"clock-sideways\"}", 400, "variant"),
                Arguments.of("{\"gapMs\":10}", 400, "variant"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":\"ten\"}", 400, "gapMs"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":10.5}", 400, "gapMs"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gapMs\":99999999999999999999}", 400, "gapMs"),
                Arguments.of("{\"variant\":7}", 400, "variant"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"strict\":\"yes\"}", 400, "strict"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"target\":\"sim\"}", 400, "target"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"target\":{\"backend\":\"xen\"}}", 400, "target.backend"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"gap_ms\":10}", 400, "gap_ms"),
                Arguments.of("{\"variant\":\"clock-realtime\",\"target\":{\"kernel\":\"4.19.0-0-amd64\"}}", 422, "target"),
                Arguments.of("{\"variant\":\"clock-realtime\",", 400, null),
                Arguments.of("not json", 400, null),
                Arguments.of("", 400, null));
    }

    @ParameterizedTest
    @MethodSource
    void bad_requests(String body, int status, String field) {
        Http.Response r = http.post("/api/v1/runs", body);

        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        JsonNode problem = r.json();
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("detail").asString()).isNotBlank();
        if (field != null) {
            assertThat(problem.path("field").asString()).isEqualTo(field);
            assertThat(problem.path("detail").asString()).contains(field);
        }
    }

    @Test
    void bad_paths_and_parameters_are_4xx_problems_naming_what_is_wrong() {
        Http.Response notANumber = http.get("/api/v1/runs/abc");
        assertThat(notANumber.status()).isEqualTo(400);
        assertThat(notANumber.json().path("field").asString()).isEqualTo("id");
        assertThat(http.get("/api/v1/runs?state=DONE").json().path("field").asString()).isEqualTo("state");
        assertThat(http.get("/api/v1/runs?size=0").json().path("field").asString()).isEqualTo("size");
        assertThat(http.post("/api/v1/runs", "text/plain", "hello").status()).isEqualTo(415);
        Http asAgent = http.as(agentSecret());
        long agentId = http.get("/api/v1/agents").json().get(0).path("id").asLong();
        assertThat(asAgent.post("/api/v1/agents/" + agentId + "/lease?waitSeconds=-1", "").json().path("field").asString())
                .isEqualTo("waitSeconds");
        assertThat(asAgent.post("/api/v1/leases/12345/heartbeat", "").status()).isEqualTo(409);
    }

    private String agentSecret() {
        try {
            return java.nio.file.Files.readString(home.resolve("cycle-agent.secret")).trim();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void the_openapi_document_describes_the_runs_api_and_the_agent_protocol() {
        JsonNode paths = http.get("/v3/api-docs").json().path("paths");
        assertThat(paths.has("/api/v1/runs")).isTrue();
        assertThat(paths.has("/api/v1/runs/{id}/cancel")).isTrue();
        assertThat(paths.has("/api/v1/agents")).isTrue();
        assertThat(paths.has("/api/v1/agents/{agentId}/lease")).isTrue();
        assertThat(paths.has("/api/v1/leases/{token}/heartbeat")).isTrue();
        assertThat(paths.has("/api/v1/leases/{token}/result")).isTrue();
    }

    @Test
    void completed_runs_show_up_in_the_prometheus_metrics() throws InterruptedException {
        createAndAwait("""
                {"variant":"clock-realtime","iterations":1,"target":{"backend":"sim"}}""");
        String metrics = http.get("/actuator/prometheus").body();
        assertThat(metrics).contains("gapwatch_runs_completed_total{").contains("kernel=\"sim:6.12-model\"");
        assertThat(metrics).contains("gapwatch_steal_error_seconds_bucket{");
    }
}
