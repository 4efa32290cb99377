package io.gapwatch.export;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import io.gapwatch.probe.sim.SimFaults;
import org.apache.maven.plugin.surefire.log.api.NullConsoleLogger;
import org.apache.maven.plugins.surefire.report.ReportTestCase;
import org.apache.maven.plugins.surefire.report.ReportTestSuite;
import org.apache.maven.plugins.surefire.report.TestSuiteXmlParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The three exports of one sweep's runs on two kernels: a pass, the negative control failing as it should, a
 * kernel that loses the gap (not as expected), a SKIP, a probe ERROR and a lab guest that never booted (MISS).
 */
class ExportFormatsTest {
    private static final Instant T0 = Instant.parse("2026-11-27T02:00:00Z");
    private static final String GOOD = "6.12.117+deb12-amd64";
    private static final String BAD = "6.12.118+deb12-amd64";

    private static ExportedRun run(long id, String kernel, ProbeReport report) {
        ProbeReport onKernel = report.withTarget(new TargetInfo("lab", kernel, "AMD EPYC", "tcg"));
        return new ExportedRun(id, "lab-1", onKernel, T0.plusSeconds(id * 10), T0.plusSeconds(id * 10 + 3));
    }

    private static ProbeRequest request(Variant v) {
        return new ProbeRequest(v, 10, 3, VerdictRules.defaults());
    }

    static final List<ExportedRun> SWEEP = List.of(
            run(1, GOOD, SimReports.of(Variant.CLOCK_REALTIME, 10, 3)),
            run(2, GOOD, SimReports.of(Variant.CLOCK_FROZEN, 10, 3)),
            run(3, GOOD, SimReports.of(Variant.CLOCK_GUEST, 10, 3)),
            run(4, BAD, SimReports.of(Variant.CLOCK_REALTIME, 10, 3, SimFaults.parse("lost-gap"))),
            run(5, BAD, ProbeReport.broken(request(Variant.CLOCK_FROZEN), null,
                    "KVM_SET_CLOCK failed: EINVAL (phase restore)", List.of())),
            run(6, BAD, ProbeReport.infrastructureError(request(Variant.CLOCK_REALTIME), null,
                    "the guest kernel panicked: VFS: Unable to mount root fs\n--- serial console ---\nKernel panic")));

    @Test
    void junit_xml_read_by_maven_surefires_parser_has_a_suite_per_kernel_and_a_case_per_run(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("TEST-gapwatch.xml");
        Files.writeString(file, JunitXml.write("gapwatch sweep 9", SWEEP));

        List<ReportTestSuite> suites = new TestSuiteXmlParser(new NullConsoleLogger()).parse(file.toString());

        assertThat(suites).extracting(ReportTestSuite::getFullClassName).containsExactly(GOOD, BAD);
        ReportTestSuite good = suites.get(0);
        ReportTestSuite bad = suites.get(1);
        assertThat(good.getNumberOfTests()).isEqualTo(3);
        assertThat(good.getNumberOfFailures()).as("clock-frozen failing is what it should do").isZero();
        assertThat(good.getNumberOfSkipped()).isEqualTo(1);
        assertThat(bad.getNumberOfTests()).isEqualTo(3);
        assertThat(bad.getNumberOfFailures()).isEqualTo(1);
        assertThat(bad.getNumberOfErrors()).isEqualTo(2);

        ReportTestCase pass = good.getTestCases().get(0);
        assertThat(pass.getName()).isEqualTo("clock-realtime.gap_10ms.run_1");
        assertThat(pass.isSuccessful()).isTrue();
        assertThat(pass.getTime()).isEqualTo(3.0f);
        assertThat(good.getTestCases().get(1).isSuccessful()).isTrue();
        ReportTestCase skip = good.getTestCases().get(2);
        assertThat(skip.hasSkipped()).isTrue();
        assertThat(skip.getFailureMessage()).contains("KVM_GET_CLOCK_GUEST");

        ReportTestCase lost = bad.getTestCases().get(0);
        assertThat(lost.hasFailure()).isTrue();
        assertThat(lost.getFailureMessage()).isEqualTo("verdict FAIL, expected PASS: 3 of 3 iterations failed");
        assertThat(lost.getFailureDetail()).contains("iteration 1: stealDelta").contains("bracket [");
        ReportTestCase error = bad.getTestCases().get(1);
        assertThat(error.hasError()).isTrue();
        assertThat(error.getFailureMessage()).isEqualTo("KVM_SET_CLOCK failed: EINVAL (phase restore)");
        assertThat(bad.getTestCases().get(2).getFailureType()).isEqualTo("MISS");
    }

