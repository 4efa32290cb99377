package io.gapwatch.agent;

import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.Variant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class SpoolTest {
    private static ProbeReport report() {
        return SimReports.of(Variant.CLOCK_REALTIME, 10, 2);
    }

    @Test
    void a_spooled_result_survives_a_new_spool_on_the_same_directory_intact(@TempDir Path dir) throws IOException {
        ProbeReport report = report();
        new Spool(dir).put(42, report);

        var pending = new Spool(dir).pending();

        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).token()).isEqualTo(42);
        assertThat(pending.get(0).report()).isEqualTo(report);
    }

    @Test
    void a_delivered_result_leaves_the_spool_and_a_refused_one_is_kept_aside_with_the_reason(@TempDir Path dir)
            throws IOException {
        Spool spool = new Spool(dir);
        spool.put(1, report());
        spool.put(2, report());

        spool.remove(1);
        spool.refuse(2, "409: lease token 2 is not current");

        assertThat(spool.pending()).isEmpty();
        assertThat(dir.resolve("refused/2.json")).exists();
        assertThat(Files.readString(dir.resolve("refused/2.why"))).contains("not current");
    }
}
