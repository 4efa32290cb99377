package io.gapwatch.server;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint of the OpenAPI document, called by every kind of caller: no token, a bad token, each role,
 * the agent that owns the lease and another agent. Allowed callers get the endpoint's own success status
 * (201 for a creation, 200 otherwise); the rest 401 (no identity) or 403 (the wrong one). An endpoint missing
 * from this table fails the test. The actuator has a table of its own, beside the API's.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthorizationMatrixTest {

    enum Who { NONE, BAD_TOKEN, VIEWER, OPERATOR, ADMIN, ENROLLMENT, OWNER_AGENT, OTHER_AGENT }

    record Call(String method, String path, String body) {
    }

    /** Who may call an endpoint, what it answers them, and how to make a call that succeeds for an allowed caller. */
    record Rule(Set<Who> allowed, int success, Function<Who, Call> call) {
        Rule(Set<Who> allowed, Function<Who, Call> call) {
            this(allowed, 200, call);
        }

        /** What {@code who} gets: success when allowed, 401 without an identity, 403 with the wrong one. */
        int expected(Who who) {
            return allowed.contains(who) ? success : who == Who.NONE || who == Who.BAD_TOKEN ? 401 : 403;
        }
    }

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    Http admin;
    final Map<Who, String> tokens = new EnumMap<>(Who.class);
    long ownerId;
    long otherId;

    @BeforeAll
    void callers() {
        Tables.truncateAll(jdbc);
        admin = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        tokens.put(Who.BAD_TOKEN, "gw_a_not-a-real-token");
        tokens.put(Who.VIEWER, admin.newToken("viewer"));
        tokens.put(Who.OPERATOR, admin.newToken("operator"));
        tokens.put(Who.ADMIN, Http.ADMIN_TOKEN);
        tokens.put(Who.ENROLLMENT, admin.newToken("enrollment"));
        JsonNode owner = enroll("matrix-owner");
        JsonNode other = enroll("matrix-other");
        ownerId = owner.path("id").asLong();
        otherId = other.path("id").asLong();
        admin.as(tokens.get(Who.ENROLLMENT)).post("/api/v1/agents", """
                {"name":"matrix-series","targets":[{"backend":"sim","kernelRelease":"sim:6.12.100"},
                 {"backend":"sim","kernelRelease":"sim:6.12.101"}]}""");
        // a builder for patch series (its runs stay queued: that agent never leases)
        admin.as(tokens.get(Who.ENROLLMENT)).post("/api/v1/agents", """
                {"name":"matrix-builder","targets":[{"backend":"sim","kernelRelease":"build:6.12.117"}]}""");
        tokens.put(Who.OWNER_AGENT, owner.path("secret").asString());
        tokens.put(Who.OTHER_AGENT, other.path("secret").asString());
    }

    /** Bisects the two kernels of the series agent (its runs stay queued: that agent never leases). */
    private static final String BISECTION = """
            {"good":"sim:6.12.100","bad":"sim:6.12.101","variant":"clock-realtime","gapMs":1,"iterations":5}""";

    private JsonNode enroll(String name) {
        return admin.as(tokens.get(Who.ENROLLMENT)).post("/api/v1/agents", registration(name)).json();
    }

    private static String registration(String name) {
        return "{\"name\":\"" + name + "\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"sim:6.12-model\"}]}";
    }

    private int fixtureGapMs;

    /**
     * An ACTIVE regression to acknowledge: a fixture row, as the analysis would have declared it after a sweep
     * (each at its own gap: there is one open regression per series, variant, gap and backend).
     */
    private long activeRegression() {
        return jdbc.sql("""
                        INSERT INTO regressions (state, kind, kernel_release, kernel_series, variant, gap_ms, backend,
                                                 iterations, reason, first_seen_at, last_seen_at, declared_at)
                        VALUES ('ACTIVE', 'compare', 'sim:6.12.101', 'sim:6.12', 'clock-realtime', :gapMs, 'sim', 10,
                                'matrix fixture', now(), now(), now())
                        RETURNING id""").param("gapMs", ++fixtureGapMs).query(Long.class).single();
    }

    private long queuedRun() {
        return admin.post("/api/v1/runs", """
                {"variant":"clock-realtime","iterations":1,"target":{"agent":"matrix-owner"}}""").json().path("id").asLong();
    }

    /** A live lease of the owner agent, on a fresh run. */
    private long ownersLease() {
        queuedRun();
        JsonNode lease = admin.as(tokens.get(Who.OWNER_AGENT))
                .post("/api/v1/agents/" + ownerId + "/lease?waitSeconds=5", "").json();
        return lease.path("token").asLong();
    }

    /** One run on the owner's kernel, as a lease of it must match the result this test reports. */
    private static final String SWEEP = "{\"matrix\":{\"kernels\":[\"sim:6.12-model\"],\"variants\":[\"clock-realtime\"],"
            + "\"gapsMs\":[10],\"iterations\":1}}";

    /** A patch series of one patch against the builder's source. */
    private static final String PATCH_SERIES = "{\"base\":\"6.12.117\",\"patches\":[{\"text\":"
            + "\"Subject: [PATCH] KVM: x86/xen: a comment\\n\\n---\\ndiff --git a/x b/x\\n\"}]}";

    private long runningSweep() {
        return admin.post("/api/v1/sweeps", SWEEP).json().path("id").asLong();
    }

    private long schedule(String name) {
        return admin.post("/api/v1/schedules", "{\"name\":\"" + name + "\",\"cron\":\"0 2 * * *\",\"enabled\":false,"
                + SWEEP.substring(1)).json().path("id").asLong();
    }

    private Map<String, Rule> rules() {
        Set<Who> readers = EnumSet.of(Who.VIEWER, Who.OPERATOR, Who.ADMIN);
        Set<Who> operators = EnumSet.of(Who.OPERATOR, Who.ADMIN);
        Set<Who> admins = EnumSet.of(Who.ADMIN);
        Set<Who> owner = EnumSet.of(Who.OWNER_AGENT);
        Map<String, Rule> r = new LinkedHashMap<>();
        r.put("GET /api/v1/runs", new Rule(readers, who -> new Call("GET", "/api/v1/runs", null)));
        r.put("POST /api/v1/runs", new Rule(operators, 201, who -> new Call("POST", "/api/v1/runs",
                "{\"variant\":\"clock-frozen\",\"target\":{\"backend\":\"sim\"}}")));
        r.put("GET /api/v1/runs/{id}", new Rule(readers, who -> new Call("GET", "/api/v1/runs/" + queuedRun(), null)));
        r.put("POST /api/v1/runs/{id}/cancel", new Rule(operators,
                who -> new Call("POST", "/api/v1/runs/" + queuedRun() + "/cancel", null)));
        r.put("GET /api/v1/agents", new Rule(readers, who -> new Call("GET", "/api/v1/agents", null)));
        r.put("GET /api/v1/agents/{id}", new Rule(readers, who -> new Call("GET", "/api/v1/agents/" + ownerId, null)));
        r.put("POST /api/v1/agents", new Rule(EnumSet.of(Who.ENROLLMENT, Who.ADMIN, Who.OWNER_AGENT),
                who -> new Call("POST", "/api/v1/agents", registration(who == Who.OWNER_AGENT ? "matrix-owner"
                        : who == Who.OTHER_AGENT ? "matrix-owner" : "matrix-new-" + who.name().toLowerCase()))));
        r.put("POST /api/v1/agents/{id}/revoke", new Rule(admins, who -> new Call("POST",
                "/api/v1/agents/" + enroll("matrix-doomed-" + who.name().toLowerCase()).path("id").asLong() + "/revoke", null)));
        r.put("DELETE /api/v1/agents/{id}", new Rule(admins, 204, who -> new Call("DELETE",
                "/api/v1/agents/" + enroll("matrix-deleted-" + who.name().toLowerCase()).path("id").asLong(), null)));
        r.put("POST /api/v1/agents/{agentId}/lease", new Rule(owner, who -> {
            queuedRun(); // so the owner's lease is a run (200), not "nothing to do" (204)
            return new Call("POST", "/api/v1/agents/" + ownerId + "/lease?waitSeconds=0", null);
        }));
        r.put("POST /api/v1/leases/{token}/heartbeat", new Rule(owner,
                who -> new Call("POST", "/api/v1/leases/" + ownersLease() + "/heartbeat", null)));
        r.put("POST /api/v1/leases/{token}/result", new Rule(owner,
                who -> new Call("POST", "/api/v1/leases/" + ownersLease() + "/result", report())));
        r.put("GET /api/v1/runs/{id}/report", new Rule(readers,
                who -> new Call("GET", "/api/v1/runs/" + finishedRun() + "/report?format=junit", null)));
        r.put("GET /api/v1/sweeps/{id}/report", new Rule(readers,
                who -> new Call("GET", "/api/v1/sweeps/" + runningSweep() + "/report?format=kcidb", null)));
        r.put("GET /api/v1/sweeps", new Rule(readers, who -> new Call("GET", "/api/v1/sweeps", null)));
        r.put("POST /api/v1/sweeps", new Rule(operators, 201, who -> new Call("POST", "/api/v1/sweeps", SWEEP)));
        r.put("GET /api/v1/sweeps/{id}", new Rule(readers, who -> new Call("GET", "/api/v1/sweeps/" + runningSweep(), null)));
        r.put("POST /api/v1/sweeps/{id}/cancel", new Rule(operators,
                who -> new Call("POST", "/api/v1/sweeps/" + runningSweep() + "/cancel", null)));
        r.put("GET /api/v1/schedules", new Rule(readers, who -> new Call("GET", "/api/v1/schedules", null)));
        r.put("POST /api/v1/schedules", new Rule(operators, 201, who -> new Call("POST", "/api/v1/schedules",
                "{\"name\":\"matrix-" + who.name().toLowerCase() + "\",\"cron\":\"0 2 * * *\",\"enabled\":false,"
                        + SWEEP.substring(1))));
        r.put("GET /api/v1/schedules/{id}", new Rule(readers,
                who -> new Call("GET", "/api/v1/schedules/" + schedule("matrix-get-" + who.name().toLowerCase()), null)));
        r.put("PATCH /api/v1/schedules/{id}", new Rule(operators, who -> new Call("PATCH",
                "/api/v1/schedules/" + schedule("matrix-patch-" + who.name().toLowerCase()), "{\"cron\":\"0 3 * * *\"}")));
        r.put("DELETE /api/v1/schedules/{id}", new Rule(operators, 204, who -> new Call("DELETE",
                "/api/v1/schedules/" + schedule("matrix-delete-" + who.name().toLowerCase()), null)));
        r.put("POST /api/v1/schedules/{id}/trigger", new Rule(operators, 201, who -> new Call("POST",
                "/api/v1/schedules/" + schedule("matrix-trigger-" + who.name().toLowerCase()) + "/trigger", null)));
        r.put("GET /api/v1/series", new Rule(readers, who -> new Call("GET", "/api/v1/series", null)));
        r.put("GET /api/v1/series/points", new Rule(readers, who -> new Call("GET",
                "/api/v1/series/points?kernel=sim:6.12-model&variant=clock-realtime&gapMs=10&buckets=50", null)));
        r.put("POST /api/v1/series", new Rule(operators, 201, who -> new Call("POST", "/api/v1/series", PATCH_SERIES)));
        r.put("GET /api/v1/series/{id}", new Rule(readers, who -> new Call("GET",
                "/api/v1/series/" + admin.post("/api/v1/series", PATCH_SERIES).json().path("id").asLong(), null)));
        r.put("GET /api/v1/series/submitted", new Rule(readers, who -> new Call("GET", "/api/v1/series/submitted", null)));
        // after the result row above: the owner's reports are the measurements compared here
        r.put("GET /api/v1/compare", new Rule(readers, who -> new Call("GET",
                "/api/v1/compare?base=sim:6.12-model&head=sim:6.12-model", null)));
        r.put("GET /api/v1/regressions", new Rule(readers, who -> new Call("GET", "/api/v1/regressions?state=ACTIVE", null)));
        r.put("GET /api/v1/regressions/{id}", new Rule(readers,
                who -> new Call("GET", "/api/v1/regressions/" + activeRegression(), null)));
        r.put("POST /api/v1/regressions/{id}/acknowledge", new Rule(operators, who -> new Call("POST",
                "/api/v1/regressions/" + activeRegression() + "/acknowledge", "{\"reason\":\"known issue\"}")));
        r.put("GET /api/v1/bisections", new Rule(readers, who -> new Call("GET", "/api/v1/bisections", null)));
        r.put("POST /api/v1/bisections", new Rule(operators, 201, who -> new Call("POST", "/api/v1/bisections", BISECTION)));
        r.put("GET /api/v1/bisections/{id}", new Rule(readers, who -> new Call("GET",
                "/api/v1/bisections/" + admin.post("/api/v1/bisections", BISECTION).json().path("id").asLong(), null)));
        r.put("GET /api/v1/tokens", new Rule(admins, who -> new Call("GET", "/api/v1/tokens", null)));
        r.put("POST /api/v1/tokens", new Rule(admins, 201, who -> new Call("POST", "/api/v1/tokens",
                "{\"role\":\"viewer\",\"name\":\"matrix\"}")));
        r.put("POST /api/v1/tokens/{id}/revoke", new Rule(admins, who -> new Call("POST",
                "/api/v1/tokens/" + admin.post("/api/v1/tokens", "{\"role\":\"viewer\"}").json().path("id").asLong()
                        + "/revoke", null)));
        return r;
    }

    /** A run the owner agent has finished: it has a report. */
    private long finishedRun() {
        queuedRun();
        JsonNode lease = admin.as(tokens.get(Who.OWNER_AGENT))
                .post("/api/v1/agents/" + ownerId + "/lease?waitSeconds=5", "").json();
        admin.as(tokens.get(Who.OWNER_AGENT)).post("/api/v1/leases/" + lease.path("token").asLong() + "/result", report());
        return lease.path("run").path("id").asLong();
    }

    private static String report() {
        return Json.MAPPER.writeValueAsString(SimReports.of(Variant.CLOCK_REALTIME, 10, 1));
    }

    @Test
    void every_endpoint_answers_each_caller_with_the_status_its_role_deserves() {
        Map<String, Rule> rules = rules();
        Set<String> documented = new TreeSet<>();
        admin.as(null).get("/v3/api-docs").json().path("paths").properties().forEach(path ->
                path.getValue().properties().forEach(op -> documented.add(op.getKey().toUpperCase() + " " + path.getKey())));
        assertThat(rules.keySet()).as("every documented endpoint has a row in the matrix")
                .containsExactlyInAnyOrderElementsOf(documented);

        List<String> wrong = check(rules);
        System.out.printf("authorization matrix: %d endpoints x %d callers = %d calls, %d wrong%n",
                rules.size(), Who.values().length, rules.size() * Who.values().length, wrong.size());
        assertThat(wrong).isEmpty();
    }

    /** Calls every rule as every caller; what did not answer as expected. Refusals must be problem+json. */
    private List<String> check(Map<String, Rule> rules) {
        List<String> wrong = new ArrayList<>();
        for (var entry : rules.entrySet()) {
            for (Who who : Who.values()) {
                Call call = entry.getValue().call().apply(who);
                Http.Response response = admin.as(tokens.get(who)).send(call.method(), call.path(), call.body());
                int expected = entry.getValue().expected(who);
                if (response.status() != expected) {
                    wrong.add(entry.getKey() + " as " + who + ": expected " + expected + ", got " + response.status()
                            + " " + response.body());
                } else if (expected == 401 || expected == 403) {
                    assertThat(response.contentType()).as(entry.getKey() + " as " + who).startsWith("application/problem+json");
                }
            }
        }
        return wrong;
    }

    /**
     * The actuator: health (and its probes), Prometheus and the API documentation are open to anyone, even with
     * a bad token; the rest of /actuator is for viewers and up, and an endpoint that is not exposed is 404 to
     * them, never open to the others.
     */
    @Test
    void the_actuator_and_the_api_documentation_answer_each_caller_as_the_readme_says() {
        Set<Who> everyone = EnumSet.allOf(Who.class);
        Set<Who> readers = EnumSet.of(Who.VIEWER, Who.OPERATOR, Who.ADMIN);
        Map<String, Rule> r = new LinkedHashMap<>();
        for (String open : List.of("/actuator/health", "/actuator/health/readiness", "/actuator/health/liveness",
                "/actuator/prometheus", "/v3/api-docs")) {
            r.put("GET " + open, new Rule(everyone, who -> new Call("GET", open, null)));
        }
        r.put("GET /actuator", new Rule(readers, who -> new Call("GET", "/actuator", null)));
        r.put("GET /actuator/info", new Rule(readers, who -> new Call("GET", "/actuator/info", null)));
        for (String hidden : List.of("/actuator/env", "/actuator/beans", "/actuator/heapdump", "/actuator/shutdown")) {
            r.put("GET " + hidden, new Rule(readers, 404, who -> new Call("GET", hidden, null)));
        }
        r.put("POST /actuator/shutdown", new Rule(readers, 404, who -> new Call("POST", "/actuator/shutdown", "")));

        List<String> wrong = check(r);
        System.out.printf("actuator matrix: %d paths x %d callers, %d wrong%n", r.size(), Who.values().length, wrong.size());
        assertThat(wrong).isEmpty();
    }

    @Test
    void a_revoked_agent_secret_stops_working_at_once() {
        JsonNode agent = enroll("matrix-revoked");
        Http asAgent = admin.as(agent.path("secret").asString());
        assertThat(asAgent.post("/api/v1/agents/" + agent.path("id").asLong() + "/lease?waitSeconds=0", "").status() / 100)
                .isEqualTo(2);

        admin.post("/api/v1/agents/" + agent.path("id").asLong() + "/revoke", "");

        assertThat(asAgent.post("/api/v1/agents/" + agent.path("id").asLong() + "/lease?waitSeconds=0", "").status())
                .isEqualTo(401);
    }
}
