package io.gapwatch.lab;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.client.PatchFiles;
import io.gapwatch.export.Ktap;
import io.gapwatch.probe.Measurement;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Kernels the lab really builds from the Debian source of 6.12.117 with its own config, booted with the packaged
 * jar's probe inside: the unpatched base accounts the gap within the bracket; with the fixture series up to its
 * patch 2 (3 ms booked to RUNSTATE_runnable on each transition out of it) the seed's bound still passes but every
 * iteration misses the bracket by 3 ms per transition. The first run builds (minutes: the base from an empty object
 * directory, then patch 2 incrementally); later runs on the same $GAPWATCH_HOME reuse both kernels.
 */
@Tag("lab")
class KernelBuildLabTest {
    static final String BASE = "6.12.117";
    static final Path SERIES = Path.of("src/test/resources/patches/steal-3ms");

    static KernelLab lab;

    @BeforeAll
    static void theLabCanBuild() {
        lab = KernelLab.fromEnvironment();
        try {
            lab.check();
        } catch (LabException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the kernel lab cannot start: " + e.getMessage());
            }
            Assumptions.abort("the kernel lab cannot start here: " + e.getMessage());
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.MINUTES) // a cold build on a busy 2-core machine, then an incremental one
    void the_base_passes_within_the_bracket_and_patch_2_passes_the_seeds_bound_but_books_3_ms_too_much() throws Exception {
        BuildRecipe series = BuildRecipe.of(BASE, PatchFiles.read(SERIES), "");

        KernelBuilds.Built base = build(series.prefix(0));
        ProbeReport good = run(base, 3);
        KernelBuilds.Built patched = build(series.prefix(2));
        ProbeReport bad = run(patched, 3);

        assertThat(good.target().kernelRelease()).isEqualTo(series.prefix(0).release());
        assertThat(good.verdict()).as(good.error()).isEqualTo(Verdict.PASS);
        // most, not all: the guest cannot see the real host stall QEMU, which books such a stall as steal
        assertThat(good.measurements()).hasSize(3).filteredOn(Measurement::withinBracket).hasSizeGreaterThanOrEqualTo(2);
        assertThat(bad.target().kernelRelease()).isEqualTo(series.prefix(2).release());
        assertThat(bad.verdict()).as("the seed's bound does not see 3 ms: " + bad.error()).isEqualTo(Verdict.PASS);
        // Only the error sees it. How many iterations fall outside the bracket depends on the machine's load (the
        // bracket widens with the host's run delay), so the error, not that count, is held to a bound.
        assertThat(bad.measurements()).hasSize(3);
        System.out.printf(Locale.ROOT, "patch 2: %d of 3 iterations outside the bracket%n",
                bad.measurements().stream().filter(m -> !m.withinBracket()).count());
        double extraMs = (mean(bad) - mean(good)) / 1e6;
        // 3 ms per transition out of runnable, one or two of them per iteration (measured: +5.6..+6.0 ms against -2.1..-0.2)
        assertThat(extraMs).as("errorNs of patch 2 over the base, ms").isBetween(2.0, 10.0);
    }

    private static KernelBuilds.Built build(BuildRecipe recipe) throws Exception {
        KernelBuilds.Built built = lab.builds().build(recipe, p -> { });
        System.out.printf(Locale.ROOT, "build %s (%d patches): %s%n", built.kernel().release(), recipe.patches().size(),
                built.reused() ? "reused" : String.format(Locale.ROOT, "built in %.1f s", built.took().toMillis() / 1000.0));
        return built;
    }

    private static ProbeReport run(KernelBuilds.Built kernel, int iterations) {
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, iterations, VerdictRules.defaults());
        ProbeReport report = lab.run(kernel.kernel(), request, KernelLab.defaultTimeout(request), line -> { });
        System.out.print(Ktap.write(report));
        return report;
    }

    private static double mean(ProbeReport report) {
        List<Measurement> m = report.measurements();
        return m.stream().mapToLong(Measurement::errorNs).average().orElseThrow();
    }
}
