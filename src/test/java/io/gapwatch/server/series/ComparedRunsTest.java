package io.gapwatch.server.series;

import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.web.FieldProblem;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The fields a bisection and a patch series are asked for with, checked the same way for both. */
class ComparedRunsTest {
    private static final AnalysisProperties ANALYSIS = new AnalysisProperties(null, null, null, null, null, 5, null,
            null, null, 10, null, null);

    private static List<String> fieldsRefused(String variant, Integer gapMs, Integer iterations, Variant defaultVariant) {
        List<FieldProblem> problems = new ArrayList<>();
        ComparedRuns.of(variant, gapMs, iterations, defaultVariant, ANALYSIS, problems);
        return problems.stream().map(FieldProblem::field).toList();
    }

    @Test
    void what_is_left_out_is_the_default_gap_and_the_confirmation_iterations() {
        List<FieldProblem> problems = new ArrayList<>();
        ComparedRuns runs = ComparedRuns.of(null, null, null, Variant.CLOCK_REALTIME, ANALYSIS, problems);

        assertThat(problems).isEmpty();
        assertThat(runs).isEqualTo(new ComparedRuns("clock-realtime", ProbeRequest.DEFAULT_GAP_MS, 10));
    }

    @Test
    void a_variant_is_required_where_there_is_no_default() {
        assertThat(fieldsRefused(null, 10, 10, null)).containsExactly("variant");
        assertThat(fieldsRefused("clock-frozen", 10, 10, null)).isEmpty();
    }

    @Test
    void each_bad_field_is_named_at_once() {
        assertThat(fieldsRefused("no-such-variant", 0, 4, Variant.CLOCK_REALTIME))
                .containsExactly("variant", "gapMs", "iterations");
        assertThat(fieldsRefused(null, ProbeRequest.MAX_GAP_MS + 1, ProbeRequest.MAX_ITERATIONS + 1, Variant.CLOCK_REALTIME))
                .containsExactly("gapMs", "iterations");
    }

    @Test
    void fewer_iterations_than_a_comparison_needs_are_refused_with_that_reason() {
        List<FieldProblem> problems = new ArrayList<>();
        ComparedRuns.of("clock-realtime", 10, 4, null, ANALYSIS, problems);

        assertThat(problems).singleElement().extracting(FieldProblem::message).asString()
                .isEqualTo("must be between 5 (fewer cannot be compared) and " + ProbeRequest.MAX_ITERATIONS + ", was 4");
    }
}
