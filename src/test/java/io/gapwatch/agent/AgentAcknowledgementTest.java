package io.gapwatch.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.TargetInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agent works on a lease only once the server has answered its acknowledgement (the first heartbeat). Against
 * a server scripted over the real agent protocol (HTTP, JSON): it hands out one lease, answers the acknowledgement
 * 503 while its database is away, and then either accepts it or says the lease was taken back (409).
 */
class AgentAcknowledgementTest {
    @TempDir
    Path home;
    HttpServer server;
    Thread agentThread;
    Agent agent;

    /** Heartbeats the scripted server answers 503 before its real answer. */
    private static final int UNAVAILABLE = 2;

    private final AtomicInteger heartbeats = new AtomicInteger();
    private final AtomicInteger leases = new AtomicInteger();
    private final List<String> results = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final AtomicInteger executions = new AtomicInteger();
    private final CountDownLatch decided = new CountDownLatch(1);

    @AfterEach
    void stop() throws InterruptedException {
        if (agent != null) {
            agent.stop();
            agentThread.join(10_000);
        }
        server.stop(0);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void a_lease_taken_back_while_its_acknowledgement_could_not_get_through_is_never_run() throws Exception {
        start(409);

        assertThat(decided.await(30, TimeUnit.SECONDS)).as("the server took the lease back: " + log).isTrue();
        io.gapwatch.server.support.Await.until("the agent to hear the lease was taken back", java.time.Duration.ofSeconds(30),
                () -> log.stream().anyMatch(l -> l.contains("lease 7 was taken back before it was acknowledged")), log::toString);
        agent.stop();
        agentThread.join(10_000);

        assertThat(heartbeats.get()).as("the acknowledgement, sent again while the server was unavailable").isEqualTo(UNAVAILABLE + 1);
        assertThat(executions.get()).as("runs executed").isZero();
        assertThat(results).as("results delivered").isEmpty();
        assertThat(log).anyMatch(l -> l.contains("lease 7 not acknowledged yet"))
                .anyMatch(l -> l.contains("lease 7 was taken back before it was acknowledged"));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void an_acknowledgement_that_gets_through_late_runs_the_lease_once() throws Exception {
        start(200);

        assertThat(decided.await(30, TimeUnit.SECONDS)).as("the result reached the server: " + log).isTrue();

        assertThat(executions.get()).isEqualTo(1);
        assertThat(results).hasSize(1);
        assertThat(heartbeats.get()).isGreaterThanOrEqualTo(UNAVAILABLE + 1);
    }

    /** Starts the scripted server, whose acknowledgement after the outage is answered {@code answer}, and an agent. */
    private void start(int answer) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/v1/agents", exchange -> {
            if (exchange.getRequestURI().getPath().endsWith("/lease")) {
                if (leases.getAndIncrement() == 0) {
                    reply(exchange, 200, """
                            {"token":7,"expiresAt":"%s","leaseSeconds":30,"run":{"id":3,"variant":"clock-realtime",
                             "gapMs":1,"iterations":1,"strict":false,"backend":"sim","kernelRelease":"sim:6.12-model"}}"""
                            .formatted(Instant.now().plusSeconds(30)));
                } else {
                    sleepQuietly(200); // nothing more to lease
                    reply(exchange, 204, "");
                }
            } else {
                reply(exchange, 200, "{\"id\":1,\"name\":\"acknowledging\",\"secret\":null}");
            }
        });
        server.createContext("/api/v1/leases/7/heartbeat", exchange -> {
            int n = heartbeats.incrementAndGet();
            if (n <= UNAVAILABLE) {
                reply(exchange, 503, "{\"title\":\"Database unavailable\",\"status\":503}");
            } else if (answer == 409) {
                reply(exchange, 409, "{\"title\":\"Conflict\",\"status\":409,\"detail\":\"lease token 7 is not current\"}");
                decided.countDown();
            } else {
                reply(exchange, 200, "{}");
            }
        });
        server.createContext("/api/v1/leases/7/result", exchange -> {
            results.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            reply(exchange, 200, "{}");
            decided.countDown();
        });
        server.start();

        Credentials credentials = new Credentials(home.resolve("agent.secret"), "enrollment-token");
        TargetExecutor counting = new CountingSim();
        agent = new Agent("acknowledging", new ServerClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"),
                credentials), credentials, new Spool(home.resolve("spool")), List.of(counting), log::add);
        agentThread = new Thread(agent, "acknowledging-agent");
        agentThread.start();
    }

    /** The sim backend, counting how often it is asked to execute. */
    private final class CountingSim implements TargetExecutor {
        private final TargetExecutor sim = AgentCommand.executors("sim",
                io.gapwatch.cli.Options.parse("t", new String[0], java.util.Set.of(), java.util.Set.of())).get(0);

        @Override
        public List<TargetInfo> targets() {
            return sim.targets();
        }

        @Override
        public ProbeReport execute(TargetInfo target, ProbeRequest request, Probe.Progress progress) {
            executions.incrementAndGet();
            return sim.execute(target, request, progress);
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        exchange.getRequestBody().readAllBytes();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        exchange.sendResponseHeaders(status, status == 204 ? -1 : bytes.length);
        if (status != 204) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
