package io.gapwatch.agent;

import io.gapwatch.lab.KernelImage;
import io.gapwatch.lab.KernelLab;
import io.gapwatch.lab.LabException;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A lab target given as a path runs that image and no other (issue 8 item 4): a self-built kernel named like
 * a Debian release must not be swapped for the stock package of that name. Boots a kernel (tag {@code lab}).
 */
@Tag("lab")
class LabExecutorTest {
    @TempDir
    Path tmp;

    @Test
    void aRenamedCopyOfADebianImageRunsThatImageNotTheReleaseItsNameSays() throws Exception {
        KernelLab lab = KernelLab.fromEnvironment();
        KernelImage stock;
        try {
            lab.check();
            stock = lab.resolve("6.1.0-56-amd64");
        } catch (LabException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the kernel lab cannot start: " + e.getMessage());
            }
            Assumptions.abort("the kernel lab cannot start here: " + e.getMessage());
            return;
        }
        // 6.1.0-56 laid out as if it were 6.12.117+deb12-amd64, the way a patched build with Debian naming looks.
        Path copy = tmp.resolve("boot/vmlinuz-6.12.117+deb12-amd64");
        Files.createDirectories(copy.getParent());
        Files.copy(stock.vmlinuz(), copy);
        Files.createDirectories(tmp.resolve("lib/modules"));
        Files.createSymbolicLink(tmp.resolve("lib/modules/6.12.117+deb12-amd64"), stock.modulesDir());

        LabExecutor executor = LabExecutor.open(lab, List.of(copy.toString()));
        assertThat(executor.targets()).extracting(TargetInfo::kernelRelease)
                .as("the release the image says it is").containsExactly("6.1.0-56-amd64");
        ProbeReport report = executor.execute(executor.targets().get(0),
                new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()), (done, total) -> { });

        // The copy is 6.1 (no CONFIG_KVM_XEN): SKIP, with 6.1's uname. The stock 6.12.117 would PASS.
        assertThat(report.target().kernelRelease()).as("uname in the guest").isEqualTo("6.1.0-56-amd64");
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_CAP_XEN_HVM");
    }
}
