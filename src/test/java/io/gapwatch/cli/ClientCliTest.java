package io.gapwatch.cli;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.server.GapwatchServer;
import io.gapwatch.server.regressions.RegressionKind;
import io.gapwatch.server.regressions.RegressionRepository;
import io.gapwatch.server.regressions.RegressionState;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The client commands against a real server with real (sim) agents, as a CI job runs them: no terminal, so progress
 * is one line per change on stderr; exit codes are kselftest's; the server's refusals read as its detail and field.
 */
@SpringBootTest(classes = GapwatchServer.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClientCliTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    RegressionRepository regressionRepository;
    @TempDir
    static Path home;

    Http http;
    final List<Agent> agents = new ArrayList<>();

    @BeforeAll
    void startAgents() throws InterruptedException {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        agent("cli-model");
        // two simulated kernels; from 6.12.101 on the model loses the gap: a regression to find
        agent("cli-series", "--sim-kernels", "6.12.100,6.12.101", "--sim-faults-from", "6.12.101:lost-gap");
        while (http.get("/api/v1/agents").json().size() < 2) {
            Thread.sleep(50);
        }
    }

    private void agent(String name, String... options) {
        Credentials credentials = new Credentials(home.resolve(name + ".secret"), http.newToken("enrollment"));
        Agent agent = new Agent(name, new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool-" + name)), AgentCommand.executors("sim",
                Options.parse("agent", options, Set.of("sim-kernels", "sim-faults-from"), Set.of())), line -> { });
        agents.add(agent);
        new Thread(agent, name).start();
    }

    @AfterAll
    void stopAgents() {
        agents.forEach(Agent::stop);
    }

    private CliResult cli(String... args) {
        return cliAs(Map.of("GAPWATCH_SERVER", "http://127.0.0.1:" + port, "GAPWATCH_TOKEN", Http.ADMIN_TOKEN), args);
    }

    private CliResult cliAs(Map<String, String> env, String... args) {
        return CliResult.run(env, home, args);
    }

    @Test
    void run_wait_exits_with_the_kselftest_code_of_the_verdict() {
        CliResult pass = cli("run", "--variant", "clock-realtime", "--agent", "cli-model", "--iterations", "2", "--wait");
        CliResult negativeControl = cli("run", "--variant", "clock-frozen", "--agent", "cli-model", "--iterations", "2", "--wait");
        CliResult skip = cli("run", "--variant", "clock-guest", "--agent", "cli-model", "--iterations", "2", "--wait");
        CliResult regression = cli("run", "--variant", "clock-realtime", "--kernel", "sim:6.12.101", "--iterations", "2", "--wait");

        assertThat(pass.exit()).as(pass.toString()).isEqualTo(0);
        assertThat(pass.out()).contains("verdict   PASS (expected PASS, as expected)").contains("ITER  STEAL ms");
        assertThat(negativeControl.exit()).as("clock-frozen failing is what it should do").isEqualTo(0);
        assertThat(negativeControl.out()).contains("verdict   FAIL (expected FAIL, as expected)");
        assertThat(skip.exit()).isEqualTo(4);
        assertThat(skip.out()).contains("skipped   KVM_GET_CLOCK_GUEST");
        assertThat(regression.exit()).isEqualTo(1);
        assertThat(regression.out()).contains("verdict   FAIL (expected PASS, NOT as expected)");
    }

    @Test
    void off_a_terminal_progress_is_one_line_per_state_change_on_stderr() {
        CliResult r = cli("run", "--variant", "clock-realtime", "--agent", "cli-model", "--iterations", "3", "--wait",
                "--format", "json");

        long id = r.json().path("id").asLong();
        List<String> lines = r.err().lines().toList();
        assertThat(r.err()).doesNotContain("\r").doesNotContain("\033");
        assertThat(lines).as(r.err()).allMatch(l -> l.startsWith("run " + id + ": "));
        assertThat(lines).doesNotHaveDuplicates();
        assertThat(lines.get(lines.size() - 1)).isEqualTo("run " + id + ": COMPLETED PASS (expected PASS)");
        assertThat(r.json().path("measurements")).hasSize(3);
    }

    @Test
    void without_wait_run_queues_and_says_how_to_follow() {
        CliResult r = cli("run", "--variant", "clock-frozen", "--agent", "cli-model");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).matches("run \\d+ queued: clock-frozen at 10 ms, 5 iterations \\(gapwatch show \\d+; .*\\)\\n");
        assertThat(cli("run", "--variant", "clock-frozen", "--format", "junit").err())
                .contains("--format junit is the report of a finished run: add --wait");
    }

    @Test
    void runs_is_an_aligned_table_and_json_for_scripts() {
        cli("run", "--variant", "clock-frozen", "--agent", "cli-model", "--iterations", "3", "--wait");
        CliResult table = cli("runs", "--variant", "clock-frozen", "--limit", "5");
        CliResult json = cli("runs", "--variant", "clock-frozen", "--verdict", "FAIL", "--format", "json");

        assertThat(table.exit()).isZero();
        List<String> lines = table.out().lines().toList();
        String header = lines.get(0);
        assertThat(header).matches("RUN {2,}STATE .*"); // the id column is as wide as the longest id
        for (String column : List.of("STATE", "VERDICT", "VARIANT", "KERNEL", "AGENT")) {
            int at = header.indexOf(column);
            for (String row : lines.subList(1, lines.size() - 1)) {
                assertThat(row.charAt(at - 1)).as("column %s of %s", column, row).isEqualTo(' ');
                assertThat(row.charAt(at)).as("column %s of %s", column, row).isNotEqualTo(' ');
            }
        }
        assertThat(lines.subList(1, lines.size() - 1)).allMatch(l -> l.contains("clock-frozen") && l.contains("sim (simulated)"));
        assertThat(lines.get(lines.size() - 1)).matches("\\d+ of \\d+ runs");
        assertThat(json.json().isArray()).isTrue();
        assertThat(json.json()).isNotEmpty().allMatch(r -> r.path("verdict").asString().equals("FAIL"));
    }

    @Test
    void show_prints_a_finished_run_in_every_format(@TempDir Path dir) throws Exception {
        long id = cli("run", "--variant", "clock-realtime", "--agent", "cli-model", "--iterations", "2", "--wait",
                "--format", "json").json().path("id").asLong();

        CliResult text = cli("show", Long.toString(id));
        CliResult ktap = cli("show", Long.toString(id), "--format", "ktap");
        CliResult junit = cli("show", Long.toString(id), "--format", "junit");
        CliResult kcidb = cli("show", Long.toString(id), "--format", "kcidb", "--origin", "my_lab");

        assertThat(text.out()).startsWith("run " + id + ": COMPLETED clock-realtime at a 10 ms gap, 2 iterations")
                .contains("(sim backend: a model, not a kernel result)");
        assertThat(ktap.out()).startsWith("KTAP version 1\n").contains("1..2\n").contains("ok 2 iteration_2\n");
        Path xml = Files.writeString(dir.resolve("TEST-run.xml"), junit.out());
        List<ReportTestSuite> suites = new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
        assertThat(suites).hasSize(1);
        assertThat(suites.get(0).getNumberOfTests()).isEqualTo(1);
        assertThat(suites.get(0).getTestCases().get(0).isSuccessful()).isTrue();
        JsonNode test = kcidb.json().path("tests").get(0);
        assertThat(test.path("id").asString()).isEqualTo("my_lab:run:" + id);
        assertThat(test.path("status").asString()).isEqualTo("PASS");
        assertThat(test.path("environment").path("misc").path("simulated").asBoolean()).isTrue();
        assertThat(List.of(text.exit(), ktap.exit(), junit.exit(), kcidb.exit())).containsOnly(0);
    }

    @Test
    void the_servers_refusals_read_as_its_detail_and_field_never_a_stack_trace() {
        CliResult badGap = cli("run", "--variant", "clock-realtime", "--gap-ms", "0");
        CliResult unknownRun = cli("show", "987654");
        CliResult unservable = cli("run", "--variant", "clock-realtime", "--kernel", "4.19.0-0-amd64");
        CliResult badOrigin = cli("export", "kcidb", "--run", "1", "--origin", "Not An Origin");
        CliResult badToken = cliAs(Map.of("GAPWATCH_SERVER", "http://127.0.0.1:" + port, "GAPWATCH_TOKEN", "gw_a_wrong"), "agents");
        CliResult unreachable = cli("agents", "--server", "http://127.0.0.1:1");

        assertThat(badGap.err()).isEqualTo("gapwatch run: gapMs: must be between 1 and 60000 ms, was 0 (field: gapMs)\n");
        assertThat(unknownRun.err()).startsWith("gapwatch show: ").contains("987654");
        assertThat(unservable.err()).contains("no registered agent serves").endsWith("(field: target)\n");
        assertThat(badOrigin.err()).contains("(field: origin)");
        assertThat(badToken.err()).startsWith("gapwatch agents: ");
        assertThat(unreachable.err()).startsWith("gapwatch agents: cannot reach http://127.0.0.1:1 (from --server)");
        for (CliResult r : List.of(badGap, unknownRun, unservable, badOrigin, badToken, unreachable)) {
            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(r.err().lines().count()).as(r.err()).isEqualTo(1);
        }
    }

    @Test
    void a_wrong_command_line_is_a_usage_error_with_exit_2() {
        CliResult missing = cli("run", "--gap-ms", "10");
        CliResult notANumber = cli("run", "--variant", "clock-realtime", "--gap-ms", "ten");
        CliResult badFormat = cli("runs", "--format", "yaml");

        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required option: '--variant=<variant>'").contains("Usage: gapwatch run");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(badFormat.exit()).isEqualTo(2);
        assertThat(missing.err() + notANumber.err() + badFormat.err()).doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "sweep", "runs", "show", "agents", "compare", "regressions", "bisect", "schedules",
            "export"})
    void every_command_has_help(String command) {
        CliResult help = cli(command, "--help");

        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: gapwatch " + command).contains("--server=URL").contains("--token=T");
    }

    @Test
    void agents_and_schedules_are_tables() {
        // a cron that cannot come due while the tests run: the server stays alive for later test classes
        http.post("/api/v1/schedules", """
                {"name":"cli-nightly","cron":"0 2 1 1 *","timeZone":"UTC","matrix":{"backend":"sim"}}""");

        CliResult agentsTable = cli("agents");
        CliResult schedules = cli("schedules");

        assertThat(agentsTable.out().lines().findFirst().orElseThrow()).startsWith("AGENT  NAME");
        assertThat(agentsTable.out()).contains("cli-model").contains("sim:6.12-model (sim)")
                .contains("sim:6.12.100 (sim), sim:6.12.101 (sim)");
        assertThat(schedules.out()).startsWith("SCHEDULE  NAME").contains("cli-nightly").contains("0 2 1 1 *");
        assertThat(cli("agents", "--format", "json").json().size()).isEqualTo(2);
    }

    @Test
    void sweep_wait_shows_progress_then_the_grid_and_fails_on_a_regression() {
        CliResult r = cli("sweep", "--kernels", "sim:6.12.100,sim:6.12.101", "--variants", "clock-realtime,clock-frozen",
                "--iterations", "2", "--wait");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        List<String> progress = r.err().lines().toList();
        assertThat(progress).doesNotHaveDuplicates().allMatch(l -> l.matches("sweep \\d+: \\w+, \\d of 4 runs done.*"));
        assertThat(progress.get(progress.size() - 1)).matches("sweep \\d+: COMPLETED, 4 of 4 runs done \\(1 PASS, 3 FAIL\\)");
        List<String> grid = r.out().lines().toList();
        assertThat(grid.get(1)).matches("KERNEL +CLOCK-REALTIME 10MS +CLOCK-FROZEN 10MS");
        assertThat(grid.get(2)).matches("sim:6\\.12\\.100 +PASS +FAIL");
        assertThat(grid.get(3)).matches("sim:6\\.12\\.101 +FAIL! +FAIL");
    }

    @Test
    void a_sweep_without_regressions_passes_and_exports_for_ci(@TempDir Path dir) throws Exception {
        // 3 iterations: a single one of clock-frozen could pass when a preemption of the loaded machine hits it
        CliResult junit = cli("sweep", "--kernels", "sim:6.12.100", "--iterations", "3", "--wait", "--format", "junit");
        Path xml = Files.writeString(dir.resolve("TEST-sweep.xml"), junit.out());
        long sweepId = http.get("/api/v1/sweeps").json().path("items").get(0).path("id").asLong();
        CliResult export = cli("export", "kcidb", "--sweep", Long.toString(sweepId), "--output", dir.resolve("kcidb.json").toString());
        CliResult ktap = cli("export", "ktap", "--sweep", Long.toString(sweepId));

        assertThat(junit.exit()).as(junit.toString()).isZero();
        List<ReportTestSuite> suites = new TestSuiteXmlParser(new NullConsoleLogger()).parse(xml.toString());
        assertThat(suites).extracting(ReportTestSuite::getFullClassName).containsExactly("sim:6.12.100");
        assertThat(suites.get(0).getNumberOfTests()).isEqualTo(2);
        assertThat(suites.get(0).getNumberOfFailures()).isZero();
        assertThat(export.exit()).isZero();
        assertThat(export.err()).startsWith("gapwatch export: wrote ");
        JsonNode kcidb = io.gapwatch.cli.Json.MAPPER.readTree(Files.readString(dir.resolve("kcidb.json")));
        assertThat(kcidb.path("version").path("minor").asInt()).isEqualTo(3);
        assertThat(kcidb.path("tests")).hasSize(2);
        assertThat(ktap.out()).startsWith("KTAP version 1\n# gapwatch sweep " + sweepId + ": 2 finished runs on 1 kernel")
                .contains("\n1..1\n").endsWith("ok 1 sim:6.12.100\n");
    }

    /** Each column of an aligned table starts at its header's column in every row (lines between header and footer). */
    private static void assertAligned(List<String> header, List<String> columns, List<String> rows) {
        String h = header.get(0);
        for (String column : columns) {
            int at = h.indexOf(column);
            assertThat(at).as("column %s in %s", column, h).isPositive();
            for (String row : rows) {
                assertThat(row.charAt(at - 1)).as("column %s of %s", column, row).isEqualTo(' ');
                assertThat(row.charAt(at)).as("column %s of %s", column, row).isNotEqualTo(' ');
            }
        }
    }

    @Test
    void compare_is_a_table_per_series_and_json_and_fails_on_the_planted_regression() {
        // 10 iterations a side: enough for Mann-Whitney and Fisher to reach p < 0.001 on the lost gap
        for (String kernel : List.of("sim:6.12.100", "sim:6.12.101")) {
            CliResult run = cli("run", "--variant", "clock-realtime", "--kernel", kernel, "--iterations", "10", "--wait");
            assertThat(run.exit()).as(run.toString()).isIn(0, 1);
        }

        CliResult table = cli("compare", "sim:6.12.100", "sim:6.12.101", "--variant", "clock-realtime", "--gap-ms", "10");
        CliResult json = cli("compare", "sim:6.12.100", "sim:6.12.101", "--variant", "clock-realtime", "--format", "json");
        CliResult unknown = cli("compare", "sim:6.12.100", "sim:9.9.9");

        assertThat(table.exit()).as(table.toString()).isEqualTo(1);
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("compare sim:6.12.100 -> sim:6.12.101 (sim backend: a model, not a kernel result)");
        assertThat(lines.get(1)).startsWith("VARIANT         GAP    BACKEND  CATEGORY");
        assertAligned(lines.subList(1, 2), List.of("GAP", "BACKEND", "CATEGORY", "BASE n", "HEAD n", "BASE PASS", "HEAD PASS"),
                lines.subList(2, lines.size() - 1));
        assertThat(lines.get(2)).matches("clock-realtime +10 ms +sim +regression +\\d+ +\\d+ +100% +0% .*");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("1 regression");
        assertThat(json.exit()).isEqualTo(1);
        assertThat(json.json().path("series").get(0).path("category").asString()).isEqualTo("regression");
        assertThat(json.json().path("series").get(0).path("tests")).isNotEmpty();
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).startsWith("gapwatch compare: ").contains("no measurements of kernel 'sim:9.9.9'")
                .endsWith("(field: head)\n").doesNotContain("Exception");
        assertThat(unknown.out()).isEmpty();
    }

    @Test
    void regressions_is_a_table_filtered_by_state_and_json() {
        // DISMISSED: a final state, so the server's own confirmation poll leaves this row as it is
        long id = regressionRepository.insert(RegressionState.DISMISSED, RegressionKind.COMPARE, "sim:6.12.101", "6.12",
                "clock-realtime", 10, "sim", "sim:6.12.100", "sim:6.12.100", 10, null, null,
                "lost gap on sim:6.12.101", Instant.now()).id();

        CliResult table = cli("regressions", "--state", "dismissed");
        CliResult json = cli("regressions", "--format", "json");
        CliResult none = cli("regressions", "--state", "FIXED");
        CliResult badState = cli("regressions", "--state", "broken");

        assertThat(table.exit()).as(table.toString()).isZero();
        List<String> lines = table.out().lines().toList();
        assertThat(lines.get(0)).startsWith("REGRESSION  STATE      KIND     KERNEL");
        assertAligned(lines.subList(0, 1), List.of("STATE", "KIND", "KERNEL", "VARIANT", "GAP", "BACKEND", "BASELINE",
                "LAST GOOD", "BISECTION", "SEEN", "REASON"), lines.subList(1, lines.size() - 1));
        assertThat(lines.get(1)).startsWith(id + " ").contains("DISMISSED").contains("compare").contains("sim:6.12.101")
                .contains("10 ms").contains("sim (simulated)").endsWith("lost gap on sim:6.12.101");
        assertThat(lines.get(lines.size() - 1)).matches("\\d+ of \\d+ regressions");
        assertThat(json.exit()).isZero();
        assertThat(json.json().isArray()).isTrue();
        assertThat(json.json()).anyMatch(r -> r.path("id").asLong() == id && r.path("state").asString().equals("DISMISSED"));
        assertThat(none.out().lines().toList()).hasSize(2).last().isEqualTo("0 of 0 regressions");
        assertThat(badState.exit()).isEqualTo(1);
        assertThat(badState.err()).startsWith("gapwatch regressions: ").contains("'broken'").endsWith("(field: state)\n");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void bisect_wait_names_the_first_bad_kernel_and_says_when_the_range_is_clean() {
        CliResult found = cli("bisect", "sim:6.12.100", "sim:6.12.101", "--variant", "clock-realtime", "--gap-ms", "10",
                "--wait");
        CliResult clean = cli("bisect", "sim:6.12.100", "sim:6.12.101", "--variant", "clock-frozen", "--gap-ms", "10",
                "--wait", "--format", "json");
        CliResult unservable = cli("bisect", "sim:6.12.100", "sim:9.9.9", "--variant", "clock-realtime");

        assertThat(found.exit()).as(found.toString()).isZero();
        List<String> lines = found.out().lines().toList();
        assertThat(lines.get(0)).matches("bisection \\d+: FOUND, clock-realtime at 10 ms on sim \\(sim backend: a model, "
                + "not a kernel result\\), between sim:6\\.12\\.100 \\(good\\) and sim:6\\.12\\.101 \\(bad\\)");
        assertThat(lines.get(1)).isEqualTo("  first bad kernel: sim:6.12.101 (last good sim:6.12.100)");
        assertThat(lines.get(2)).startsWith("STEP  KERNEL        ROLE  RUNS");
        assertAligned(lines.subList(2, 3), List.of("KERNEL", "ROLE", "RUNS", "VERDICT", "DETAIL"), lines.subList(3, lines.size()));
        assertThat(lines.subList(3, lines.size())).hasSize(2);
        assertThat(lines.get(3)).matches("1 +sim:6\\.12\\.100 +good +\\d+, \\d+ +good +.*");
        assertThat(lines.get(4)).matches("2 +sim:6\\.12\\.101 +bad +\\d+, \\d+ +bad +.*");
        assertThat(found.err().lines().toList()).as(found.err()).doesNotHaveDuplicates()
                .allMatch(l -> l.matches("bisection \\d+: (RUNNING|FOUND), \\d steps(, last sim:6\\.12\\.10[01] (running|good|bad))?"))
                .last().asString().contains("FOUND, 2 steps, last sim:6.12.101 bad");

        assertThat(clean.exit()).as(clean.toString()).isZero();
        assertThat(clean.json().path("state").asString()).isEqualTo("FAILED");
        assertThat(clean.json().path("reason").asString()).contains("does not regress");

        assertThat(unservable.exit()).isEqualTo(1);
        assertThat(unservable.err()).startsWith("gapwatch bisect: ").contains("no registered agent serves kernel 'sim:9.9.9'")
                .endsWith("(field: bad)\n");
    }
}
