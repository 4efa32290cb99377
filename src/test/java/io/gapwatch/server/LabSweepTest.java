package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.server.support.Http;
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
 * A sweep over real kernels in the kernel lab: three 6.12 kernels and 6.1.0-56, both variants, one lab agent for
 * all of them. 6.1 is built without CONFIG_KVM_XEN and SKIPs naming KVM_CAP_XEN_HVM; the 6.12 kernels PASS
 * clock-realtime and FAIL clock-frozen, as expected; comparing 6.12.117 with 6.12.113 says unchanged, and the
 * analysis of the sweep declares no regression on real-kernel noise. Tagged "lab": runs in mvn verify after
 * packaging. Ten iterations per run, not two: with five a side no rank test can reach p 0.001, so "unchanged"
 * would say nothing; in one boot the extra iterations cost about a second.
 */
@Tag("lab")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class LabSweepTest {
    static final String BASELINE = "6.12.113+deb12-amd64";
    static final List<String> KERNELS = List.of(BASELINE, "6.12.115+deb12-amd64", "6.12.117+deb12-amd64", "6.1.0-56-amd64");

    /** A database of its own: no other test class's agent may lease these runs. */
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "lab_sweep");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    Path home;

    @Test
    @Timeout(value = 45, unit = TimeUnit.MINUTES)
    void a_sweep_over_three_6_12_kernels_and_6_1_completes_with_the_verdicts_each_kernel_deserves() throws InterruptedException {
        List<TargetExecutor> executors;
        try {
            executors = AgentCommand.executors("lab", Options.parse("agent",
                    new String[]{"--kernels", String.join(",", KERNELS)}, Set.of("kernels"), Set.of()));
        } catch (UsageException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the lab agent cannot start: " + e.getMessage());
            }
            Assumptions.abort(e.getMessage());
            return;
        }
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("lab.secret"), http.newToken("enrollment"));
        Agent agent = new Agent("lab-sweep-agent", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")), executors, System.out::println);
        Thread thread = new Thread(agent, "lab-sweep-agent");
        thread.start();
        try {
            while (http.get("/api/v1/agents").json().isEmpty()) {
                Thread.sleep(100);
            }
            Http.Response created = http.post("/api/v1/sweeps", """
                    {"matrix":{"kernels":["%s"],"variants":["clock-realtime","clock-frozen"],"gapsMs":[10],"iterations":10},
                     "baseline":{"kernel":"%s"}}""".formatted(String.join("\",\"", KERNELS), BASELINE));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(created.json().path("unserved")).isEmpty();
            assertThat(created.json().path("simulated").asBoolean()).isFalse();
            long id = created.json().path("id").asLong();

            JsonNode sweep = http.awaitSweepFinished(id, Duration.ofMinutes(40));

            assertThat(sweep.path("state").asString()).isEqualTo("COMPLETED");
            assertThat(sweep.path("outcome")).hasSize(KERNELS.size() * 2);
            for (JsonNode cell : sweep.path("outcome")) {
                String kernel = cell.path("kernel").asString();
                String variant = cell.path("variant").asString();
                String expected = kernel.startsWith("6.1.0") ? "SKIP" : variant.equals("clock-frozen") ? "FAIL" : "PASS";
                assertThat(cell.path("verdict").asString()).as(cell.toString()).isEqualTo(expected);
                assertThat(cell.path("simulated").asBoolean()).isFalse();
                if (!expected.equals("SKIP")) {
                    assertThat(cell.path("asExpected").asBoolean()).as(cell.toString()).isTrue();
                    assertThat(cell.path("accuracy").path("n").asInt()).isEqualTo(10);
                }
            }
            for (JsonNode run : http.get("/api/v1/runs?sweep=" + id + "&kernel=6.1.0-56-amd64").json().path("items")) {
                assertThat(http.get("/api/v1/runs/" + run.path("id").asLong()).json().path("skipReason").asString())
                        .contains("KVM_CAP_XEN_HVM");
            }

            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (jdbc.sql("SELECT count(*) FROM sweep_analyses WHERE sweep_id = :id AND summary <> 'analysing'")
                    .param("id", id).query(Long.class).single() == 0) {
                assertThat(System.nanoTime()).as("the analysis of sweep " + id + " finishes").isLessThan(deadline);
                Thread.sleep(200);
            }
            JsonNode compare = http.get("/api/v1/compare?base=" + BASELINE.replace("+", "%2B")
                    + "&head=6.12.117%2Bdeb12-amd64&variant=clock-realtime&gapMs=10").json();
            assertThat(compare.path("series")).as(compare.toString()).singleElement()
                    .satisfies(c -> assertThat(c.path("category").asString()).as(c.toString()).isEqualTo("unchanged"));
            // Real-kernel noise may raise a suspect now and then; its confirmation re-runs must dismiss it.
            long decided = System.nanoTime() + Duration.ofMinutes(20).toNanos();
            while (!http.get("/api/v1/regressions?state=SUSPECTED").json().path("items").isEmpty()) {
                assertThat(System.nanoTime()).as("the confirmation runs of every suspect end within 20 min").isLessThan(decided);
                Thread.sleep(500);
            }
            JsonNode regressions = http.get("/api/v1/regressions").json();
            assertThat(regressions.path("items")).as("regressions declared on real-kernel noise: " + regressions)
                    .allSatisfy(r -> assertThat(r.path("state").asString()).isEqualTo("DISMISSED"));
            System.out.println("lab sweep: " + sweep.path("progress") + "; compare 6.12.113 -> 6.12.117 clock-realtime: "
                    + compare.path("series").get(0).path("category").asString() + " (" + compare.path("series").get(0).path("reason").asString()
                    + "); suspects dismissed by their confirmation runs: " + regressions.path("items").size());
        } finally {
            agent.stop();
            thread.join(30_000);
        }
    }
}
