package io.gapwatch.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private void follow(Progress p) {
        p.show("run 7: QUEUED", "", 0.1);
        p.show("run 7: RUNNING on sim:6.12-model (sim, agent a)", ", iteration 1 of 3", 0.4);
        p.show("run 7: RUNNING on sim:6.12-model (sim, agent a)", ", iteration 2 of 3", 0.7);
        p.show("run 7: RUNNING on sim:6.12-model (sim, agent a)", ", iteration 3 of 3", 1.0);
        p.show("run 7: COMPLETED PASS (expected PASS)", "", 1.3);
        p.end();
    }

    @Test
    void a_ci_log_gets_one_line_per_state_change() {
        follow(new Progress(err, false));

        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo("""
                run 7: QUEUED
                run 7: RUNNING on sim:6.12-model (sim, agent a)
                run 7: COMPLETED PASS (expected PASS)
                """);
    }

    @Test
    void a_terminal_gets_one_line_redrawn_with_the_iteration_and_elapsed_time() {
        follow(new Progress(err, true));

        String drawn = bytes.toString(StandardCharsets.UTF_8);
        assertThat(drawn).contains("\r\033[Krun 7: RUNNING on sim:6.12-model (sim, agent a), iteration 2 of 3  0.7 s")
                .endsWith("\r\033[Krun 7: COMPLETED PASS (expected PASS)  1.3 s\n");
        assertThat(drawn.chars().filter(c -> c == '\n').count()).as("one line, redrawn in place").isEqualTo(1);
    }
}
