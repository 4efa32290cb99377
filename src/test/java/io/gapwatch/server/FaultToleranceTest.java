package io.gapwatch.server;

import io.gapwatch.server.support.Fleet;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Servers, agents and PostgreSQL as real processes, and faults done to them for real. Each test prints
 * runs created / measurements expected / measurements stored / duplicates, and asserts nothing is lost or
 * stored twice.
 */
class FaultToleranceTest {
    @TempDir
    Path dir;

    /** What a fault test reports, read from the database it used. */
    record Tally(int runs, int completed, long expected, long stored, long duplicates) {
        void print(String fault) {
            System.out.printf("fault %s: runs created %d, completed %d, measurements expected %d, stored %d, duplicates %d%n",
                    fault, runs, completed, expected, stored, duplicates);
        }
    }

    static Tally tally(String url, String user, String password, int runs, long expectedMeasurements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return new Tally(runs, (int) count(c, "SELECT count(*) FROM runs WHERE state = 'COMPLETED'"),
                    expectedMeasurements, count(c, "SELECT count(*) FROM measurements"),
                    count(c, "SELECT count(*) FROM (SELECT run_id FROM run_events WHERE kind = 'RESULT_ACCEPTED' "
                            + "GROUP BY run_id HAVING count(*) > 1) d"));
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
        long deadline = System.nanoTime() + timeout.toNanos();
        int done = 0;
        while (System.nanoTime() < deadline) {
            done = completed(http, ids);
            if (done >= atLeast) {
                return;
            }
            Thread.sleep(250);
        }
        fail(done + " of " + ids.size() + " runs completed within " + timeout + ", expected " + atLeast);
    }

    private static void awaitAgents(Http http, int n) throws InterruptedException {
        while (http.get("/api/v1/agents").json().size() < n) {
            Thread.sleep(100);
        }
    }

    @Test
    void two_servers_on_one_database_one_killed_mid_sweep_lose_no_run_and_run_none_twice() throws Exception {
        String db = TestDatabase.createDatabase("fault_two_servers");
        int p1 = Fleet.freePort();
        int p2 = Fleet.freePort();
        try (Fleet fleet = new Fleet(dir)) {
            Process first = fleet.server("server-1", p1, db, Map.of("GAPWATCH_LEASE_DURATION", "6s"));
            fleet.server("server-2", p2, db, Map.of("GAPWATCH_LEASE_DURATION", "6s"));
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
            Tally t = tally(db, TestDatabase.user(), TestDatabase.password(), sweep.size(), sweep.size() * 3L);
            t.print("server killed mid-sweep");
            assertThat(t).isEqualTo(new Tally(12, 12, 36, 36, 0));
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
            Tally t = tally(url, "postgres", "", runs.size(), runs.size() * 2L);
            t.print("PostgreSQL stopped for 30 s");
            assertThat(t).isEqualTo(new Tally(6, 6, 12, 12, 0));
            String agentLog = Files.readString(fleet.log("agent"));
            assertThat(agentLog).as("the agent saw the outage").contains("server unavailable");
            assertThat(agentLog).as("an outage is 503, not a server error").doesNotContain("answered 500");
            try (var spooled = Files.list(dir.resolve("home-agent/spool/agent"))) {
                assertThat(spooled.filter(f -> f.toString().endsWith(".json"))).as("spool drained").isEmpty();
            }
        } finally {
            pg.close();
        }
    }

    private static void awaitReadiness(Http http, int status, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            last = http.as(null).get("/actuator/health/readiness").status();
            if (last == status) {
                return;
            }
            Thread.sleep(250);
        }
        fail("readiness stayed " + last + ", expected " + status + " within " + timeout);
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
        try (Fleet fleet = new Fleet(dir)) {
            fleet.server("server", port, db, Map.of("GAPWATCH_LEASE_DURATION", "6s"));
            Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
            fleet.agent("skewed", "http://127.0.0.1:" + port, http.newToken("enrollment"), Map.of(
                    "LD_PRELOAD", faketime.toString(), "FAKETIME", "-7h", "FAKETIME_DONT_FAKE_MONOTONIC", "1"));
            awaitAgents(http, 1);
            // a first short run warms up the freshly started JVMs, whose first requests are slow on a busy machine
            awaitCompleted(http, createRuns(http, 1, """
                    {"variant":"clock-realtime","gapMs":10,"iterations":1,"target":{"backend":"sim"}}"""), 1, Duration.ofSeconds(60));
            // each run takes about 10 s: more than one lease period, so only heartbeats keep it
            List<Long> runs = createRuns(http, 3, """
                    {"variant":"clock-realtime","gapMs":3000,"iterations":3,"target":{"backend":"sim"}}""");
            awaitCompleted(http, runs, runs.size(), Duration.ofSeconds(120));

            for (long id : runs) {
                JsonNode run = http.get("/api/v1/runs/" + id).json();
                assertThat(run.path("verdict").asString()).isEqualTo("PASS");
                assertThat(run.path("attempts").asInt()).as("no lease of the skewed agent expired").isEqualTo(1);
            }
            Matcher stamp = Pattern.compile("^(\\S+Z) agent skewed registered", Pattern.MULTILINE)
                    .matcher(Files.readString(fleet.log("skewed")));
            assertThat(stamp.find()).isTrue();
            Duration skew = Duration.between(Instant.parse(stamp.group(1)), Instant.now());
            assertThat(skew).as("the agent's clock really was hours behind").isGreaterThan(Duration.ofHours(6));
            // the warm-up run has 1 iteration, the others 3 each
            Tally t = tally(db, TestDatabase.user(), TestDatabase.password(), runs.size() + 1, 1 + runs.size() * 3L);
            t.print("agent clock " + skew.toHours() + " h behind");
            assertThat(t).isEqualTo(new Tally(4, 4, 10, 10, 0));
        }
    }
}