    @Test
    void junit_xml_carries_every_measurement_as_a_property_and_escapes_what_it_quotes() {
        String xml = JunitXml.write("gapwatch run <1> & \"more\"", List.of(SWEEP.get(0)));

        for (String field : List.of("stealDeltaNs", "gapLowNs", "gapHighNs", "hostRunDelayNs", "errorNs", "withinBracket",
                "pass", "guestAreaAgrees")) {
            for (int i = 1; i <= 3; i++) {
                assertThat(xml).contains("<property name=\"iteration." + i + "." + field + "\" value=\"");
            }
        }
        assertThat(xml).contains("name=\"gapwatch run &lt;1&gt; &amp; &quot;more&quot;\"");
    }

    // KCIDB v5.3 (kcidb-io schema/v05_03.py): ids are "<origin>:...", origin [a-z0-9_]+, no nulls anywhere.
    private static final Pattern ORIGIN = Pattern.compile("^[a-z0-9_]+$");
    private static final Pattern ORIGIN_ID = Pattern.compile("^[a-z0-9_]+:.*$");
    private static final Pattern PATH = Pattern.compile("^[.a-zA-Z0-9_-]*$");
    private static final Set<String> STATUSES = Set.of("FAIL", "ERROR", "MISS", "PASS", "DONE", "SKIP");
    private static final Set<String> CHECKOUT_FIELDS = Set.of("id", "origin", "tree_name", "git_repository_url",
            "git_commit_hash", "git_commit_name", "git_commit_tags", "git_commit_message", "git_repository_branch",
            "git_repository_branch_tip", "patchset_files", "patchset_hash", "message_id", "comment", "start_time",
            "origin_builds_finish_time", "origin_tests_finish_time", "log_url", "log_excerpt", "valid", "misc");
    private static final Set<String> BUILD_FIELDS = Set.of("checkout_id", "id", "origin", "comment", "start_time",
            "duration", "architecture", "command", "compiler", "input_files", "output_files", "config_name", "config_url",
            "log_url", "log_excerpt", "status", "misc");
    private static final Set<String> TEST_FIELDS = Set.of("build_id", "id", "origin", "environment", "path", "comment",
            "log_url", "log_excerpt", "status", "number", "start_time", "duration", "input_files", "output_files", "misc");

    @Test
    void kcidb_follows_the_v5_3_schema_required_fields_types_and_enums() {
        JsonNode kcidb = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(Kcidb.write("gapwatch_ci", SWEEP)));

        assertThat(kcidb.path("version").path("major").asInt()).isEqualTo(5);
        assertThat(kcidb.path("version").path("minor").asInt()).isEqualTo(3);
        assertNoNulls(kcidb, "");
        assertThat(kcidb.path("checkouts")).hasSize(2);
        assertThat(kcidb.path("builds")).hasSize(2);
        assertThat(kcidb.path("tests")).hasSize(6);
        List<String> checkoutIds = new ArrayList<>();
        for (JsonNode c : kcidb.path("checkouts")) {
            assertObject(c, CHECKOUT_FIELDS, Set.of("id", "origin"));
            checkoutIds.add(c.path("id").asString());
        }
        List<String> buildIds = new ArrayList<>();
        for (JsonNode b : kcidb.path("builds")) {
            assertObject(b, BUILD_FIELDS, Set.of("checkout_id", "id", "origin"));
            assertThat(checkoutIds).contains(b.path("checkout_id").asString());
            buildIds.add(b.path("id").asString());
        }
        for (JsonNode t : kcidb.path("tests")) {
            assertObject(t, TEST_FIELDS, Set.of("build_id", "id", "origin"));
            assertThat(buildIds).contains(t.path("build_id").asString());
            assertThat(t.path("path").asString()).matches(PATH).startsWith("kselftest.kvm.xen_migration_test.");
            assertThat(STATUSES).contains(t.path("status").asString());
            assertThat(t.path("start_time").asString()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(t.path("duration").isNumber()).isTrue();
            assertThat(t.path("log_excerpt").asString().length()).isLessThanOrEqualTo(16384);
            assertThat(t.path("environment").properties()).extracting(Map.Entry::getKey).isSubsetOf("compatible", "comment", "misc");
            assertThat(t.path("environment").path("misc").path("kernel").isString()).isTrue();
            assertThat(t.path("environment").path("misc").path("backend").asString()).isEqualTo("lab");
            assertThat(t.path("environment").path("misc").path("accelerator").asString()).isEqualTo("tcg");
            assertThat(t.path("environment").path("misc").path("cpu").asString()).isEqualTo("AMD EPYC");
            assertThat(t.path("misc").isObject()).isTrue();
            if (t.has("number")) {
                assertThat(t.path("number").properties()).extracting(Map.Entry::getKey).isSubsetOf("value", "unit", "prefix");
                assertThat(t.path("number").path("value").isNumber()).isTrue();
                assertThat(t.path("number").path("unit").asString()).isEqualTo("ns");
            }
        }
    }

