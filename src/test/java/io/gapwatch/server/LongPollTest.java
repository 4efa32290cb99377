package io.gapwatch.server;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long polls: a lease never goes to waste on a client that gave up, and waiting is cheap (no servlet thread,
 * no transaction per waiting agent). A server with 10 request threads and one attempt per run makes either
 * mistake visible.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "gapwatch.max-attempts=1", "gapwatch.lease-ack-timeout=5s", "gapwatch.reaper-interval=200ms",
        "server.tomcat.threads.max=10", "server.tomcat.threads.min-spare=2"})
class LongPollTest {
    private static final Pattern WAITING = Pattern.compile("(?m)^gapwatch_lease_requests_waiting(?:\\{[^}]*})? ([0-9.]+)");

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    MeterRegistry meters;

    Http admin;

    @BeforeEach
    void clean() {
        Tables.truncateAll(jdbc);
        admin = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
    }

    private JsonNode enroll(Http enroller, String name) {
        Http.Response r = enroller.post("/api/v1/agents", "{\"name\":\"" + name
                + "\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"sim:6.12-model\"}]}");
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    private int waitingRequests() {
        Matcher m = WAITING.matcher(admin.get("/actuator/prometheus").body());
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }

    private void awaitWaiting(int expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int now;
        while ((now = waitingRequests()) != expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gapwatch_lease_requests_waiting stayed " + now + ", not " + expected + ", for 60 s");
            }
            Thread.sleep(50);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void a_lease_handed_to_a_long_poll_whose_client_disconnected_costs_no_attempt() throws Exception {
        JsonNode agent = enroll(admin.as(admin.newToken("enrollment")), "flaky-network");
        long agentId = agent.path("id").asLong();
        Http asAgent = admin.as(agent.path("secret").asString());

        try (Socket socket = new Socket("127.0.0.1", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/agents/" + agentId + "/lease?waitSeconds=30 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + agent.path("secret").asString() + "\r\nContent-Length: 0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            awaitWaiting(1);
        } // the client gives up mid-poll

        Http.Response created = admin.post("/api/v1/runs", """
                {"variant":"clock-realtime","gapMs":10,"iterations":1,"target":{"agent":"flaky-network"}}""");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        long runId = created.json().path("id").asLong();

        // the agent polls again; whatever the server did with the abandoned request, the run comes to this one
        JsonNode lease = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (lease == null) {
            Http.Response r = asAgent.post("/api/v1/agents/" + agentId + "/lease?waitSeconds=5", "");
            if (r.status() == 200) {
                lease = r.json();
            } else {
                assertThat(r.status()).as(r.body()).isEqualTo(204);
                JsonNode run = admin.get("/api/v1/runs/" + runId).json();
                assertThat(run.path("state").asString()).as("the run must not end without being executed: " + run)
                        .isNotEqualTo("COMPLETED");
                assertThat(System.nanoTime()).as("a lease for run " + runId + " within 90 s").isLessThan(deadline);
            }
        }
        long token = lease.path("token").asLong();
        assertThat(asAgent.post("/api/v1/leases/" + token + "/heartbeat", "{\"iterationsDone\":0}").status()).isEqualTo(200);
        Http.Response result = asAgent.post("/api/v1/leases/" + token + "/result",
                Json.MAPPER.writeValueAsString(SimReports.of(Variant.CLOCK_REALTIME, 10, 1)));
        assertThat(result.status()).as(result.body()).isEqualTo(200);

        JsonNode run = admin.get("/api/v1/runs/" + runId).json();
        assertThat(run.path("verdict").asString()).isEqualTo("PASS");
        assertThat(run.path("attempts").asInt()).as("the one attempt this run has is the one that ran it").isEqualTo(1);
        boolean ghostLeased = run.path("events").valueStream()
                .anyMatch(e -> e.path("detail").asString().contains("never acknowledged"));
        System.out.println("long poll abandoned mid-wait: " + (ghostLeased
                ? "the server leased to it; the lease expired unacknowledged and cost no attempt"
                : "the server noticed the disconnect and leased nothing to it"));
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void thirty_waiting_agents_hold_no_servlet_thread_and_no_transactions() throws Exception {
        // what this server does with the database with no agent waiting (its reaper, schedulers, gauges) is the
        // background the waiting agents are measured against
        double background = transactionsPerSecondOver(3000);
        Http enroller = admin.as(admin.newToken("enrollment"));
        HttpClient client = HttpClient.newHttpClient();
        List<CompletableFuture<HttpResponse<String>>> polls = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            JsonNode agent = enroll(enroller, "idle-" + i);
            polls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/agents/"
                            + agent.path("id").asLong() + "/lease?waitSeconds=60"))
                    .header("Authorization", "Bearer " + agent.path("secret").asString())
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()));
        }
        awaitWaiting(30);

