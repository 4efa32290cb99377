package io.gapwatch.kvm;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Kernel refusals become KvmException(call, errno); what was opened or mapped is released, also on failure. */
class ErrnoAndResourcesTest {
    private static final int ATTEMPTS = 50;

    @Test
    void anErrnoIsNamedInTheMessage() {
        assertThat(new KvmException("KVM_RUN", Errno.EINTR)).hasMessage("KVM_RUN failed: EINTR (4)");
        assertThat(new KvmException("KVM_GET_CLOCK_GUEST", 22).errnoName()).isEqualTo("EINVAL");
        assertThat(new KvmException("KVM_RUN", 200)).hasMessage("KVM_RUN failed: errno 200 (200)");
    }

    @Test
    void aCallThatSucceededWithTheWrongAnswerHasNoErrno() {
        KvmException e = new KvmException("KVM_GET_MSRS(MSR 0x3b)", "processed 0 of 1 MSRs: the kernel refused it");

        assertThat(e.errno()).isZero();
        assertThat(e).hasMessage("KVM_GET_MSRS(MSR 0x3b) processed 0 of 1 MSRs: the kernel refused it");
    }

    @Test
    void openingAMissingDeviceReportsThePathAndEnoent() {
        KvmException e = catchThrowableOfType(KvmException.class, () -> Kvm.open(Path.of("/nonexistent/kvm")));

        assertThat(e.ioctl()).isEqualTo("open(/nonexistent/kvm)");
        assertThat(e.errno()).isEqualTo(Errno.ENOENT.number);
    }

    /** /dev/null opens like any device and answers every ioctl with ENOTTY: a real errno, captured by JNA. */
    @Test
    void anIoctlTheDeviceDoesNotKnowIsRefusedWithItsErrno() throws KvmException {
        try (Kvm notKvm = Kvm.open(Path.of("/dev/null"))) {
            assertThatThrownBy(notKvm::apiVersion)
                    .isInstanceOf(KvmException.class)
                    .hasMessage("KVM_GET_API_VERSION failed: ENOTTY (25)");
            assertThatThrownBy(notKvm::createVm)
                    .as("createVm asks for the vCPU mmap size before it creates anything")
                    .hasMessage("KVM_GET_VCPU_MMAP_SIZE failed: ENOTTY (25)");
        }
    }

    @Test
    void closingReleasesTheDescriptorEveryTime() throws Exception {
        Kvm.open(Path.of("/dev/null")).close(); // JNA's own files are opened by the first call
        long before = openDescriptors();
        for (int i = 0; i < ATTEMPTS; i++) {
            try (Kvm notKvm = Kvm.open(Path.of("/dev/null"))) {
                assertThatThrownBy(notKvm::createVm).isInstanceOf(KvmException.class);
            }
        }
        assertThat(openDescriptors() - before).as("descriptors left open by %d open/fail/close cycles", ATTEMPTS)
                .isLessThan(ATTEMPTS);
    }

    @Test
    void closingTwiceReleasesOnce() throws KvmException {
        Kvm kvm = Kvm.open(Path.of("/dev/null"));
        kvm.close();
        kvm.close();
        assertThatThrownBy(kvm::apiVersion).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void guestMemoryIsPageAlignedZeroedAndBoundsChecked() throws KvmException {
        Mapping mapping = Mapping.anonymous(2 * Mapping.PAGE_SIZE);
        GuestMemory memory = new GuestMemory(mapping);
        try {
            assertThat(memory.address() % Mapping.PAGE_SIZE).isZero();
            assertThat(memory.read(0, (int) memory.size())).containsOnly(0);

            memory.write(0x1000, new byte[] {(byte) 0xe6, 0x10, (byte) 0xf4});
            assertThat(memory.read(0x1000, 3)).containsExactly(0xe6, 0x10, 0xf4);

            assertThatThrownBy(() -> memory.write(0x1fff, new byte[2])).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> memory.read(-1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        } finally {
            memory.unmap();
        }
        assertThatThrownBy(() -> memory.read(0, 1)).as("no access after munmap").isInstanceOf(IllegalStateException.class);
    }

    @Test
    void guestMemoryMustBeWholePages() {
        assertThatThrownBy(() -> Mapping.anonymous(4095)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Mapping.anonymous(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCompatRunstateAreaHasTimeRunnableAtTwenty() throws KvmException {
        GuestMemory xenPages = new GuestMemory(Mapping.anonymous(2 * Mapping.PAGE_SIZE));
        try {
            xenPages.write(0x1000 + 4, longBytes(0x8000_0000_0000_1000L)); // state_entry_time, mid-update
            xenPages.write(0x1000 + 20, longBytes(45_266_979L));

            assertThat(CompatRunstateArea.timeRunnable(xenPages, 0x1000)).isEqualTo(45_266_979L);
            assertThatThrownBy(() -> CompatRunstateArea.timeRunnable(xenPages, 0x2000 - 40))
                    .as("the 44-byte area must fit in the slot").isInstanceOf(IndexOutOfBoundsException.class);
        } finally {
            xenPages.unmap();
        }
    }

    private static byte[] longBytes(long value) {
        byte[] bytes = new byte[8];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (value >>> (8 * i));
        }
        return bytes;
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }
}
