package io.gapwatch.probe.sim;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.RunstateData;
import io.gapwatch.kvm.Xen;
import io.gapwatch.probe.FakeHostClock;
import io.gapwatch.probe.XenVm;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kernel rules of spec/kvm-uapi.md that the simulated kernel models. */
class SimKernelTest {
    private final FakeHostClock clock = new FakeHostClock(0);
    private final SimKernel kernel = new SimKernel(clock, SimFaults.none());

    @Test
    void advertises_xen_shared_info_and_runstate_like_6_12_and_nothing_without_xen() {
        assertThat(kernel.xenCapabilities() & (Xen.CONFIG_SHARED_INFO | Xen.CONFIG_RUNSTATE)).isEqualTo(0xc);
        assertThat(new SimKernel(clock, SimFaults.parse("no-xen")).xenCapabilities()).isZero();
    }

    @Test
    void the_first_guest_entry_books_the_time_since_creation_as_offline_and_enters_running() throws KvmException {
        XenVm vm = kernel.createXenVm();
        clock.sleep(2_000_000);
        vm.run();

        RunstateData r = vm.getRunstate();
        assertThat(r.state()).isEqualTo(RunstateData.RUNNING);
        assertThat(r.timeOffline()).isEqualTo(2_000_000);
        assertThat(r.stateEntryTime()).isEqualTo(r.timeSum());
    }

    @Test
    void runstate_data_is_refused_with_einval_for_a_bad_state_or_a_broken_sum() throws KvmException {
        XenVm vm = kernel.createXenVm();
        clock.sleep(1_000_000);

        assertThatThrownBy(() -> vm.setRunstate(new RunstateData(4, 100, 100, 0, 0, 0)))
                .isInstanceOf(KvmException.class).hasMessageContaining("EINVAL");
        assertThatThrownBy(() -> vm.setRunstate(new RunstateData(1, 100, 50, 0, 0, 0)))
                .isInstanceOf(KvmException.class).hasMessageContaining("EINVAL");
        vm.setRunstate(new RunstateData(1, 100, 50, 50, 0, 0));
    }

    @Test
    void runstate_data_restored_before_the_clock_is_refused_because_kvmclock_is_behind_its_entry_time() throws KvmException {
        XenVm source = kernel.createXenVm();
        clock.sleep(50_000_000);
        source.run();
        ClockData saved = source.getClock();
        RunstateData runstate = source.getRunstate().asRunnable();

        XenVm destination = kernel.createXenVm(); // its kvmclock starts near 0
        assertThatThrownBy(() -> destination.setRunstate(runstate)).hasMessageContaining("EINVAL");

        destination.setClock(saved.withFlags(ClockData.REALTIME));
        destination.setRunstate(runstate);
    }

    @Test
    void get_clock_reports_realtime_only_once_the_vcpu_has_run() throws KvmException {
        XenVm vm = kernel.createXenVm();
        assertThat(vm.getClock().flags()).isZero();
        vm.run();
        assertThat(vm.getClock().has(ClockData.REALTIME)).isTrue();
    }

    @Test
    void set_clock_with_realtime_adds_the_elapsed_real_time_and_without_it_resumes_where_it_stopped() throws KvmException {
        XenVm source = kernel.createXenVm();
        clock.sleep(7_000_000);
        source.run();
        ClockData saved = source.getClock();
        clock.sleep(10_000_000); // the migration gap

        XenVm realtime = kernel.createXenVm();
        realtime.setClock(saved.withFlags(ClockData.REALTIME));
        XenVm frozen = kernel.createXenVm();
        frozen.setClock(saved.withFlags(0));

        assertThat(realtime.getClock().clockNs()).isEqualTo(saved.clockNs() + 10_000_000);
        assertThat(frozen.getClock().clockNs()).isEqualTo(saved.clockNs());
        assertThatThrownBy(() -> frozen.setClock(saved.withFlags(0x1))).hasMessageContaining("KVM_SET_CLOCK").hasMessageContaining("EINVAL");
    }