        // 30 waiting requests on 10 request threads: the API still answers
        long started = System.nanoTime();
        HttpResponse<String> list = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/runs")).header("Authorization", "Bearer " + Http.ADMIN_TOKEN)
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(list.statusCode()).isEqualTo(200);
        System.out.printf("GET /api/v1/runs with 30 agents waiting on 10 request threads: %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        double perSecond = transactionsPerSecondOver(3000);
        System.out.printf("30 agents waiting: %.1f connections taken from the pool per second (%.1f/s before they came)%n",
                perSecond, background);
        // the old way, a write transaction per waiter every 500 ms, adds 60/s for 30 waiters on its own; with
        // dispatching by NOTIFY the waiters add nothing, whatever the machine's speed
        assertThat(perSecond - background).isLessThan(10);
        assertThat(polls).noneMatch(CompletableFuture::isDone);
        polls.forEach(p -> p.cancel(true));
    }

    /** A waiting lease request is answered with a run queued while it waits, not at the end of its wait. */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void a_waiting_long_poll_is_woken_by_a_run_queued_for_its_agent() throws Exception {
        JsonNode agent = enroll(admin.as(admin.newToken("enrollment")), "woken");
        CompletableFuture<HttpResponse<String>> poll = longPoll(agent, 30);
        awaitWaiting(1);

        long runId = admin.post("/api/v1/runs", """
                {"variant":"clock-realtime","gapMs":10,"iterations":1,"target":{"agent":"woken"}}""").json().path("id").asLong();

        HttpResponse<String> answer = poll.get(120, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as("a run, not 'nothing to do' at the end of the wait: " + answer.body()).isEqualTo(200);
        assertThat(Json.MAPPER.readTree(answer.body()).path("run").path("id").asLong()).isEqualTo(runId);
    }

    /** However long an agent asks to wait, the server answers 'nothing to do' (204) at gapwatch.max-lease-wait (30 s). */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void a_long_poll_with_nothing_to_lease_ends_empty_at_the_servers_cap() throws Exception {
        JsonNode agent = enroll(admin.as(admin.newToken("enrollment")), "patient");
        long asked = System.nanoTime();
        HttpResponse<String> answer = longPoll(agent, 300).get(150, TimeUnit.SECONDS);
        Duration waited = Duration.ofNanos(System.nanoTime() - asked);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(204);
        assertThat(waited).as("it waited the cap, not the 300 s asked").isGreaterThanOrEqualTo(Duration.ofSeconds(30))
                .isLessThan(Duration.ofSeconds(300));
    }

    private CompletableFuture<HttpResponse<String>> longPoll(JsonNode agent, int waitSeconds) {
        return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/api/v1/agents/" + agent.path("id").asLong() + "/lease?waitSeconds=" + waitSeconds))
                .header("Authorization", "Bearer " + agent.path("secret").asString())
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Every statement the server runs takes a connection from its pool, so the pool's count of connections handed
     * out is its count of transactions, exact and at once. (PostgreSQL's own commit counter is not: a backend that
     * committed within its last second reports up to 10 s later, which folded the 30 enrollments into the window
     * measured and failed this test on a fresh clone.)
     */
    private long transactions() {
        return meters.get("hikaricp.connections.usage").timer().count();
    }

    /** Connections the server took from its pool per second over a measuring window (not a wait for an event). */
    private double transactionsPerSecondOver(long millis) throws Exception {
        long before = transactions();
        long t0 = System.nanoTime();
        Thread.sleep(millis);
        return (transactions() - before) / ((System.nanoTime() - t0) / 1e9);
    }
}
