package io.gapwatch.probe.kvm;

import io.gapwatch.kvm.Errno;
import io.gapwatch.probe.CapabilityMissingException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A host that cannot give the probe a KVM is a SKIP with a reason an operator can act on. */
class KvmHypervisorTest {

    @Test
    void noDeviceIsACapabilityMissingNamingThePathAndEnoent() {
        assertThatThrownBy(() -> KvmHypervisor.open(Path.of("/nonexistent/kvm")))
                .isInstanceOf(CapabilityMissingException.class)
                .hasMessageContaining("/nonexistent/kvm")
                .hasMessageContaining("ENOENT (2)");
    }

    @Test
    void permissionDeniedPointsAtTheKvmGroup() {
        String reason = KvmHypervisor.openFailure(Path.of("/dev/kvm"), Errno.EACCES.number);

        assertThat(reason).contains("/dev/kvm", "EACCES (13)", "kvm group");
    }

    @Test
    void anyOtherOpenFailureStillNamesTheErrno() {
        assertThat(KvmHypervisor.openFailure(Path.of("/dev/kvm"), Errno.ENXIO.number))
                .isEqualTo("cannot open /dev/kvm: ENXIO (6)");
    }

    @Test
    void aDeviceThatIsNotKvmIsRefusedAndClosed() throws IOException {
        Path notKvm = Path.of("/dev/null");
        assertThatThrownBy(() -> KvmHypervisor.open(notKvm)).isInstanceOf(CapabilityMissingException.class);
        long before = openDescriptors();

        for (int i = 0; i < 50; i++) {
            assertThatThrownBy(() -> KvmHypervisor.open(notKvm))
                    .isInstanceOf(CapabilityMissingException.class)
                    .hasMessage("/dev/null is not a KVM device: KVM_GET_API_VERSION failed: ENOTTY (25)");
        }
        assertThat(openDescriptors() - before).as("descriptors leaked by 50 refused opens").isLessThan(50);
    }

    @Test
    void capabilitiesAreReportedWithTheirNames() {
        KvmCapabilities caps = new KvmCapabilities(12, 0xc);

        assertThat(caps.xenHvmFeatures()).containsExactly("SHARED_INFO", "RUNSTATE");
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
