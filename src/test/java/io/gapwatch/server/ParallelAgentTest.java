package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.Options;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
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

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent with {@code parallel} 2 (what {@code gapwatch agent --backend lab --parallel 2} builds) executes two
 * runs at once: each waits at a barrier for the other before its probe runs (sim probes, labelled sim), so
 * both pass only if they overlapped.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class ParallelAgentTest {
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
    void two_slots_execute_two_runs_at_once() throws Exception {
        Tables.truncateAll(jdbc);
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        TargetExecutor sim = AgentCommand.executors("sim", Options.parse("t", new String[0], Set.of(), Set.of())).get(0);
        CyclicBarrier bothRunning = new CyclicBarrier(2);
        AtomicInteger overlapped = new AtomicInteger();
        TargetExecutor meetsTheOther = new TargetExecutor() {
            @Override
            public List<TargetInfo> targets() {
                return sim.targets();
            }

            @Override
            public ProbeReport execute(TargetInfo target, ProbeRequest request, Probe.Progress progress) {
                try {
                    bothRunning.await(60, TimeUnit.SECONDS);
                    overlapped.incrementAndGet();
                } catch (Exception e) {
                    return ProbeReport.infrastructureError(request, target, "the other run never started: " + e);
                }
                return sim.execute(target, request, progress);
            }
        };
        List<String> log = new CopyOnWriteArrayList<>();
        Credentials credentials = new Credentials(home.resolve("lab.secret"), http.newToken("enrollment"));
        agent = new Agent("lab", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")), List.of(meetsTheOther), log::add, 2);
        new Thread(agent, "parallel-agent").start();
        long registered = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the agent registers within 60 s").isLessThan(registered);
            Thread.sleep(50);
        }

        String run = "{\"variant\":\"clock-realtime\",\"gapMs\":10,\"iterations\":1,\"target\":{\"backend\":\"sim\"}}";
        Http.Response created = http.post("/api/v1/runs", run);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long first = created.json().path("id").asLong();
        long second = http.post("/api/v1/runs", run).json().path("id").asLong();

        assertThat(http.awaitFinished(first, Duration.ofSeconds(150)).path("verdict").asString()).as(log.toString())
                .isEqualTo("PASS");
        assertThat(http.awaitFinished(second, Duration.ofSeconds(150)).path("verdict").asString()).as(log.toString())
                .isEqualTo("PASS");
        assertThat(overlapped.get()).as("runs that met the other at the barrier").isEqualTo(2);
    }

    @Test
    void parallelIsALabOption() {
        Options lab = Options.parse("agent", new String[]{"--parallel", "3"}, Set.of("parallel"), Set.of());
        assertThat(AgentCommand.parallelRuns("lab", lab)).isEqualTo(3);
        Options none = Options.parse("agent", new String[0], Set.of("parallel"), Set.of());
        assertThat(AgentCommand.parallelRuns("lab", none))
                .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
        assertThat(AgentCommand.parallelRuns("sim", none)).isEqualTo(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> AgentCommand.parallelRuns("kvm", lab))
                .hasMessageContaining("--parallel is for --backend lab");
    }
}
