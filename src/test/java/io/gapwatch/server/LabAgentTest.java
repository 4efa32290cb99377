package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.server.support.Await;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
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

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A run created over REST for a named kernel is executed by a lab agent inside that kernel (booted under
 * QEMU), and the kernel's own numbers land in PostgreSQL. Tagged "lab": runs in mvn verify after packaging.
 */
@Tag("lab")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 20, unit = TimeUnit.MINUTES) // fetching two kernels, then one boot under TCG
class LabAgentTest {
    static final String KERNEL = "6.12.117+deb12-amd64";

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

    @Test
    void a_run_for_a_named_kernel_completes_inside_that_kernel_with_its_numbers_stored() throws InterruptedException {
        Tables.truncateAll(jdbc);
        List<TargetExecutor> executors;
        try {
            executors = AgentCommand.executors("lab",
                    Options.parse("agent", new String[]{"--kernels", KERNEL + ",6.1.0-56-amd64"}, Set.of("kernels"), Set.of()));
        } catch (UsageException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the lab agent cannot start: " + e.getMessage());
            }
            Assumptions.abort(e.getMessage());
            return;
        }
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("lab.secret"), http.newToken("enrollment"));
        Agent agent = new Agent("lab-agent", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")), executors, System.out::println);
        Thread thread = new Thread(agent, "lab-agent");
        thread.start();
        try {
            Await.until("the lab agent to register (it fetches its kernels first)", Duration.ofMinutes(10),
                    () -> !http.get("/api/v1/agents").json().isEmpty(), () -> "no agent");
            JsonNode created = http.post("/api/v1/runs", """
                    {"variant":"clock-realtime","gapMs":10,"iterations":3,"target":{"kernel":"%s"}}""".formatted(KERNEL)).json();
            JsonNode run = http.awaitFinished(created.path("id").asLong(), Duration.ofMinutes(4));

            assertThat(run.path("verdict").asString()).as(run.toString()).isEqualTo("PASS");
            assertThat(run.path("target").path("backend").asString()).isEqualTo("lab");
            assertThat(run.path("target").path("kernelRelease").asString()).isEqualTo(KERNEL);
            assertThat(run.path("target").path("simulated").asBoolean()).isFalse();
            // stored as the lab's: every iteration at least the gap; most within the bracket (the guest cannot see
            // the real host stall QEMU, which books such a stall as steal now and then on a loaded machine)
            var stored = jdbc.sql("""
                            SELECT count(*) FILTER (WHERE m.steal_delta_ns >= 10000000) AS at_least_the_gap,
                                   count(*) FILTER (WHERE m.within_bracket) AS within_bracket
                            FROM measurements m JOIN runs r ON r.id = m.run_id
                            WHERE r.id = :id AND r.backend = 'lab' AND r.kernel_release = :kernel""")
                    .param("id", run.path("id").asLong()).param("kernel", KERNEL)
                    .query().singleRow();
            assertThat(((Number) stored.get("at_least_the_gap")).longValue()).isEqualTo(3);
            assertThat(((Number) stored.get("within_bracket")).longValue()).as(run.toString()).isGreaterThanOrEqualTo(2);
        } finally {
            agent.stop();
            thread.join(10_000);
        }
    }
}
