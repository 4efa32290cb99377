package io.gapwatch.server.metrics;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Fleet;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every query of the dashboards and rules, executed for real after a sim sweep started by a schedule (over a
 * kernel that over-accounts, so a regression follows) and a bisection of it: the metric names
 * against a running server's and agent's output, the SQL against the migrated schema as Grafana's read-only
 * role, and the PromQL through a real Prometheus that scrapes both. One server, one agent, one sweep.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DashboardQueriesTest {
    private static final String GRAFANA_PASSWORD = "grafana-test-password";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    StoredFactsMetrics storedFacts;
    @Value("${spring.datasource.url}")
    String databaseUrl;
    @TempDir
    static Path home;

    Http http;
    Agent agent;
    int agentMetricsPort;

    @BeforeAll
    void a_scheduled_sim_sweep_has_completed() throws Exception {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("dash-agent.secret"), http.newToken("enrollment"));
        agent = new Agent("dash-agent", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("t", new String[]{"--sim-kernels", "6.12.100,6.12.101",
                        // from 6.12.101 on the model books 30 ms too much: clock-frozen passes, a negative control
                        // regression at once
                        "--sim-faults-from", "6.12.101:extra-error-ns=30000000"},
                        Set.of("sim-kernels", "sim-faults-from"), Set.of())), line -> { });
        agentMetricsPort = agent.metrics().serve(new InetSocketAddress("127.0.0.1", 0));
        new Thread(agent, "dash-agent").start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (http.get("/api/v1/agents").json().isEmpty()) {
            assertThat(System.nanoTime()).as("the agent registered within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        // a sweep as the nightly schedule would start it, over two simulated kernels, every variant, two gaps (its
        // cron cannot come due while the tests run: the server stays alive for later test classes)
        Http.Response schedule = http.post("/api/v1/schedules", """
                {"name":"dash-nightly","cron":"0 2 1 1 *","timeZone":"UTC","enabled":true,
                 "matrix":{"backend":"sim","variants":["clock-realtime","clock-frozen","clock-guest"],"gapsMs":[5,10],
                           "iterations":3,"repeats":1}}""");
        assertThat(schedule.status()).as(schedule.body()).isEqualTo(201);
        Http.Response sweep = http.post("/api/v1/schedules/" + schedule.json().path("id").asLong() + "/trigger", "");
        assertThat(sweep.status()).as(sweep.body()).isEqualTo(201);
        long sweepId = sweep.json().path("id").asLong();
        await("sweep " + sweepId + " COMPLETED",
                () -> http.get("/api/v1/sweeps/" + sweepId).json().path("state").asString().equals("COMPLETED"));
        await("an ACTIVE regression after the sweep's analysis",
                () -> http.get("/api/v1/regressions?state=ACTIVE").json().path("total").asLong() > 0);
        Http.Response bisection = http.post("/api/v1/bisections", """
                {"good":"sim:6.12.100","bad":"sim:6.12.101","variant":"clock-frozen","gapMs":10,"backend":"sim","iterations":5}""");
        assertThat(bisection.status()).as(bisection.body()).isEqualTo(201);
        await("bisection " + bisection.json().path("id").asLong() + " finished", () -> !http.get("/api/v1/bisections/"
                + bisection.json().path("id").asLong()).json().path("state").asString().equals("RUNNING"));
        storedFacts.refresh();
    }

    private void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 180 s").isLessThan(until);
            Thread.sleep(250);
        }
    }

    @AfterAll
    void stopAgent() {
        agent.stop();
        agent.metrics().close();
    }

    private Set<String> exposedNames() {
        Set<String> names = new TreeSet<>(GrafanaConfig.exposedNames(http.as(null).get("/actuator/prometheus").body()));
        names.addAll(GrafanaConfig.exposedNames(agent.metrics().scrape()));
        return names;
    }

    private static List<GrafanaConfig.Query> everyPromql(List<Path> dashboards) {
        List<GrafanaConfig.Query> queries = new ArrayList<>();
        dashboards.forEach(d -> queries.addAll(GrafanaConfig.promql(d)));
        queries.addAll(GrafanaConfig.ruleExpressions());
        return queries;
    }

    @Test
    void every_metric_a_dashboard_or_rule_names_is_in_the_server_or_agent_output() {
        List<GrafanaConfig.Query> queries = everyPromql(GrafanaConfig.dashboards());
        Set<String> named = new TreeSet<>();
        queries.forEach(q -> named.addAll(GrafanaConfig.metricNames(q.text())));
        assertThat(named).contains("gapwatch_steal_error_seconds_bucket", "gapwatch_runs_queued", "gapwatch_agent_spool_depth",
                "gapwatch_sweep_last_success_timestamp_seconds", "gapwatch_regressions_active");

        assertThat(GrafanaConfig.missingMetrics(queries, exposedNames())).isEmpty();
    }

    @Test
    void a_dashboard_copy_with_a_misspelled_metric_fails_the_check(@TempDir Path tmp) throws IOException {
        Path broken = tmp.resolve("steal-accuracy.json");
        Files.writeString(broken, Files.readString(GrafanaConfig.DASHBOARDS.resolve("steal-accuracy.json"))
                .replace("gapwatch_steal_error_seconds_bucket", "gapwatch_steal_eror_seconds_bucket"));

        Map<String, String> missing = GrafanaConfig.missingMetrics(everyPromql(List.of(broken)), exposedNames());

        assertThat(missing).containsOnlyKeys("gapwatch_steal_eror_seconds_bucket");
        assertThat(missing.get("gapwatch_steal_eror_seconds_bucket")).contains("panel 1");
    }

    @Test
    void the_histograms_resolve_a_tenth_of_a_millisecond_to_a_second() {
        String exposition = http.as(null).get("/actuator/prometheus").body();
        for (String histogram : List.of("gapwatch_steal_delta_seconds_bucket", "gapwatch_steal_error_seconds_bucket")) {
            Set<Double> bounds = new TreeSet<>();
            exposition.lines().filter(l -> l.startsWith(histogram + "{") && l.contains("variant=\"clock-realtime\""))
                    .forEach(l -> {
                        String le = l.replaceAll(".*le=\"([^\"]+)\".*", "$1");
                        bounds.add(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le));
                    });
            assertThat(bounds).as(histogram).contains(0.0001, 0.001, 0.01, 0.1, 1.0, Double.POSITIVE_INFINITY);
        }
        assertThat(exposition).contains("gapwatch_runs_completed_total{").contains("kernel=\"sim:6.12.100\"")
                .contains("gap_ms=\"10\"").doesNotContain("run_id");
    }

    @Test
    void queue_depth_and_agents_are_what_the_database_holds_whoever_wrote_it() {
        // rows written behind this server's back, as another replica or an earlier process would have
        long run = jdbc.sql("""
                        INSERT INTO runs (state, variant, gap_ms, iterations, expected_verdict, max_attempts, created_at,
                                          requested_backend)
                        VALUES ('QUEUED', 'clock-realtime', 10, 1, 'PASS', 3, now(), 'kvm') RETURNING id""")
                .query(Long.class).single();
        jdbc.sql("""
                INSERT INTO agents (name, registered_at, last_seen_at, revoked_at) VALUES
                    ('gone-quiet', now() - interval '2 hours', now() - interval '1 hour', NULL),
                    ('revoked-one', now() - interval '2 hours', now() - interval '2 hours', now())""").update();
        try {
            storedFacts.refresh();
            String exposition = http.as(null).get("/actuator/prometheus").body();

            assertThat(sample(exposition, "gapwatch_runs_queued")).isEqualTo(1.0);
            assertThat(sample(exposition, "gapwatch_runs_running")).isEqualTo(0.0);
            assertThat(sample(exposition, "gapwatch_agents{state=\"connected\"}")).isEqualTo(1.0);
            assertThat(sample(exposition, "gapwatch_sweep_last_success_timestamp_seconds{schedule=\"dash-nightly\"}"))
                    .isGreaterThan(System.currentTimeMillis() / 1000.0 - 3600);
            assertThat(sample(exposition, "gapwatch_agents{state=\"stale\"}")).isEqualTo(1.0);
            assertThat(sample(exposition, "gapwatch_agents{state=\"revoked\"}")).isEqualTo(1.0);
        } finally {
            jdbc.sql("DELETE FROM runs WHERE id = :id").param("id", run).update();
            jdbc.sql("DELETE FROM agents WHERE name IN ('gone-quiet', 'revoked-one')").update();
            storedFacts.refresh();
        }
    }

    private static double sample(String exposition, String series) {
        return exposition.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                .orElseThrow(() -> new AssertionError("no sample " + series + " in:\n" + exposition));
    }

    @Test
    void every_sql_query_runs_as_the_read_only_grafana_role_and_every_panel_returns_rows() throws Exception {
        grafanaRole();
        try (Connection c = asGrafana()) {
            assertThat(c.getMetaData().getUserName()).isEqualTo("gapwatch_grafana");
            int checked = 0;
            for (Path dashboard : GrafanaConfig.dashboards()) {
                Map<String, List<String>> values = variableValues(c, dashboard);
                Set<String> singleValued = new HashSet<>();
                GrafanaConfig.variables(GrafanaConfig.read(dashboard)).forEach((name, v) -> {
                    if (!v.path("multi").asBoolean(false) && !v.path("includeAll").asBoolean(false)) {
                        singleValued.add(name);
                    }
                });
                for (GrafanaConfig.Query q : GrafanaConfig.sql(dashboard)) {
                    String sql = GrafanaConfig.substituteSql(q.text(), values, singleValued);
                    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
                        Set<String> columns = new HashSet<>();
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            columns.add(rs.getMetaData().getColumnLabel(i));
                        }
                        boolean rows = rs.next();
                        if (!q.format().equals("annotation")) {
                            assertThat(rows).as(q.where() + " returned no rows after the batch:\n" + sql).isTrue();
                        }
                        if (!q.format().equals("table")) {
                            assertThat(columns).as(q.where() + " needs a time column for Grafana").contains("time");
                        }
                    } catch (SQLException e) {
                        throw new AssertionError(q.where() + " failed: " + e.getMessage() + "\n" + sql, e);
                    }
                    checked++;
                }
            }
            assertThat(checked).isGreaterThan(5);
        }
    }

    @Test
    void the_grafana_role_cannot_read_credentials_or_write() throws Exception {
        grafanaRole();
        try (Connection c = asGrafana(); Statement s = c.createStatement()) {
            assertThat(c.getMetaData().getUserName()).isEqualTo("gapwatch_grafana");
            for (String forbidden : List.of("SELECT secret_hash FROM api_tokens", "SELECT secret_hash FROM agents",
                    "DELETE FROM runs", "UPDATE agents SET name = name")) {
                try {
                    s.execute(forbidden);
                    throw new AssertionError("gapwatch_grafana may run: " + forbidden);
                } catch (SQLException expected) {
                    assertThat(expected.getMessage()).containsAnyOf("permission denied", "read-only transaction");
                }
            }
        }
    }

    @Test
    void a_real_prometheus_scrapes_server_and_agent_evaluates_every_expression_and_returns_a_steal_quantile(
            @TempDir Path tmp) throws Exception {
        int promPort = Fleet.freePort();
        Path config = tmp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: ['%s']
                scrape_configs:
                  - job_name: gapwatch-server
                    metrics_path: /actuator/prometheus
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                  - job_name: gapwatch-agent
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(GrafanaConfig.RULES.resolve("gapwatch-alerts.yml").toAbsolutePath(), port, agentMetricsPort));
        Path log = tmp.resolve("prometheus.log");
        Process prometheus = new ProcessBuilder("prometheus", "--config.file=" + config,
                "--storage.tsdb.path=" + tmp.resolve("data"), "--web.listen-address=127.0.0.1:" + promPort)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            Http prom = new Http("http://127.0.0.1:" + promPort, null);
            awaitQuery(prom, "count(up{job=~\"gapwatch-server|gapwatch-agent\"} == 1) == 2", "both targets scraped", log);

            JsonNode quantile = awaitQuery(prom, "histogram_quantile(0.5, sum by (le) "
                    + "(gapwatch_steal_delta_seconds_bucket{kernel=\"sim:6.12.100\",variant=\"clock-realtime\",gap_ms=\"10\"}))", "a steal-delta median", log);
            double median = Double.parseDouble(quantile.get(0).path("value").get(1).asString());
            assertThat(median).as("median steal for a 10 ms gap, in seconds").isBetween(0.005, 0.05);
            JsonNode spool = awaitQuery(prom, "gapwatch_agent_spool_depth", "the agent's spool depth", log);
            assertThat(spool.get(0).path("value").get(1).asString()).isEqualTo("0");

            Map<String, List<String>> values = new HashMap<>();
            values.put("kernel", List.of("sim:6.12-model"));
            values.put("gap", List.of("5", "10"));
            values.put("variant", List.of("clock-realtime", "clock-frozen", "clock-guest"));
            values.put("backend", List.of("kvm", "lab", "sim"));
            for (GrafanaConfig.Query q : everyPromql(GrafanaConfig.dashboards())) {
                String expr = GrafanaConfig.substitutePromql(q.text(), values);
                JsonNode answer = query(prom, expr);
                assertThat(answer.path("status").asString()).as(q.where() + ": " + expr + " -> " + answer).isEqualTo("success");
            }

            JsonNode rules = prom.get("/api/v1/rules").json().path("data").path("groups");
            assertThat(rules).anySatisfy(g -> {
                assertThat(g.path("name").asString()).isEqualTo("gapwatch");
                assertThat(g.path("rules")).hasSize(GrafanaConfig.ruleExpressions().size())
                        .allSatisfy(r -> assertThat(r.path("health").asString()).as(r.toString()).isIn("ok", "unknown"));
            });
        } finally {
            prometheus.destroy();
            if (!prometheus.waitFor(20, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly().waitFor();
            }
        }
    }

    private static JsonNode query(Http prom, String expr) {
        return prom.get("/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8)).json();
    }

    /** Polls an instant query until it returns a non-empty vector; fails naming what it waited for. */
    private static JsonNode awaitQuery(Http prom, String expr, String what, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        String last = "(Prometheus not answering)";
        while (System.nanoTime() < deadline) {
            try {
                JsonNode answer = query(prom, expr);
                last = answer.toString();
                if (answer.path("data").path("result").size() > 0) {
                    return answer.path("data").path("result");
                }
            } catch (IllegalStateException | tools.jackson.core.JacksonException notReady) {
                last = notReady.toString();
            }
            Thread.sleep(250);
        }
        throw new AssertionError("Prometheus did not return " + what + " within 90 s (" + expr + "): " + last
                + "\nits log:\n" + Files.readString(log));
    }

    /** A connection as Grafana's data source makes it (the test URL may carry a user of its own: dropped). */
    private Connection asGrafana() throws SQLException {
        return DriverManager.getConnection(databaseUrl.replaceAll("([?&])user=[^&]*&?", "$1"), "gapwatch_grafana", GRAFANA_PASSWORD);
    }

    /** The read-only role, created by the administrator's script as in the README. */
    private void grafanaRole() throws IOException, SQLException {
        String script = Files.readString(Path.of("config/grafana/postgres-readonly-role.sql"))
                .replace(":'password'", "'" + GRAFANA_PASSWORD + "'");
        try (Connection c = DriverManager.getConnection(databaseUrl, TestDatabase.user(), TestDatabase.password());
             Statement s = c.createStatement()) {
            s.execute(script);
        }
    }

    /** The values Grafana would offer for each variable ("All"): query variables run their SQL. */
    private static Map<String, List<String>> variableValues(Connection c, Path dashboard) throws SQLException {
        Map<String, List<String>> values = new HashMap<>();
        for (var e : GrafanaConfig.variables(GrafanaConfig.read(dashboard)).entrySet()) {
            JsonNode v = e.getValue();
            if (v.path("type").asString().equals("custom")) {
                values.put(e.getKey(), GrafanaConfig.customValues(v));
                continue;
            }
            if (v.path("type").asString().equals("textbox")) {
                continue; // used in links only
            }
            List<String> found = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(v.path("query").asString())) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            assertThat(found).as("variable " + e.getKey() + " of " + dashboard.getFileName() + " offers values").isNotEmpty();
            values.put(e.getKey(), GrafanaConfig.selected(v, found));
        }
        return values;
    }
}