    @Test
    void adjust_clock_lists_the_flags_set_clock_accepts_from_5_16_and_only_tsc_stable_before() {
        assertThat(kernel.adjustClockFlags())
                .isEqualTo(ClockData.TSC_STABLE | ClockData.REALTIME | ClockData.HOST_TSC);
        assertThat(new SimKernel(clock, SimFaults.parse("pre-5.16")).adjustClockFlags()).isEqualTo(ClockData.TSC_STABLE);
    }

    @Test
    void before_5_16_set_clock_refuses_every_flag_and_get_clock_gives_no_realtime() throws KvmException {
        SimKernel pre516 = new SimKernel(clock, SimFaults.parse("pre-5.16"));
        assertThat(pre516.target().kernelRelease()).isEqualTo("sim:5.15-model");
        XenVm source = pre516.createXenVm();
        source.run();
        ClockData saved = source.getClock();
        assertThat(saved.flags()).isEqualTo(ClockData.TSC_STABLE);
        assertThat(saved.realtimeNs()).isZero();

        XenVm destination = pre516.createXenVm();
        assertThatThrownBy(() -> destination.setClock(saved)).hasMessageContaining("KVM_SET_CLOCK").hasMessageContaining("EINVAL");
        assertThatThrownBy(() -> destination.setClock(saved.withFlags(ClockData.REALTIME))).hasMessageContaining("EINVAL");
        destination.setClock(saved.withFlags(0));
        assertThat(destination.getClock().clockNs()).isEqualTo(saved.clockNs());
    }

    @Test
    void a_stale_guest_area_lacks_what_the_transition_just_booked() throws KvmException {
        XenVm vm = new SimKernel(clock, SimFaults.parse("stale-guest-area")).createXenVm();
        clock.sleep(30_000_000);
        vm.setRunstate(new RunstateData(RunstateData.RUNNABLE, 20_000_000, 15_000_000, 5_000_000, 0, 0));
        vm.run();

        assertThat(vm.getRunstate().timeRunnable()).isEqualTo(15_000_000);
        assertThat(vm.guestAreaRunnableNs()).isEqualTo(5_000_000);
    }

    @Test
    void guest_entry_books_kvmclock_now_minus_the_restored_entry_time_into_the_restored_state() throws KvmException {
        XenVm vm = kernel.createXenVm();
        clock.sleep(30_000_000);
        vm.setRunstate(new RunstateData(RunstateData.RUNNABLE, 20_000_000, 15_000_000, 5_000_000, 0, 0));
        vm.run();

        RunstateData r = vm.getRunstate();
        assertThat(r.timeRunnable()).isEqualTo(5_000_000 + 10_000_000);
        assertThat(vm.guestAreaRunnableNs()).isEqualTo(r.timeRunnable());
    }

    @Test
    void host_run_delay_while_running_is_moved_from_running_to_runnable() throws KvmException {
        XenVm vm = kernel.createXenVm();
        clock.sleep(1_000_000);
        vm.run();
        long runnableBefore = vm.getRunstate().timeRunnable();
        clock.sleep(4_000_000);
        clock.preempt(1_000_000);
        vm.run();

        RunstateData r = vm.getRunstate();
        assertThat(r.timeRunnable() - runnableBefore).isEqualTo(1_000_000);
        assertThat(r.stateEntryTime()).isEqualTo(r.timeSum());
    }

    @Test
    void the_proposed_clock_guest_ioctls_answer_einval_unless_the_kernel_has_them() throws KvmException {
        XenVm vm = kernel.createXenVm();
        assertThatThrownBy(vm::getClockGuest).hasMessageContaining("KVM_GET_CLOCK_GUEST").hasMessageContaining("EINVAL");

        XenVm patched = new SimKernel(clock, SimFaults.parse("clock-guest")).createXenVm();
        clock.sleep(1_000_000);
        PvclockTimeInfo pvti = patched.getClockGuest();
        XenVm fresh = new SimKernel(clock, SimFaults.parse("clock-guest")).createXenVm();
        // a new VM's TSC restarts near 0: behind the saved tsc_timestamp, so v6 refuses it
        assertThatThrownBy(() -> fresh.setClockGuest(pvti)).hasMessageContaining("EINVAL");
    }
}
