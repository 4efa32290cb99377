package io.gapwatch.server.regressions;

import io.gapwatch.server.analysis.KernelVersion;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimAgent;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
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
 * The scenario on the sim series (simulated kernels, labelled so): a fault planted from sim:6.12.111 on
 * (3 ms of extra steal), two sweeps against sim:6.12.100 (10 ms gap). The server must suspect, confirm by re-runs, declare
 * one ACTIVE regression on sim:6.12.111, bisect to sim:6.12.111, name no earlier kernel; it can be acknowledged;
 * with the fault removed, clean sweeps turn it FIXED.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.analysis.poll-interval=200ms", "gapwatch.analysis.clean-sweeps-to-fix=2"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SimRegressionTest {
    private static final List<String> KERNELS = List.of("sim:6.12.100", "sim:6.12.101", "sim:6.12.107", "sim:6.12.111",
            "sim:6.12.113");
    private static final List<String> VARIANTS = List.of("clock-realtime");
    /**
     * 10 ms: the base's spread stays far under the stability gate's 20 % of the gap on a busy 2-core machine; and
     * 10 iterations x 2 repeats a cell: even with one run short, Mann-Whitney can reach p < 0.001.
     */
    private static final int GAP_MS = 10;
    private static final String SIM_KERNELS = "6.12.100,6.12.101,6.12.107,6.12.111,6.12.113";
    private static final Duration WAIT = Duration.ofSeconds(150);

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "sim_regression");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;
    Http http;
    SweepsAndRegressions sweeps;
    SimAgent agent;
    long regressionId;

    @BeforeAll
    void faultyAgent() throws InterruptedException {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        sweeps = new SweepsAndRegressions(http, jdbc);
        agent = new SimAgent(http, port, home, "faulty", "--sim-kernels", SIM_KERNELS,
                "--sim-faults-from", "6.12.111:extra-error-ns=3000000");
    }

    @AfterAll
    void stopAgent() {
        agent.close();
    }

    @Test
    @Order(1)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void two_sweeps_declare_one_regression_on_the_first_faulty_kernel_and_bisection_names_it() throws InterruptedException {
        sweeps.sweep(KERNELS, VARIANTS, "sim:6.12.100", GAP_MS, 10, 2);
        JsonNode active = sweeps.awaitRegression("an ACTIVE clock-realtime regression", WAIT,
                r -> r.path("state").asString().equals("ACTIVE") && r.path("variant").asString().equals("clock-realtime"));
        regressionId = active.path("id").asLong();
        sweeps.sweep(KERNELS, VARIANTS, "sim:6.12.100", GAP_MS, 10, 2);
        JsonNode r = sweeps.awaitRegression("regression " + regressionId + " bisected", WAIT,
                x -> x.path("id").asLong() == regressionId && x.path("bisection").path("state").asString().equals("FOUND"));

        assertThat(sweeps.regressions("ACTIVE")).hasSize(1);
        assertThat(r.path("kind").asString()).isEqualTo("compare");
        assertThat(r.path("kernel").asString()).isEqualTo("sim:6.12.111");
        assertThat(r.path("variant").asString()).isEqualTo("clock-realtime");
        assertThat(r.path("gapMs").asInt()).isEqualTo(GAP_MS);
        assertThat(r.path("baselineKernel").asString()).isEqualTo("sim:6.12.100");
        assertThat(r.path("simulated").asBoolean()).isTrue();
        assertThat(r.path("numbers").path("category").asString()).isEqualTo("regression");
        assertThat(r.path("numbers").path("tests").get(0).path("pValue").asDouble()).isLessThan(0.001);
        assertThat(r.path("firstSeenAt").asString()).isNotEqualTo(r.path("lastSeenAt").asString());
        List<String> roles = new ArrayList<>();
        r.path("evidence").forEach(e -> roles.add(e.path("role").asString()));
        assertThat(roles).contains("suspect", "baseline", "confirm-suspect", "confirm-baseline");

        JsonNode bisection = http.get("/api/v1/bisections/" + r.path("bisection").path("id").asLong()).json();
        assertThat(bisection.path("firstBad").asString()).isEqualTo("sim:6.12.111");
        assertThat(bisection.path("regressionId").asLong()).isEqualTo(regressionId);

        JsonNode compare = http.get("/api/v1/compare?base=sim:6.12.107&head=sim:6.12.111&variant=clock-realtime").json();
        JsonNode row = compare.path("series").get(0);
        assertThat(row.path("category").asString()).as(row.toString()).isEqualTo("regression");
        assertThat(row.path("head").path("medianErrorNs").asDouble() - row.path("base").path("medianErrorNs").asDouble())
                .isGreaterThan(2_500_000);

        KernelVersion first = KernelVersion.parse("sim:6.12.111");
        for (JsonNode any : sweeps.regressions(null)) {
            assertThat(KernelVersion.parse(any.path("kernel").asString())).as(any.toString()).isGreaterThanOrEqualTo(first);
        }
    }

    @Test
    @Order(2)
    void an_active_regression_is_acknowledged_with_a_reason_once() {
        Http.Response noReason = http.post("/api/v1/regressions/" + regressionId + "/acknowledge", "{}");
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.json().path("field").asString()).isEqualTo("reason");

        Http.Response ack = http.post("/api/v1/regressions/" + regressionId + "/acknowledge",
                "{\"reason\":\"planted: sim fault extra-error-ns from 6.12.111\"}");
        assertThat(ack.status()).as(ack.body()).isEqualTo(200);
        assertThat(ack.json().path("state").asString()).isEqualTo("ACKNOWLEDGED");
        assertThat(ack.json().path("acknowledgedReason").asString()).contains("planted");
        assertThat(http.post("/api/v1/regressions/" + regressionId + "/acknowledge", "{\"reason\":\"again\"}").status())
                .isEqualTo(409);
        assertThat(http.post("/api/v1/regressions/987654/acknowledge", "{\"reason\":\"x\"}").status()).isEqualTo(404);
    }

    @Test
    @Order(3)
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void with_the_fault_removed_clean_sweeps_turn_it_fixed() throws InterruptedException {
        agent.close();
        agent = new SimAgent(http, port, home, "repaired", "--sim-kernels", SIM_KERNELS);
        sweeps.sweep(KERNELS, VARIANTS, "sim:6.12.100", GAP_MS, 10, 2);
        assertThat(http.get("/api/v1/regressions/" + regressionId).json().path("cleanSweeps").asInt()).isEqualTo(1);
        sweeps.sweep(KERNELS, VARIANTS, "sim:6.12.100", GAP_MS, 10, 2);

        JsonNode r = http.get("/api/v1/regressions/" + regressionId).json();
        assertThat(r.path("state").asString()).as(r.toString()).isEqualTo("FIXED");
        assertThat(r.path("reason").asString()).contains("2 consecutive sweeps");
        assertThat(sweeps.regressions("ACTIVE")).isEmpty();
    }
}
