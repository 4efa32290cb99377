package io.gapwatch.server.web;

import io.gapwatch.probe.Verdict;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every list endpoint answers to page, size and state parameters. */
class ListParamsTest {

    @Test
    void a_page_counts_from_zero_and_a_size_is_one_to_the_endpoints_most() {
        assertThatNoException().isThrownBy(() -> ListParams.requirePage(0, 1, 100));
        assertThatNoException().isThrownBy(() -> ListParams.requirePage(7, 100, 100));
        assertThatThrownBy(() -> ListParams.requirePage(-1, 20, 100)).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(e.problems()).containsExactly(new FieldProblem("page", "must be 0 or more, was -1")));
        assertThatThrownBy(() -> ListParams.requirePage(0, 0, 100)).isInstanceOfSatisfying(InvalidRequestException.class,
                e -> assertThat(e.problems()).containsExactly(new FieldProblem("size", "must be between 1 and 100, was 0")));
        assertThatThrownBy(() -> ListParams.requirePage(0, 101, 100)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void a_state_is_named_in_any_case_and_an_unknown_one_is_refused_with_the_known_ones() {
        assertThat(ListParams.oneOf("verdict", "fail", Verdict.class)).isEqualTo(Verdict.FAIL);
        assertThat(ListParams.oneOf("verdict", null, Verdict.class)).isNull();
        assertThatThrownBy(() -> ListParams.oneOf("verdict", "flaky", Verdict.class))
                .isInstanceOfSatisfying(InvalidRequestException.class, e -> assertThat(e.problems()).containsExactly(
                        new FieldProblem("verdict", "'flaky' is not one of [PASS, FAIL, SKIP, ERROR]")));
    }
}
