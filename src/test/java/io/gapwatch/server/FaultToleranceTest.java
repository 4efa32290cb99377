package io.gapwatch.server;

import io.gapwatch.server.support.Await;
import io.gapwatch.server.support.Fleet;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.RunLedger;
import io.gapwatch.server.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Servers, agents and PostgreSQL as real processes, and faults done to them for real. Each test prints
 * runs created / completed, measurements expected / stored, runs executed twice and results accepted from a
 * stale lease (see {@link RunLedger}), and asserts nothing is lost, run twice or taken from the wrong lease.
 * Leases are long enough (20 s and more, a heartbeat every third of it) that a late heartbeat on a busy
 * machine does not lose one; every wait is bounded and names what it waited for.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FaultToleranceTest {
    @TempDir
    Path dir;

    /** What a fault test reports, read from the database it used and the logs of its agents. */
    record Tally(int runs, int completed, long expected, long stored, long executed, long executedTwice, long fromStaleLease) {
        void print(String fault) {
            System.out.printf("fault %s: runs created %d, completed %d, measurements expected %d, stored %d, "
                    + "runs executed %d, executed twice %d, results accepted from a stale lease %d%n",
                    fault, runs, completed, expected, stored, executed, executedTwice, fromStaleLease);
        }
    }

    static Tally tally(String url, String user, String password, int runs, long expectedMeasurements, List<Path> agentLogs)
            throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return new Tally(runs, (int) count(c, "SELECT count(*) FROM runs WHERE state = 'COMPLETED'"),
                    expectedMeasurements, count(c, "SELECT count(*) FROM measurements"),
                    RunLedger.executions(agentLogs).size(), RunLedger.executedTwice(agentLogs),
                    count(c, RunLedger.RESULTS_FROM_A_STALE_LEASE));
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<Long> createRuns(Http http, int n, String body) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Http.Response r = http.post("/api/v1/runs", body);
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            ids.add(r.json().path("id").asLong());
        }
        return ids;
    }

    private static int completed(Http http, List<Long> ids) {
        int done = 0;
        for (long id : ids) {
            try {
                if (http.get("/api/v1/runs/" + id).json().path("state").asString().equals("COMPLETED")) {
                    done++;
                }
            } catch (IllegalStateException unreachable) {
                return -1;
            }
        }
        return done;
    }

    private static void awaitCompleted(Http http, List<Long> ids, int atLeast, Duration timeout) throws InterruptedException {
        int[] done = {0};
        Await.until(atLeast + " of " + ids.size() + " runs to complete", timeout,
                () -> (done[0] = completed(http, ids)) >= atLeast, () -> done[0] + " completed");
    }

    private static void awaitAgents(Http http, int n) throws InterruptedException {
        Await.until(n + " agent(s) to register", Duration.ofSeconds(120),
                () -> http.get("/api/v1/agents").json().size() >= n, () -> http.get("/api/v1/agents").body());
    }

    @Test
    void two_servers_on_one_database_one_killed_mid_sweep_lose_no_run_and_run_none_twice() throws Exception {
        String db = TestDatabase.createDatabase("fault_two_servers");
        int p1 = Fleet.freePort();
        int p2 = Fleet.freePort();
        try (Fleet fleet = new Fleet(dir)) {
            Process first = fleet.server("server-1", p1, db, Map.of("GAPWATCH_LEASE_DURATION", "20s"));
            fleet.server("server-2", p2, db, Map.of("GAPWATCH_LEASE_DURATION", "20s"));
            Http s1 = new Http("http://127.0.0.1:" + p1, Http.ADMIN_TOKEN);
            Http s2 = new Http("http://127.0.0.1:" + p2, Http.ADMIN_TOKEN);
            String servers = "http://127.0.0.1:" + p1 + ",http://127.0.0.1:" + p2;
            fleet.agent("agent-a", servers, s1.newToken("enrollment"), Map.of());
            fleet.agent("agent-b", servers, s1.newToken("enrollment"), Map.of());
            awaitAgents(s1, 2);

            List<Long> sweep = createRuns(s1, 12, """
                    {"variant":"clock-realtime","gapMs":400,"iterations":3,"target":{"backend":"sim"}}""");
            awaitCompleted(s1, sweep, 3, Duration.ofSeconds(90));
            first.destroyForcibly().waitFor(); // SIGKILL the server the runs were created on, mid-sweep

            awaitCompleted(s2, sweep, sweep.size(), Duration.ofSeconds(120));
            for (long id : sweep) {
                assertThat(s2.get("/api/v1/runs/" + id).json().path("verdict").asString()).isEqualTo("PASS");
            }
            Tally t = tally(db, TestDatabase.user(), TestDatabase.password(), sweep.size(), sweep.size() * 3L,
                    List.of(fleet.log("agent-a"), fleet.log("agent-b")));
            t.print("server killed mid-sweep");
            assertThat(t).isEqualTo(new Tally(12, 12, 36, 36, 12, 0, 0));
        }
    }

    @Test
    void postgres_stopped_for_30_seconds_loses_nothing_and_readiness_follows_it() throws Exception {
        int pgPort = Fleet.freePort();
        Path data = dir.resolve("pgdata");
        EmbeddedPostgres pg = EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(data).setCleanDataDirectory(false).start();
        String url = pg.getJdbcUrl("postgres", "postgres");
        int port = Fleet.freePort();
        try (Fleet fleet = new Fleet(dir)) {
            fleet.server("server", port, url, Map.of("GAPWATCH_LEASE_DURATION", "120s",
                    "GAPWATCH_DB_USER", "postgres", "GAPWATCH_DB_PASSWORD", ""));
            Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
            fleet.agent("agent", "http://127.0.0.1:" + port, http.newToken("enrollment"), Map.of());
            awaitAgents(http, 1);
            List<Long> runs = createRuns(http, 6, """
                    {"variant":"clock-realtime","gapMs":2500,"iterations":2,"target":{"backend":"sim"}}""");
            awaitCompleted(http, runs, 1, Duration.ofSeconds(60));

            pg.close(); // PostgreSQL stops; the server and the agent keep running
            Instant stopped = Instant.now();
            awaitReadiness(http, 503, Duration.ofSeconds(30));
            Thread.sleep(Math.max(0, Duration.ofSeconds(30).minus(Duration.between(stopped, Instant.now())).toMillis()));
            pg = EmbeddedPostgres.builder().setPort(pgPort).setDataDirectory(data).setCleanDataDirectory(false).start();
            awaitReadiness(http, 200, Duration.ofSeconds(60));

            awaitCompleted(http, runs, runs.size(), Duration.ofSeconds(120));
            Tally t = tally(url, "postgres", "", runs.size(), runs.size() * 2L, List.of(fleet.log("agent")));
            t.print("PostgreSQL stopped for 30 s");
            assertThat(t).isEqualTo(new Tally(6, 6, 12, 12, 6, 0, 0));
            String agentLog = Files.readString(fleet.log("agent"));
            assertThat(agentLog).as("the agent saw the outage").contains("server unavailable");
            assertThat(agentLog).as("an outage is 503, not a server error").doesNotContain("answered 500");
            Path spool = dir.resolve("home-agent/spool/agent");
            try (var spooled = Files.list(spool)) {
                assertThat(spooled.filter(f -> f.toString().endsWith(".json"))).as("spool drained").isEmpty();
            }
            try (var refused = Files.list(spool.resolve("refused"))) {
                assertThat(refused).as("no result refused by the server").isEmpty();
            }
        } finally {
            pg.close();
        }
    }

    private static void awaitReadiness(Http http, int status, Duration timeout) throws InterruptedException {
        int[] last = {-1};
        Await.until("readiness " + status, timeout,
                () -> (last[0] = http.as(null).get("/actuator/health/readiness").status()) == status, () -> "status " + last[0]);
    }

    @Test
    void an_agent_whose_clock_is_hours_wrong_still_renews_and_completes_its_leases() throws Exception {
        Path faketime = Path.of("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
        if (!Files.exists(faketime)) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and libfaketime is missing: apt-get install faketime");
            }
            Assumptions.abort("libfaketime is not installed (apt-get install faketime)");
        }
        String db = TestDatabase.createDatabase("fault_clock_skew");
        int port = Fleet.freePort();
        Duration lease = Duration.ofSeconds(30);
        try (Fleet fleet = new Fleet(dir)) {
            fleet.server("server", port, db, Map.of("GAPWATCH_LEASE_DURATION", lease.toSeconds() + "s"));
            Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
            fleet.agent("skewed", "http://127.0.0.1:" + port, http.newToken("enrollment"), Map.of(
                    "LD_PRELOAD", faketime.toString(), "FAKETIME", "-7h", "FAKETIME_DONT_FAKE_MONOTONIC", "1"));
            awaitAgents(http, 1);
            // the run takes 36 s and more, longer than its 30 s lease: only the skewed agent's heartbeats (one every
            // 10 s) keep it; a heartbeat up to 20 s late, or a result delivered up to 20 s after the last one
            // (the agent stops heartbeating when the probe ends), still arrives in time
            List<Long> runs = createRuns(http, 1, """
                    {"variant":"clock-realtime","gapMs":3000,"iterations":12,"target":{"backend":"sim"}}""");
            awaitCompleted(http, runs, runs.size(), Duration.ofMinutes(4));

            for (long id : runs) {
                JsonNode run = http.get("/api/v1/runs/" + id).json();
                assertThat(run.path("verdict").asString()).isEqualTo("PASS");
                assertThat(run.path("attempts").asInt()).as("no lease of the skewed agent expired").isEqualTo(1);
                Duration held = Duration.between(Instant.parse(run.path("startedAt").asString()),
                        Instant.parse(run.path("finishedAt").asString()));
                assertThat(held).as("run %d outlived its lease, so heartbeats renewed it", id).isGreaterThan(lease);
            }
            Matcher stamp = Pattern.compile("^(\\S+Z) agent skewed registered", Pattern.MULTILINE)
                    .matcher(Files.readString(fleet.log("skewed")));
            assertThat(stamp.find()).isTrue();
            Duration skew = Duration.between(Instant.parse(stamp.group(1)), Instant.now());
            assertThat(skew).as("the agent's clock really was hours behind").isGreaterThan(Duration.ofHours(6));
            Tally t = tally(db, TestDatabase.user(), TestDatabase.password(), runs.size(), runs.size() * 12L,
                    List.of(fleet.log("skewed")));
            t.print("agent clock " + skew.toHours() + " h behind");
            assertThat(t).isEqualTo(new Tally(1, 1, 12, 12, 1, 0, 0));
        }
    }
}
