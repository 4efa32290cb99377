package io.gapwatch.export;

import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KtapTest {
    @Test
    void aMultiLineErrorKeepsItsFirstLineOnTheTestPointAndTheRestAsDiagnostics() {
        ProbeReport report = ProbeReport.broken(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()),
                new TargetInfo("lab", "6.12.117+deb12-amd64", null, "tcg"),
                "the guest kernel panicked: Kernel panic - not syncing: VFS\n--- serial console, last 2 lines ---\n"
                        + "[    2.1] VFS: Unable to mount root fs\n[    2.2] Kernel panic - not syncing: VFS", List.of());
        assertThat(Ktap.write(report)).isEqualTo("""
                KTAP version 1
                # gapwatch migration-gap probe: variant=clock-realtime gapMs=10 iterations=1
                # target: backend=lab kernel=6.12.117+deb12-amd64 accelerator=tcg
                1..1
                not ok 1 iteration_1 # ERROR the guest kernel panicked: Kernel panic - not syncing: VFS
                # --- serial console, last 2 lines ---
                # [    2.1] VFS: Unable to mount root fs
                # [    2.2] Kernel panic - not syncing: VFS
                # verdict ERROR (expected PASS)
                """);
    }
}
