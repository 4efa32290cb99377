package io.gapwatch.server.bisections;

import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimAgent;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On-demand bisection over a sim series whose fault starts at sim:6.12.111: a real in-process agent serves
 * sim:6.12.100, .101, .107, .111 and .113 (simulated kernels, labelled so), the server bisects between .100 and
 * .113 and must name .111, every step run twice and stored.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gapwatch.analysis.poll-interval=200ms")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BisectionApiTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "bisection_api");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;
    Http http;
    SimAgent agent;

    @BeforeAll
    void startAgent() throws InterruptedException {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        agent = new SimAgent(http, port, home, "bisect-agent", "--sim-kernels", "6.12.100,6.12.101,6.12.107,6.12.111,6.12.113",
                "--sim-faults-from", "6.12.111:extra-error-ns=3000000");
    }

    @AfterAll
    void stopAgent() {
        agent.close();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void bisecting_a_sim_series_names_the_kernel_where_the_fault_starts() throws InterruptedException {
        Http.Response created = http.post("/api/v1/bisections", """
                {"good":"sim:6.12.100","bad":"sim:6.12.113","variant":"clock-realtime","gapMs":2,"iterations":10}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long id = created.json().path("id").asLong();
        assertThat(created.location()).endsWith("/api/v1/bisections/" + id);
        assertThat(created.json().path("kernels")).extracting(JsonNode::asString).containsExactly(
                "sim:6.12.100", "sim:6.12.101", "sim:6.12.107", "sim:6.12.111", "sim:6.12.113");

        JsonNode b = awaitEnd(id, Duration.ofSeconds(170));

        assertThat(b.path("state").asString()).as(b.toString()).isEqualTo("FOUND");
        assertThat(b.path("firstBad").asString()).isEqualTo("sim:6.12.111");
        assertThat(b.path("lastGood").asString()).isEqualTo("sim:6.12.107");
        assertThat(b.path("simulated").asBoolean()).isTrue();
        List<String> steps = new ArrayList<>();
        b.path("steps").forEach(s -> steps.add(s.path("role").asString() + " " + s.path("kernel").asString() + " "
                + s.path("verdict").asString()));
        assertThat(steps).containsExactly("good sim:6.12.100 good", "bad sim:6.12.113 bad",
                "midpoint sim:6.12.107 good", "midpoint sim:6.12.111 bad");
        JsonNode step = b.path("steps").get(3);
        assertThat(step.path("runId").asLong()).isNotEqualTo(step.path("verifyRunId").asLong());
        assertThat(step.path("detail").asString()).contains("regression");
        JsonNode run = http.get("/api/v1/runs/" + step.path("verifyRunId").asLong()).json();
        assertThat(run.path("events").get(0).path("detail").asString())
                .contains("bisection " + id + ", step 4 (midpoint sim:6.12.111), re-verification");
        assertThat(http.get("/api/v1/bisections?state=FOUND").json().path("total").asLong()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void bad_requests_name_their_field_and_create_nothing() {
        long before = http.get("/api/v1/bisections").json().path("total").asLong();
        assertField("""
                {"good":"sim:6.12.113","bad":"sim:6.12.100","variant":"clock-realtime","gapMs":2}""", "bad");
        assertField("""
                {"good":"sim:6.12.100","bad":"sim:9.0.1","variant":"clock-realtime","gapMs":2}""", "bad");
        assertField("""
                {"good":"6.12.100+deb12-amd64","bad":"sim:6.12.113","variant":"clock-realtime"}""", "good");
        assertField("""
                {"good":"sim:6.12.100","bad":"sim:6.12.113","variant":"clock-realtime","backend":"kvm"}""", "good");
        assertField("""
                {"good":"sim:6.12.100","bad":"sim:6.12.113","variant":"clock-sideways"}""", "variant");
        assertField("""
                {"good":"sim:6.12.100","bad":"sim:6.12.113","variant":"clock-realtime","iterations":2}""", "iterations");
        assertField("""
                {"bad":"sim:6.12.113","variant":"clock-realtime"}""", "good");
        assertThat(http.get("/api/v1/bisections").json().path("total").asLong()).isEqualTo(before);
        assertThat(http.get("/api/v1/bisections/424242").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/bisections?state=LOST").json().path("field").asString()).isEqualTo("state");
    }

    private void assertField(String body, String field) {
        Http.Response r = http.post("/api/v1/bisections", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asString()).as(r.body()).isEqualTo(field);
    }

    private JsonNode awaitEnd(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode b = http.get("/api/v1/bisections/" + id).json();
            if (!b.path("state").asString().equals("RUNNING")) {
                return b;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("bisection " + id + " still RUNNING after " + timeout + ": " + b);
            }
            Thread.sleep(200);
        }
    }
}
