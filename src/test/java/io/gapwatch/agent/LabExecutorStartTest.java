package io.gapwatch.agent;

import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * The lab agent's executor: one target per kernel, every kernel resolved when the agent starts (so no run pays
 * for a download), and a kernel that cannot run the probe reported as the run's SKIP or ERROR, never thrown. The kernels here are already
 * in the cache (fake trees, no download); no guest really boots. Tagged {@code lab}: checking the lab builds
 * the guest's runtime from the packaged jar ({@code -Dgapwatch.jar}, set in the integration-test phase).
 */
@Tag("lab")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LabExecutorStartTest {
    static final String K1 = "6.1.0-998-amd64";
    static final String K2 = "6.12.998+deb12-amd64";

    @TempDir
    Path home;
    KernelLab lab;

    @BeforeEach
    void aLabWithTwoCachedKernels() throws IOException {
        String jar = System.getProperty("gapwatch.jar");
        try {
            if (jar == null || jar.isBlank()) {
                throw new LabException("no -Dgapwatch.jar: run it in the integration-test phase, after packaging");
            }
            lab = new KernelLab(home, Path.of(jar));
            lab.check();
        } catch (LabException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the kernel lab cannot start: " + e.getMessage());
            }
            Assumptions.abort(e.getMessage());
        }
        for (String release : List.of(K1, K2)) {
            Path root = home.resolve("kernels").resolve(release).resolve("root");
            Files.createDirectories(root.resolve("boot"));
            Files.writeString(root.resolve("boot/vmlinuz-" + release), "not a kernel");
            Files.createDirectories(root.resolve("lib/modules/" + release + "/kernel"));
        }
    }

    @Test
    void eachKernelIsATargetOfTheLabBackendInTheOrderGiven() throws LabException {
        LabExecutor executor = LabExecutor.open(lab, List.of(K2, K1));
        String accelerator = lab.accelerator().id();
        assertThat(executor.targets()).containsExactly(
                new TargetInfo("lab", K2, lab.accelerator().cpu(), accelerator),
                new TargetInfo("lab", K1, lab.accelerator().cpu(), accelerator));
    }

    @Test
    void aKernelThatCannotBeResolvedStopsTheAgentFromStartingAndIsNamed() {
        assertThatThrownBy(() -> LabExecutor.open(lab, List.of(K1, "not-a-kernel")))
                .isInstanceOf(LabException.class).hasMessageContaining("'not-a-kernel' is neither a Debian kernel release");
    }

    @Test
    void aKernelThatCannotRunTheProbeIsTheRunsVerdictWithAReasonNotAnException() throws LabException {
        LabExecutor executor = LabExecutor.open(lab, List.of(K1, K2));
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults());

        ProbeReport report = executor.execute(executor.targets().get(1), request, (done, total) -> { });

        // a kernel without what the probe needs is unfit (SKIP, with the reason); a broken boot would be ERROR
        assertThat(report.verdict()).isIn(Verdict.SKIP, Verdict.ERROR);
        assertThat(report.verdict() == Verdict.SKIP ? report.skipReason() : report.error()).as("the reason").isNotBlank();
        assertThat(report.target().backend()).isEqualTo("lab");
        assertThat(report.target().kernelRelease()).isEqualTo(K2);
        assertThat(report.measurements()).isEmpty();
    }

    /**
     * bin/gapwatch starts an agent with a small heap (-Xmx64m, the serial collector: under 128 MB of RSS beside the
     * workloads it measures). On a fresh home the lab agent builds the guest's runtime as it starts: jlink, run inside
     * that heap, failed with an OutOfMemoryError ("the kernel lab cannot start: jlink failed (exit 4)"). Here the agent
     * gets past the lab's start to its first call to a server (which is not there).
     */
    @Test
    void aLabAgentWithTheLaunchersSmallHeapBuildsTheGuestRuntimeOnAFreshHome() throws Exception {
        Path fresh = Files.createDirectories(home.resolve("fresh"));
        Files.move(home.resolve("kernels"), fresh.resolve("kernels"));
        String jar = System.getProperty("gapwatch.jar");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:+UseSerialGC", "-Dgapwatch.jar=" + jar, "-jar", jar, "agent",
                "--server", "http://127.0.0.1:9", "--token", "gw_e_no-server-here", "--backend", "lab", "--kernels", K1)
                .redirectErrorStream(true).redirectOutput(home.resolve("agent.log").toFile());
        pb.environment().put("GAPWATCH_HOME", fresh.toString());
        Process agent = pb.start();
        try {
            Path log = home.resolve("agent.log");
            while (!Files.readString(log).contains("server unavailable")) {
                assertThat(agent.isAlive()).as("the agent is still starting; it printed:%n%s", Files.readString(log)).isTrue();
                Thread.sleep(200);
            }
            try (var built = Files.list(fresh.resolve("lab"))) {
                assertThat(built.map(p -> p.getFileName().toString()))
                        .as("the guest's runtime, built by the agent").anyMatch(n -> n.matches("guest-[0-9a-f]+\\.cpio"));
            }
        } finally {
            agent.destroyForcibly().waitFor();
        }
    }
}
