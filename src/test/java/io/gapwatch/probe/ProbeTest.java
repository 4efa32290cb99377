package io.gapwatch.probe;

import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.RunstateData;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.OptionalLong;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The procedure of the seed, executed against the simulated kernel with a clock the test controls. */
class ProbeTest {
    private final FakeHostClock clock = new FakeHostClock(1_000);

    private ProbeReport run(SimFaults faults, Variant variant, int iterations, boolean strict) {
        return run(faults, variant, 10, iterations, strict);
    }

    private ProbeReport run(SimFaults faults, Variant variant, int gapMs, int iterations, boolean strict) {
        Probe probe = new Probe(new SimKernel(clock, faults, new Random(7)), clock);
        return probe.run(new ProbeRequest(variant, gapMs, iterations, new VerdictRules(1_000_000, strict)));
    }

    @Test
    void clock_realtime_carries_the_gap_into_steal_time_within_the_bracket() {
        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_REALTIME, 3, false);

        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.asExpected()).isTrue();
        assertThat(report.target().kernelRelease()).startsWith("sim:");
        assertThat(report.measurements()).hasSize(3).allSatisfy(m -> {
            assertThat(m.pass()).isTrue();
            assertThat(m.withinBracket()).isTrue();
            assertThat(m.stealDeltaNs()).isBetween(m.gapLowNs(), m.gapHighNs());
            assertThat(m.gapLowNs()).isGreaterThanOrEqualTo(10_000_000);
            assertThat(m.guestAreaRunnableNs()).isEqualTo(m.restoredRunnableNs());
            assertThat(m.createNs()).isPositive();
            assertThat(m.runNs()).isPositive();
        });
    }

    @Test
    void clock_frozen_loses_the_gap_and_fails_as_the_negative_control_expects() {
        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_FROZEN, 2, false);

        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.expectedVerdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isTrue();
        assertThat(report.measurements()).allSatisfy(m -> {
            assertThat(m.stealDeltaNs()).isLessThan(1_000_000);
            assertThat(m.withinBracket()).isFalse();
        });
    }

    @ParameterizedTest(name = "gap {0} ms")
    @ValueSource(ints = {5_200, 60_000})
    void gaps_of_five_seconds_and_more_pass_clock_realtime_within_the_bracket(int gapMs) {
        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_REALTIME, gapMs, 2, true);

        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.asExpected()).isTrue();
        assertThat(report.measurements()).allSatisfy(m -> {
            assertThat(m.pass()).isTrue();
            assertThat(m.withinBracket()).isTrue();
            assertThat(m.stealDeltaNs()).isGreaterThanOrEqualTo(gapMs * 1_000_000L);
        });
    }

    @ParameterizedTest(name = "gap {0} ms")
    @ValueSource(ints = {5_200, 60_000})
    void at_long_gaps_clock_frozen_still_fails_because_the_gap_is_lost(int gapMs) {
        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_FROZEN, gapMs, 2, false);

        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isTrue();
        assertThat(report.measurements()).allSatisfy(m -> {
            assertThat(m.pass()).isFalse();
            assertThat(m.stealDeltaNs()).isLessThan(gapMs * 1_000_000L).isLessThan(1_000_000);
        });
    }

    @Test
    void on_a_5_16_or_later_kernel_clock_realtime_takes_the_kvm_clock_realtime_path_and_says_so() {
        assertThat(run(SimFaults.none(), Variant.CLOCK_REALTIME, 1, false).clockPath()).isEqualTo(ClockPath.KVM_CLOCK_REALTIME);
        assertThat(run(SimFaults.none(), Variant.CLOCK_FROZEN, 1, false).clockPath()).isEqualTo(ClockPath.FROZEN);
        assertThat(run(SimFaults.parse("clock-guest"), Variant.CLOCK_GUEST, 1, false).clockPath()).isEqualTo(ClockPath.CLOCK_GUEST);
    }

    @Test
    void on_a_pre_5_16_kernel_clock_realtime_adds_the_elapsed_monotonic_time_itself_and_the_gap_still_arrives() {
        ProbeReport report = run(SimFaults.parse("pre-5.16"), Variant.CLOCK_REALTIME, 3, true);

        assertThat(report.target().kernelRelease()).isEqualTo("sim:5.15-model");
        assertThat(report.clockPath()).isEqualTo(ClockPath.ELAPSED_MONOTONIC);
        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).hasSize(3).allSatisfy(m -> {
            assertThat(m.pass()).isTrue();
            assertThat(m.withinBracket()).isTrue();
            assertThat(m.stealDeltaNs()).isGreaterThanOrEqualTo(10_000_000);
        });
    }

    @Test
    void on_a_pre_5_16_kernel_the_negative_control_still_loses_the_gap() {
        ProbeReport report = run(SimFaults.parse("pre-5.16"), Variant.CLOCK_FROZEN, 2, false);

        assertThat(report.clockPath()).isEqualTo(ClockPath.FROZEN);
        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isTrue();
    }

    @Test
    void a_run_delay_the_host_will_not_give_is_recorded_as_unavailable_not_as_zero() {
        clock.hideRunDelay();

        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_REALTIME, 2, false);

        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).allSatisfy(m -> {
            assertThat(m.hostRunDelayNs()).isNull();
            assertThat(m.withinBracket()).isTrue();
        });
    }

    @Test
    void a_kernel_that_writes_a_wrong_guest_runstate_area_fails_although_the_ioctl_is_right() {
        ProbeReport report = run(SimFaults.parse("stale-guest-area"), Variant.CLOCK_REALTIME, 2, false);

        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isFalse();
        assertThat(report.measurements()).allSatisfy(m -> {
            assertThat(m.pass()).as("the ioctl's steal meets the seed's bound").isTrue();
            assertThat(m.withinBracket()).isTrue();
            assertThat(m.guestAreaAgrees()).isFalse();
            assertThat(m.guestAreaRunnableNs()).isEqualTo(m.savedRunnableNs());
        });
    }

    @Test
    void clock_guest_is_skipped_naming_the_missing_ioctl_on_a_kernel_without_it() {
        ProbeReport report = run(SimFaults.none(), Variant.CLOCK_GUEST, 3, false);

        assertThat(report.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_GET_CLOCK_GUEST").contains("EINVAL");
        assertThat(report.asExpected()).isNull();
        assertThat(report.measurements()).isEmpty();
    }

    @Test
    void clock_guest_passes_on_a_kernel_that_has_the_proposed_ioctls_because_the_tsc_crosses_the_gap() {
        ProbeReport report = run(SimFaults.parse("clock-guest"), Variant.CLOCK_GUEST, 2, true);

        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).allSatisfy(m -> assertThat(m.withinBracket()).isTrue());
    }

    @Test
    void a_kernel_without_xen_support_is_skipped_naming_the_capability() {
        ProbeReport report = run(SimFaults.parse("no-xen"), Variant.CLOCK_REALTIME, 3, false);

        assertThat(report.verdict()).isEqualTo(Verdict.SKIP);
        assertThat(report.skipReason()).contains("KVM_CAP_XEN_HVM");
    }

    @Test
    void a_kernel_that_loses_the_gap_fails_clock_realtime_and_is_flagged_not_as_expected() {
        ProbeReport report = run(SimFaults.parse("lost-gap"), Variant.CLOCK_REALTIME, 2, false);

        assertThat(report.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isFalse();
    }

    @Test
    void a_kernel_that_over_accounts_passes_the_seed_bound_but_leaves_the_bracket_and_fails_strict_mode() {
        SimFaults overAccounting = SimFaults.parse("extra-error-ns=5000000");

        ProbeReport lenient = run(overAccounting, Variant.CLOCK_REALTIME, 2, false);
        ProbeReport strict = run(overAccounting, Variant.CLOCK_REALTIME, 2, true);

        assertThat(lenient.verdict()).isEqualTo(Verdict.PASS);
        assertThat(lenient.measurements()).allSatisfy(m -> {
            assertThat(m.withinBracket()).isFalse();
            assertThat(m.errorNs()).isGreaterThan(4_000_000);
        });
        assertThat(strict.verdict()).isEqualTo(Verdict.FAIL);
    }

    @Test
    void host_preemption_during_the_run_is_allowed_above_the_bracket_as_host_run_delay() {
        Hypervisor preempting = new DelegatingHypervisor(new SimKernel(clock, SimFaults.none())) {
            @Override
            protected void beforeRun(int vm) {
                if (vm == 4) { // VMs 1 and 2 are the unmeasured warm-up probe's
                    clock.preempt(3_000_000); // the destination's vCPU thread waits 3 ms on a host run queue
                }
            }
        };
        ProbeReport report = new Probe(preempting, clock).run(
                new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults()));

        Measurement m = report.measurements().get(0);
        assertThat(m.hostRunDelayNs()).isEqualTo(3_000_000);
        assertThat(m.withinBracket()).isTrue();
    }

    @Test
    void the_models_kvmclock_and_realtime_are_one_pair_so_a_preemption_between_two_clock_reads_books_no_less_than_the_gap() {
        HostClock preemptedBeforeEveryRealtimeRead = new HostClock() {
            @Override
            public long monotonicNs() {
                return clock.monotonicNs();
            }

            @Override
            public long realtimeNs() {
                clock.preempt(2_000_000); // a busy host: the thread waits 2 ms between its two clock reads
                return clock.realtimeNs();
            }

            @Override
            public void sleep(long ns) {
                clock.sleep(ns);
            }

            @Override
            public OptionalLong runDelayNs() {
                return clock.runDelayNs();
            }
        };
        Probe probe = new Probe(new SimKernel(preemptedBeforeEveryRealtimeRead, SimFaults.none(), new Random(7)), clock);
        ProbeReport report = probe.run(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 3, VerdictRules.defaults()));

        assertThat(report.measurements()).hasSize(3).allSatisfy(m -> {
            assertThat(m.stealDeltaNs()).isGreaterThanOrEqualTo(m.gapLowNs());
            assertThat(m.withinBracket()).isTrue();
        });
    }

    /**
     * A preemptible kernel preempting the probe thread inside a vCPU ioctl after the clock save: kvm_arch_vcpu_put
     * books a transition to runnable then, so the saved state_entry_time is later than the saved clock.
     */
    private Hypervisor preemptedAfterTheClockSave() {
        return new DelegatingHypervisor(new SimKernel(clock, SimFaults.none())) {
            @Override
            protected RunstateData getRunstate(int number, XenVm vm) throws KvmException {
                RunstateData r = vm.getRunstate();
                if (number != 3) { // VM 3 is the first measured iteration's source (1 and 2 are the warm-up's)
                    return r;
                }
                clock.preempt(1_000_000);
                long now = vm.getClock().clockNs();
                long ran = now - r.stateEntryTime();
                return new RunstateData(RunstateData.RUNNABLE, now, r.timeRunning() + ran, r.timeRunnable(),
                        r.timeBlocked(), r.timeOffline());
            }
        };
    }

    @Test
    void a_frozen_clock_the_kernel_refuses_to_restore_runstate_against_is_a_fail_with_the_reason_not_an_error() {
        ProbeReport report = new Probe(preemptedAfterTheClockSave(), clock).run(
                new ProbeRequest(Variant.CLOCK_FROZEN, 10, 2, VerdictRules.defaults()));

        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.FAIL);
        assertThat(report.asExpected()).isTrue();
        assertThat(report.errorKind()).isNull();
        assertThat(report.error()).contains("refused the saved runstate in iteration 1")
                .contains("KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA) failed: EINVAL (22)")
                .contains("earlier than the runstate's state_entry_time");
        assertThat(report.measurements()).isEmpty();
    }

    @Test
    void the_same_preemption_costs_clock_realtime_nothing_it_moves_the_clock_on_by_the_gap() {
        ProbeReport report = new Probe(preemptedAfterTheClockSave(), clock).run(
                new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()));

        assertThat(report.verdict()).as(report.error()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).hasSize(2);
    }

    @Test
    void an_unexpected_ioctl_failure_is_an_error_naming_the_phase_the_ioctl_and_the_errno() {
        Hypervisor broken = new DelegatingHypervisor(new SimKernel(clock, SimFaults.none())) {
            int restores;

            @Override
            protected void beforeSetRunstate(RunstateData r) throws KvmException {
                if (++restores == 2) { // the first measured iteration, after the warm-up
                    throw new KvmException("KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA)", Errno.EFAULT);
                }
            }
        };
        ProbeReport report = new Probe(broken, clock).run(
                new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()));

        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.error()).contains("phase restore").contains("iteration 1")
                .contains("KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA)").contains("EFAULT (14)");
        assertThat(report.asExpected()).isNull();
    }
}
