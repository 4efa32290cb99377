package io.gapwatch.probe;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.sim.SimFaults;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The guest writes its report with {@link ReportJson} and the host reads it with Jackson: what the host parses
 * is exactly what the guest wrote, field for field, and the text is the one Jackson itself would write.
 */
class ReportJsonTest {
    /** Every field set, the extremes of every number, and strings that need escaping. */
    private static final Measurement EXTREMES = new Measurement(Integer.MAX_VALUE, Long.MIN_VALUE, Long.MAX_VALUE,
            -1, 0, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MIN_VALUE, true, false, 1, -2, 3, 4);
    /** The guest area disagreeing and no run delay from the host (null). */
    private static final Measurement NULLS = new Measurement(-7, 5, 6, 1, 2, 3, 4, null, -5, false, true, 0, 0, 0, 0);
    private static final String AWKWARD = "quote \" backslash \\ slash / newline \n return \r tab \t bell \u0007 "
            + "backspace \b formfeed \f nul \u0000 unit separator \u001f delete \u007f µs ünïcödé 漢字 😀 \u2028 end";

    private static void assertRoundTrip(ProbeReport report) {
        String written = ReportJson.write(report);

        assertThat(Json.MAPPER.readValue(written, ProbeReport.class)).isEqualTo(report);
        assertThat(written).isEqualTo(Json.MAPPER.writeValueAsString(report));
    }

    @Test
    void a_judged_report_from_the_simulated_kernel_reads_back_equal_and_is_jacksons_text() {
        assertRoundTrip(SimReports.of(Variant.CLOCK_REALTIME, 10, 3));
        assertRoundTrip(SimReports.of(Variant.CLOCK_FROZEN, 5, 2));
        assertRoundTrip(SimReports.of(Variant.CLOCK_REALTIME, 5, 1, SimFaults.parse("pre-5.16")));
    }

    @Test
    void extreme_numbers_a_null_run_delay_and_a_disagreeing_guest_area_survive() {
        ProbeReport report = new ProbeReport(Variant.CLOCK_GUEST, Integer.MAX_VALUE, Integer.MIN_VALUE, true,
                new TargetInfo("lab", "6.12.117+deb12-rt-amd64", "AMD EPYC", "tcg"), ClockPath.CLOCK_GUEST,
                Verdict.FAIL, Verdict.PASS, false, null, null, List.of(EXTREMES, NULLS), null,
                new ProbeReport.Build("6.12.117-gw-3f2a9c01b7de", 1234.5678, false, "/var/lib/gapwatch/build.log"));

        assertRoundTrip(report);
        assertThat(Json.MAPPER.readTree(ReportJson.write(report)).path("measurements").get(1)
                .path("guestAreaAgrees").asBoolean(true)).isFalse();
    }

    @Test
    void every_nullable_field_null_and_no_measurements() {
        ProbeReport report = new ProbeReport(Variant.CLOCK_FROZEN, 1, 1, false, null, null, Verdict.SKIP,
                Verdict.FAIL, null, null, null, List.of(), null, null);

        assertRoundTrip(report);
        assertRoundTrip(new ProbeReport(Variant.CLOCK_FROZEN, 1, 1, false,
                new TargetInfo(null, null, null, null), null, Verdict.SKIP, Verdict.FAIL, null, null, null, null, null,
                new ProbeReport.Build(null, 0, true, null)));
    }

    @Test
    void strings_with_quotes_control_characters_and_non_ascii_text_are_read_back_unchanged() {
        TargetInfo target = new TargetInfo("kvm", AWKWARD, AWKWARD, AWKWARD);

        assertRoundTrip(ProbeReport.skipped(new ProbeRequest(Variant.CLOCK_GUEST, 10, 1, VerdictRules.defaults()),
                target, AWKWARD));
        assertRoundTrip(ProbeReport.broken(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()),
                target, ClockPath.KVM_CLOCK_REALTIME, AWKWARD, List.of(NULLS)));
        assertRoundTrip(ProbeReport.infrastructureError(
                new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()), target, AWKWARD));
        assertRoundTrip(ProbeReport.buildFailed(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2,
                VerdictRules.defaults()), target, AWKWARD, new ProbeReport.Build(AWKWARD, 0.1, false, AWKWARD)));
    }

    @Test
    void build_seconds_of_every_kind_read_back_unchanged() {
        ProbeReport base = SimReports.of(Variant.CLOCK_REALTIME, 10, 1);
        // NaN and the infinities are no JSON numbers: Jackson writes them as strings and reads them back; so does
        // ReportJson (a record's equals compares doubles as Double.compare does, NaN included).
        for (double seconds : new double[] {0.0, -0.0, 1e-7, 12.5, 1e21, Double.MIN_VALUE, Double.MAX_VALUE,
                Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            assertRoundTrip(base.withBuild(new ProbeReport.Build("6.12.117-gw-000000000000", seconds, false, "/b.log")));
        }
    }
}
