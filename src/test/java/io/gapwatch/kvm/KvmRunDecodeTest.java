package io.gapwatch.kvm;

import com.sun.jna.Memory;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Why KVM_RUN returned, read from a kvm_run page laid out as the kernel writes it. */
class KvmRunDecodeTest {
    /** What KVM_GET_VCPU_MMAP_SIZE answers on x86: kvm_run, the PIO data page, the coalesced MMIO ring. */
    private static final int MMAP_SIZE = 3 * 4096;

    private final Memory run = new Memory(MMAP_SIZE);

    KvmRunDecodeTest() {
        run.clear();
    }

    @Test
    void theGuestsOutToPort0x10IsAnIoExitWithItsPortAccess() {
        run.setInt(8, 2);
        run.setByte(32, (byte) 1);
        run.setByte(33, (byte) 1);
        run.setShort(34, (short) 0x10);
        run.setInt(36, 1);
        run.setLong(40, 4096);

        VcpuExit exit = KvmRun.decode(run);

        assertThat(exit.reason()).isEqualTo(ExitReason.IO.number);
        assertThat(exit.io()).isEqualTo(new VcpuExit.Io(VcpuExit.Io.OUT, 1, 0x10, 1, 4096));
        assertThat(exit.isOut(0x10)).isTrue();
        assertThat(exit.isOut(0x11)).isFalse();
        assertThat(exit).hasToString("KVM_EXIT_IO (2) OUT port 0x10 size 1 count 1");
    }

    @Test
    void aPortAbove0x7fffIsReadUnsigned() {
        run.setInt(8, 2);
        run.setShort(34, (short) 0xfffe);

        assertThat(KvmRun.decode(run).io().port()).isEqualTo(0xfffe);
    }

    @Test
    void anInPortAccessIsNotTheGuestsSync() {
        run.setInt(8, 2);
        run.setByte(32, (byte) 0);
        run.setShort(34, (short) 0x10);

        assertThat(KvmRun.decode(run).isOut(0x10)).isFalse();
    }

    @Test
    void aTripleFaultIsAShutdownWithNoPortAccess() {
        run.setInt(8, 8);
        run.setShort(34, (short) 0x10); // stale bytes of an earlier exit must not be read as I/O

        VcpuExit exit = KvmRun.decode(run);

        assertThat(exit.io()).isNull();
        assertThat(exit.isOut(0x10)).isFalse();
        assertThat(exit).hasToString("KVM_EXIT_SHUTDOWN (8)");
    }

    @Test
    void aFailedEntryCarriesTheHardwareReason() {
        run.setInt(8, 9);
        run.setLong(32, 0x80000021L);

        assertThat(KvmRun.decode(run)).hasToString("KVM_EXIT_FAIL_ENTRY (9) detail 0x80000021");
    }

    @Test
    void anInternalErrorCarriesItsSuberror() {
        run.setInt(8, 17);
        run.setInt(32, 1);
        run.setInt(36, 4); // ndata, not part of the suberror

        assertThat(KvmRun.decode(run).detail()).isEqualTo(1);
    }

    @Test
    void anUnknownExitCarriesTheHardwareExitReason() {
        run.setInt(8, 0);
        run.setLong(32, 0x7b);

        assertThat(KvmRun.decode(run)).hasToString("KVM_EXIT_UNKNOWN (0) detail 0x7b");
    }

    @Test
    void anExitReasonNewerThanThisCodeIsStillNamedByNumber() {
        run.setInt(8, 99);

        assertThat(KvmRun.decode(run)).hasToString("exit reason 99 (99)");
    }

    @Test
    void anUnexpectedExitSaysWhatHappenedAndWhatWasExpected() {
        run.setInt(8, 5);
        UnexpectedExitException e = new UnexpectedExitException(KvmRun.decode(run), "KVM_EXIT_IO OUT port 0x10");

        assertThat(e).hasMessage("KVM_RUN exited with KVM_EXIT_HLT (5), expected KVM_EXIT_IO OUT port 0x10");
        assertThat(e.ioctl()).isEqualTo("KVM_RUN");
        assertThat(e.errno()).as("KVM_RUN itself succeeded").isZero();
        assertThat(e.exit().reason()).isEqualTo(ExitReason.HLT.number);
    }
}
