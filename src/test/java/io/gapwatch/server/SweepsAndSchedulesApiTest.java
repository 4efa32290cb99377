package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import io.gapwatch.server.sweeps.SweepCompleted;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sweeps and schedules over HTTP against a real agent serving a sim series (sim:6.12.100 ... sim:6.12.111, a fault
 * planted from 6.12.111 on): matrices expanded server-side against the registered targets, unserved cells reported,
 * progress, the outcome grid, cancel, schedules created, changed, triggered and deleted, and refusals that leave
 * nothing behind.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "gapwatch.sweeps.max-runs=500")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SweepsAndSchedulesApiTest {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final String SERIES = "6.12.100,6.12.107,6.12.111";

    /**
     * A database of its own: the servers other test classes leave running complete sweeps too, and the
     * SweepCompleted this test waits for must come from this one.
     */
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "sweeps_api");
    }

    /** Every SweepCompleted this server published. */
    @TestConfiguration
    static class Completions {
        final List<Long> completed = Collections.synchronizedList(new ArrayList<>());

        @EventListener
        void on(SweepCompleted event) {
            completed.add(event.sweepId());
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    Completions completions;
    @TempDir
    static Path home;

    Http http;
    Agent agent;

    @BeforeAll
    void startSimSeriesAgent() throws InterruptedException {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("series.secret"), http.newToken("enrollment"));
        agent = new Agent("series-agent", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("agent", new String[]{"--sim-kernels", SERIES,
                        "--sim-faults-from", "6.12.111:extra-error-ns=3000000"}, Set.of("sim-kernels", "sim-faults-from"), Set.of())),
                line -> { });
        new Thread(agent, "series-agent").start();
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the sim series agent registers within " + WITHIN).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    void stopAgent() {
        agent.stop();
    }

    private long count(String table) {
        return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
    }

    @Test
    void a_sweep_runs_every_served_cell_reports_the_unserved_ones_and_completes_with_its_grid() throws InterruptedException {
        Http.Response created = http.post("/api/v1/sweeps", """
                {"matrix":{"kernels":["sim:6.12.100","sim:6.12.111","sim:6.12.999"],"variants":["clock-realtime","clock-frozen"],
                           "gapsMs":[10],"iterations":2,"repeats":2},
                 "baseline":{"kernel":"sim:6.12.100"}}""");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode sweep = created.json();
        long id = sweep.path("id").asLong();
        assertThat(created.location()).endsWith("/api/v1/sweeps/" + id);
        assertThat(sweep.path("state").asString()).isEqualTo("RUNNING");
        assertThat(sweep.path("simulated").asBoolean()).isTrue();
        assertThat(sweep.path("kernels")).extracting(JsonNode::asString).containsExactly("sim:6.12.100", "sim:6.12.111");
        assertThat(sweep.path("unserved")).hasSize(2).allSatisfy(c -> assertThat(c.path("kernel").asString()).isEqualTo("sim:6.12.999"));
        assertThat(sweep.path("progress").path("runs").asLong()).isEqualTo(2 * 2 * 2);
        assertThat(sweep.path("baseline").path("kernel").asString()).isEqualTo("sim:6.12.100");

        JsonNode done = http.awaitSweepFinished(id, WITHIN);
        assertThat(done.path("state").asString()).isEqualTo("COMPLETED");
        assertThat(done.path("finishedAt").isNull()).isFalse();
        assertThat(done.path("progress").path("byState").path("COMPLETED").asLong()).isEqualTo(8);
        assertThat(done.path("outcome")).hasSize(4);
        for (JsonNode cell : done.path("outcome")) {
            String variant = cell.path("variant").asString();
            assertThat(cell.path("simulated").asBoolean()).isTrue();
            assertThat(cell.path("runs").asLong()).isEqualTo(2);
            assertThat(cell.path("verdict").asString()).as(cell.toString()).isEqualTo(variant.equals("clock-frozen") ? "FAIL" : "PASS");
            assertThat(cell.path("asExpected").asBoolean()).isTrue();
            JsonNode accuracy = cell.path("accuracy");
            assertThat(accuracy.path("n").asInt()).as("every iteration of the cell's 2 runs").isEqualTo(4);
            assertThat(accuracy.path("passRate").asDouble()).isEqualTo(variant.equals("clock-frozen") ? 0.0 : 1.0);
            for (String field : new String[]{"withinBracketRate", "medianErrorNs", "p95ErrorNs", "madErrorNs"}) {
                assertThat(accuracy.path(field).isNumber()).as(field).isTrue();
            }
        }
        assertThat(completions.completed).as("SweepCompleted published once").containsOnlyOnce(id);

        JsonNode runs = http.get("/api/v1/runs?sweep=" + id).json();
        assertThat(runs.path("total").asLong()).isEqualTo(8);
    }

    @Test
    void a_matrix_without_kernels_runs_on_every_kernel_the_agents_serve() throws InterruptedException {
        Http.Response created = http.post("/api/v1/sweeps", """
                {"matrix":{"variants":["clock-realtime"],"iterations":1}}""");

        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("kernels")).extracting(JsonNode::asString)
                .containsExactly("sim:6.12.100", "sim:6.12.107", "sim:6.12.111");
        assertThat(created.json().path("unserved")).isEmpty();
        assertThat(http.awaitSweepFinished(created.json().path("id").asLong(), WITHIN).path("state").asString()).isEqualTo("COMPLETED");
    }

    @Test
    void a_cancelled_sweep_cancels_its_unfinished_runs_and_stays_cancelled() {
        long id = http.post("/api/v1/sweeps", """
                {"matrix":{"kernels":["sim:6.12.107"],"variants":["clock-realtime"],"iterations":1,"repeats":100}}""")
                .json().path("id").asLong();

        Http.Response cancelled = http.post("/api/v1/sweeps/" + id + "/cancel", "");

        assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
        assertThat(cancelled.json().path("state").asString()).isEqualTo("CANCELLED");
        JsonNode byState = cancelled.json().path("progress").path("byState");
        assertThat(byState.path("QUEUED").asLong() + byState.path("LEASED").asLong() + byState.path("RUNNING").asLong()).isZero();
        assertThat(byState.path("CANCELLED").asLong()).isPositive();
        assertThat(http.post("/api/v1/sweeps/" + id + "/cancel", "").status()).isEqualTo(409);
        assertThat(completions.completed).doesNotContain(id);
    }

    @Test
    void refused_matrices_leave_nothing_behind_and_name_their_field() {
        long sweeps = count("sweeps");
        long runs = count("runs");
        String million = "{\"matrix\":{\"kernels\":[" + kernels(1000) + "],\"gapsMs\":[" + gaps(50) + "],"
                + "\"variants\":[\"clock-realtime\",\"clock-frozen\"],\"repeats\":10}}";
        record Refusal(String body, int status, String field) {
        }
        List<Refusal> refusals = List.of(
                new Refusal(million, 400, "matrix"),
                new Refusal("{\"matrix\":{\"kernels\":[\"sim:6.12.100\"],\"repeats\":100,\"iterations\":1,"
                        + "\"gapsMs\":[" + gaps(50) + "]}}", 400, "matrix"),
                new Refusal("{\"matrix\":{\"kernels\":[]}}", 400, "matrix.kernels"),
                new Refusal("{\"matrix\":{\"variants\":[]}}", 400, "matrix.variants"),
                new Refusal("{\"matrix\":{\"gapsMs\":[]}}", 400, "matrix.gapsMs"),
                new Refusal("{}", 400, "matrix"),
                new Refusal("{\"matrix\":{\"variants\":[\"clock-sundial\"]}}", 400, "matrix.variants[0]"),
                new Refusal("{\"matrix\":{\"gapsMs\":[10,10]}}", 400, "matrix.gapsMs[1]"),
                new Refusal("{\"matrix\":{\"backend\":\"xen\"}}", 400, "matrix.backend"),
                new Refusal("{\"matrix\":{},\"baseline\":{}}", 400, "baseline"),
                new Refusal("{\"matrix\":{\"kernels\":[\"6.12.999+deb12-amd64\"]}}", 422, "matrix.kernels"),
                new Refusal("{\"matrix\":{\"backend\":\"lab\"}}", 422, "matrix.kernels"));
        for (Refusal r : refusals) {
            Http.Response response = http.post("/api/v1/sweeps", r.body());
            assertThat(response.status()).as(response.body()).isEqualTo(r.status());
            assertThat(response.contentType()).startsWith("application/problem+json");
            assertThat(response.json().path("field").asString()).as(response.body()).isEqualTo(r.field());
        }
        assertThat(count("sweeps")).isEqualTo(sweeps);
        assertThat(count("runs")).isEqualTo(runs);
    }

    @Test
    void an_unknown_sweep_is_404_and_bad_list_parameters_are_400() {
        assertThat(http.get("/api/v1/sweeps/999999").status()).isEqualTo(404);
        assertThat(http.post("/api/v1/sweeps/999999/cancel", "").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/sweeps?state=DONE").json().path("field").asString()).isEqualTo("state");
        assertThat(http.get("/api/v1/sweeps?size=0").status()).isEqualTo(400);
        assertThat(http.get("/api/v1/sweeps?state=running").status()).isEqualTo(200);
    }

    @Test
    void a_schedule_is_created_read_changed_triggered_and_deleted() throws InterruptedException {
        Http.Response created = http.post("/api/v1/schedules", """
                {"name":"series-nightly","cron":"30 3 * * *","timeZone":"Europe/Berlin",
                 "matrix":{"kernels":["sim:6.12.100","sim:6.12.107"],"variants":["clock-realtime"],"iterations":1},
                 "baseline":{"previousSweep":true}}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().path("id").asLong();
        assertThat(created.location()).endsWith("/api/v1/schedules/" + id);
        assertThat(created.json().path("enabled").asBoolean()).isTrue();
        assertThat(created.json().path("nextFireAt").asString()).endsWith(":30:00Z");
        assertThat(http.post("/api/v1/schedules", "{\"name\":\"series-nightly\",\"cron\":\"0 1 * * *\",\"matrix\":{}}").status())
                .as("a second schedule of the same name").isEqualTo(409);

        JsonNode disabled = http.send("PATCH", "/api/v1/schedules/" + id, "{\"enabled\":false}").json();
        assertThat(disabled.path("enabled").asBoolean()).isFalse();
        assertThat(disabled.path("nextFireAt").isNull()).isTrue();
        assertThat(disabled.path("cron").asString()).isEqualTo("30 3 * * *");
        JsonNode moved = http.send("PATCH", "/api/v1/schedules/" + id, "{\"enabled\":true,\"cron\":\"0 4 * * 1\",\"timeZone\":\"UTC\"}").json();
        assertThat(moved.path("nextFireAt").asString()).endsWith("T04:00:00Z");
        assertThat(http.get("/api/v1/schedules").json()).extracting(s -> s.path("name").asString()).contains("series-nightly");

        Http.Response triggered = http.post("/api/v1/schedules/" + id + "/trigger", "");
        assertThat(triggered.status()).as(triggered.body()).isEqualTo(201);
        long sweepId = triggered.json().path("id").asLong();
        assertThat(triggered.location()).endsWith("/api/v1/sweeps/" + sweepId);
        assertThat(triggered.json().path("scheduleId").asLong()).isEqualTo(id);
        assertThat(triggered.json().path("baseline").path("previousSweep").asBoolean()).isTrue();
        assertThat(http.awaitSweepFinished(sweepId, WITHIN).path("state").asString()).isEqualTo("COMPLETED");
        assertThat(http.get("/api/v1/sweeps?schedule=" + id).json().path("total").asLong()).isEqualTo(1);

        assertThat(http.send("DELETE", "/api/v1/schedules/" + id, null).status()).isEqualTo(204);
        assertThat(http.get("/api/v1/schedules/" + id).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/sweeps/" + sweepId).json().path("scheduleId").isNull())
                .as("the sweeps a deleted schedule started stay").isTrue();
    }

    @Test
    void bad_schedules_are_refused_naming_their_field_and_leave_nothing_behind() {
        long schedules = count("schedules");
        record Refusal(String method, String path, String body, int status, String field) {
        }
        String matrix = "\"matrix\":{\"kernels\":[\"sim:6.12.100\"]}";
        List<Refusal> refusals = List.of(
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 0 2 * * *\"," + matrix + "}", 400, "cron"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"every night\"," + matrix + "}", 400, "cron"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 31 2 *\"," + matrix + "}", 400, "cron"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\"," + matrix + "}", 400, "cron"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 * * *\",\"timeZone\":\"Mars/Olympus\"," + matrix + "}", 400, "timeZone"),
                new Refusal("POST", "/api/v1/schedules", "{\"cron\":\"0 2 * * *\"," + matrix + "}", 400, "name"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 * * *\"}", 400, "matrix"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 * * *\",\"matrix\":{\"variants\":[]}}", 400, "matrix.variants"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 * * *\",\"matrix\":{\"kernels\":["
                        + kernels(1000) + "],\"gapsMs\":[" + gaps(50) + "],\"repeats\":10}}", 400, "matrix"),
                new Refusal("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"0 2 * * *\"," + matrix + ",\"enabled\":\"yes\"}", 400, "enabled"),
                new Refusal("PATCH", "/api/v1/schedules/999999", "{\"enabled\":true}", 404, null),
                new Refusal("POST", "/api/v1/schedules/999999/trigger", null, 404, null),
                new Refusal("DELETE", "/api/v1/schedules/999999", null, 404, null));
        for (Refusal r : refusals) {
            Http.Response response = http.send(r.method(), r.path(), r.body());
            assertThat(response.status()).as(r.body() + " -> " + response.body()).isEqualTo(r.status());
            assertThat(response.contentType()).startsWith("application/problem+json");
            if (r.field() != null) {
                assertThat(response.json().path("field").asString()).as(response.body()).isEqualTo(r.field());
            }
        }
        assertThat(count("schedules")).isEqualTo(schedules);

        long id = http.post("/api/v1/schedules", "{\"name\":\"unserved\",\"cron\":\"0 2 * * *\","
                + "\"matrix\":{\"kernels\":[\"6.12.999+deb12-amd64\"]}}").json().path("id").asLong();
        assertThat(http.send("PATCH", "/api/v1/schedules/" + id, "{\"cron\":\"61 * * * *\"}").json().path("field").asString())
                .isEqualTo("cron");
        long sweeps = count("sweeps");
        Http.Response unservable = http.post("/api/v1/schedules/" + id + "/trigger", "");
        assertThat(unservable.status()).as(unservable.body()).isEqualTo(422);
        assertThat(unservable.json().path("field").asString()).isEqualTo("matrix.kernels");
        assertThat(count("sweeps")).isEqualTo(sweeps);
    }

    private static String kernels(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ",").append("\"6.12.").append(i).append("+deb12-amd64\"");
        }
        return s.toString();
    }

    private static String gaps(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            s.append(i == 1 ? "" : ",").append(i);
        }
        return s.toString();
    }
}
