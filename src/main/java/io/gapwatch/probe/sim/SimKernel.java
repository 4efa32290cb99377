package io.gapwatch.probe.sim;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.probe.HostClock;
import io.gapwatch.probe.Hypervisor;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.XenVm;

import java.util.Random;

/**
 * An in-process model of what a 6.12 kernel does for the migration-gap sequence: kvmclock, Xen runstate
 * accounting on guest entry, RUNSTATE_DATA validation, KVM_SET_CLOCK with and without KVM_CLOCK_REALTIME.
 * With the {@code pre-5.16} fault it has the clock uAPI of 5.12-5.15 instead (and calls itself
 * {@code sim:5.15-model}). For development, tests and demos. Its kernel release says "sim:" so its results are never taken for a kernel's.
 */
public final class SimKernel implements Hypervisor {
    /** Every simulated kernel's release starts with this, so no one takes it for a real kernel's. */
    public static final String RELEASE_PREFIX = "sim:";
    public static final String KERNEL_RELEASE = RELEASE_PREFIX + "6.12-model";
    public static final String KERNEL_RELEASE_PRE_5_16 = RELEASE_PREFIX + "5.15-model";
    /** What KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM) answers on 6.12.117 (measured in the kernel lab). */
    static final int XEN_CAPABILITIES_6_12 = 0x1ff;
    /** 5.15's Xen bits: HYPERCALL_MSR, INTERCEPT_HCALL, SHARED_INFO, RUNSTATE (all from 5.12). */
    static final int XEN_CAPABILITIES_5_15 = 0xf;
    /** KVM_CLOCK_VALID_FLAGS, KVM_CAP_ADJUST_CLOCK's answer from 5.16. */
    static final int ADJUST_CLOCK_FLAGS = ClockData.TSC_STABLE | ClockData.REALTIME | ClockData.HOST_TSC;

    private final HostClock clock;
    private final SimFaults faults;
    private final Random random;
    private final String kernelRelease;
    /** Taken once, so every VM of this kernel reads realtime and kvmclock as one pair (see SimVm). */
    private final long realtimeOffsetNs;

    /** @param kernelRelease what this model calls itself: {@code sim:6.12-model}, or a member of a {@link SimSeries} */
    public SimKernel(HostClock clock, SimFaults faults, Random random, String kernelRelease) {
        if (!kernelRelease.startsWith(RELEASE_PREFIX)) {
            throw new IllegalArgumentException("a simulated kernel's release starts with " + RELEASE_PREFIX + ", was " + kernelRelease);
        }
        this.clock = clock;
        this.faults = faults;
        this.random = random;
        this.kernelRelease = kernelRelease;
        this.realtimeOffsetNs = clock.realtimeNs() - clock.monotonicNs();
    }

    public SimKernel(HostClock clock, SimFaults faults, Random random) {
        this(clock, faults, random, defaultRelease(faults));
    }

    /** {@code sim:6.12-model}, or {@code sim:5.15-model} for a model with the pre-5.16 clock uAPI. */
    public static String defaultRelease(SimFaults faults) {
        return faults.pre516Clock() ? KERNEL_RELEASE_PRE_5_16 : KERNEL_RELEASE;
    }

    public SimKernel(HostClock clock, SimFaults faults) {
        this(clock, faults, new Random());
    }

    @Override
    public TargetInfo target() {
        return new TargetInfo("sim", kernelRelease, "simulated", null);
    }

    @Override
    public int xenCapabilities() {
        return faults.noXen() ? 0 : faults.pre516Clock() ? XEN_CAPABILITIES_5_15 : XEN_CAPABILITIES_6_12;
    }

    @Override
    public int adjustClockFlags() {
        return faults.pre516Clock() ? ClockData.TSC_STABLE : ADJUST_CLOCK_FLAGS;
    }

    @Override
    public XenVm createXenVm() throws KvmException {
        if (faults.noXen()) {
            // CONFIG_KVM_XEN=n compiles the VM ioctl out: KVM_XEN_HVM_CONFIG falls to the default case.
            throw new KvmException("KVM_XEN_HVM_CONFIG", io.gapwatch.kvm.Errno.ENOTTY);
        }
        return new SimVm(clock, realtimeOffsetNs, faults, random);
    }

    @Override
    public void close() {
        // nothing to release: the model owns no file descriptors
    }
}
