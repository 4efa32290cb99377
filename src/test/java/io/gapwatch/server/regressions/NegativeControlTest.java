package io.gapwatch.server.regressions;

import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimAgent;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A negative control that passes is its own alarm: sim:6.12.101 books 3 ms of extra steal, so clock-frozen, which
 * loses a 2 ms gap, passes there anyway. The harness can no longer see a lost gap: the regression is ACTIVE as
 * soon as the sweep is analysed, without confirmation runs (simulated kernels, labelled so).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.analysis.poll-interval=200ms", "gapwatch.analysis.clean-sweeps-to-fix=2"})
class NegativeControlTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "negative_control");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void a_passing_negative_control_is_active_at_once_without_confirmation() throws InterruptedException {
        Tables.truncateAll(jdbc);
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        SweepsAndRegressions sweeps = new SweepsAndRegressions(http, jdbc);
        long sweep;
        try (SimAgent agent = new SimAgent(http, port, home, "blind", "--sim-kernels", "6.12.100,6.12.101",
                "--sim-faults-from", "6.12.101:extra-error-ns=3000000")) {
            sweep = sweeps.sweep(List.of("sim:6.12.100", "sim:6.12.101"), List.of("clock-frozen"), "sim:6.12.100", 2, 3, 1);
        }

        List<JsonNode> active = sweeps.regressions("ACTIVE");
        assertThat(active).hasSize(1);
        JsonNode r = active.get(0);
        assertThat(r.path("kind").asString()).isEqualTo("negative-control");
        assertThat(r.path("kernel").asString()).isEqualTo("sim:6.12.101");
        assertThat(r.path("variant").asString()).isEqualTo("clock-frozen");
        assertThat(r.path("sweepId").asLong()).isEqualTo(sweep);
        assertThat(r.path("declaredAt").asString()).isEqualTo(r.path("firstSeenAt").asString());
        assertThat(r.path("reason").asString()).contains("harness is blind");
        assertThat(r.path("evidence")).isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("role").asString()).isEqualTo("suspect"));
        assertThat(http.get("/api/v1/runs?size=50").json().path("total").asLong())
                .as("the sweep's two runs and no confirmation run").isEqualTo(2);
        assertThat(r.path("bisection").isNull()).isTrue();
    }
}