    @Test
    void kcidb_maps_each_verdict_to_a_status_and_carries_the_numbers() {
        JsonNode tests = Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(Kcidb.write("gapwatch", SWEEP))).path("tests");

        assertThat(tests).extracting(t -> t.path("status").asString())
                .containsExactly("PASS", "PASS", "SKIP", "FAIL", "ERROR", "MISS");
        JsonNode pass = tests.get(0);
        assertThat(pass.path("id").asString()).isEqualTo("gapwatch:run:1");
        assertThat(pass.path("path").asString()).isEqualTo("kselftest.kvm.xen_migration_test.clock-realtime.gap_10ms");
        long[] errors = SWEEP.get(0).report().measurements().stream().mapToLong(m -> m.errorNs()).sorted().toArray();
        assertThat(pass.path("number").path("value").asDouble()).isEqualTo((double) errors[1]);
        assertThat(pass.path("misc").path("measurements")).hasSize(3);
        assertThat(pass.path("misc").path("measurements").get(0).path("steal_delta_ns").asLong())
                .isEqualTo(SWEEP.get(0).report().measurements().get(0).stealDeltaNs());
        JsonNode frozen = tests.get(1);
        assertThat(frozen.path("misc").path("verdict").asString()).as("the verdict itself stays visible").isEqualTo("FAIL");
        assertThat(frozen.path("misc").path("expected_verdict").asString()).isEqualTo("FAIL");
        assertThat(tests.get(2).has("number")).as("a SKIP measured nothing").isFalse();
        assertThat(tests.get(2).path("misc").path("skip_reason").asString()).contains("KVM_GET_CLOCK_GUEST");
    }

    @Test
    void a_sweep_as_ktap_nests_kernels_runs_and_iterations() {
        String ktap = Ktap.writeSweep(9, SWEEP);
        List<String> top = ktap.lines().filter(l -> !l.startsWith(" ")).toList();

        assertThat(top).containsExactly("KTAP version 1", "# gapwatch sweep 9: 6 finished runs on 2 kernels", "1..2",
                "ok 1 " + GOOD, "not ok 2 " + BAD);
        List<String> kernelLevel = ktap.lines().filter(l -> l.startsWith("    ") && !l.startsWith("     ")).toList();
        assertThat(kernelLevel).contains("    # Subtest: " + GOOD, "    1..3",
                "    ok 1 clock-realtime.gap_10ms.run_1",
                "    ok 2 clock-frozen.gap_10ms.run_2",
                "    not ok 1 clock-realtime.gap_10ms.run_4",
                "    not ok 2 clock-frozen.gap_10ms.run_5 # ERROR KVM_SET_CLOCK failed: EINVAL (phase restore)");
        assertThat(kernelLevel).anyMatch(l -> l.startsWith("    ok 3 clock-guest.gap_10ms.run_3 # SKIP "));
        assertThat(ktap).contains("        KTAP version 1\n        # Subtest: clock-realtime.gap_10ms.run_1\n");
        assertThat(ktap.lines().filter(l -> l.matches(" {8}(not )?ok \\d+ iteration_\\d+.*")).count())
                .as("iterations of the measured runs, plus the ERROR point of each broken run").isEqualTo(3 + 3 + 3 + 1 + 1);
    }

    private static void assertObject(JsonNode node, Set<String> allowed, Set<String> required) {
        List<String> fields = new ArrayList<>();
        node.properties().forEach(e -> fields.add(e.getKey()));
        assertThat(fields).as("fields of %s", node).isSubsetOf(allowed).containsAll(required);
        assertThat(node.path("id").asString()).matches(ORIGIN_ID);
        assertThat(node.path("origin").asString()).matches(ORIGIN);
        assertThat(node.path("id").asString()).startsWith(node.path("origin").asString() + ":");
        if (node.has("misc")) {
            assertThat(node.path("misc").isObject()).isTrue();
        }
    }

    private static void assertNoNulls(JsonNode node, String where) {
        assertThat(node.isNull()).as("null at %s (KCIDB allows none)", where).isFalse();
        if (node.isObject()) {
            node.properties().forEach(e -> assertNoNulls(e.getValue(), where + "." + e.getKey()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                assertNoNulls(node.get(i), where + "[" + i + "]");
            }
        }
    }

}
