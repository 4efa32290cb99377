package io.gapwatch.probe.sim;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.RunstateData;
import io.gapwatch.kvm.Xen;
import io.gapwatch.probe.HostClock;
import io.gapwatch.probe.XenVm;

import java.util.Random;

/** One simulated VM: the kernel's rules of spec/kvm-uapi.md sections 2 and 3, one vCPU. */
final class SimVm implements XenVm {
    /** The simulated TSC runs at 2 GHz: pvclock mul = 0.5 * 2^32, shift 0. */
    static final long TSC_KHZ = 2_000_000L;
    private static final int TSC_TO_SYSTEM_MUL = 1 << 31;

    private final HostClock clock;
    /**
     * CLOCK_REALTIME minus CLOCK_MONOTONIC, taken once by the kernel model: the kernel reads its clock pairs
     * (kvmclock with realtime, kvmclock with the TSC) from one TSC read, so the model derives each pair from one
     * monotonic read. Two separate reads would differ by however long the thread was preempted between them,
     * and a restore would then book that much less steal than the gap (seen under load: 2 us below gapLow).
     */
    private final long realtimeOffsetNs;
    private final SimFaults faults;
    private final Random random;

    /** kvmclock = host monotonic + offset; a new VM's kvmclock starts near 0. */
    private long kvmclockOffsetNs;
    /** The guest TSC is 0 at vCPU creation (the kernel synchronises it), then ticks at TSC_KHZ. */
    private long tscBaseNs;
    private long tscAdjust;
    private boolean vcpuHasRun;

    private int state = RunstateData.OFFLINE;
    private long stateEntryTime;
    private final long[] time = new long[4];
    private long lastSteal;
    private long guestAreaRunnable;
    private boolean restoredSinceEntry;

    SimVm(HostClock clock, long realtimeOffsetNs, SimFaults faults, Random random) {
        this.clock = clock;
        this.realtimeOffsetNs = realtimeOffsetNs;
        this.faults = faults;
        this.random = random;
        long now = clock.monotonicNs();
        this.kvmclockOffsetNs = -now;
        this.tscBaseNs = now;
        // RUNSTATE_ADDR registration writes the current in-kernel values into the guest area at once.
        writeGuestArea();
    }

    long kvmclockNs() {
        return clock.monotonicNs() + kvmclockOffsetNs;
    }

    private long guestTsc() {
        return guestTscAt(clock.monotonicNs());
    }

    private long guestTscAt(long monotonicNs) {
        return (monotonicNs - tscBaseNs) * TSC_KHZ / 1_000_000L;
    }

    @Override
    public void run() {
        // vcpu_load raises KVM_REQ_STEAL_UPDATE; guest entry runs the update with RUNSTATE_running.
        updateRunstate(RunstateData.RUNNING);
        vcpuHasRun = true;
        // The guest executes OUT and exits to userspace: not a preemption, the state stays running.
    }

    /** kvm_xen_update_runstate(): book the time since the last transition into the previous state. */
    private void updateRunstate(int newState) {
        long now = kvmclockNs();
        long delta = now - stateEntryTime;
        int previous = stateEntryTime == 0 ? RunstateData.OFFLINE : state;
        long runDelay = kernelRunDelayNs();
        long runnableBefore = time[RunstateData.RUNNABLE];
        if (previous == RunstateData.RUNNING) {
            long steal = runDelay - lastSteal;
            if (steal > 0 && steal <= delta) {
                time[RunstateData.RUNNABLE] += steal;
                delta -= steal;
            }
        }
        lastSteal = runDelay;
        time[previous] += delta;
        long entry = now;
        if (restoredSinceEntry && previous == RunstateData.RUNNABLE) {
            long extra = faults.extraErrorNs() + (faults.jitterNs() > 0 ? (long) (random.nextDouble() * faults.jitterNs()) : 0);
            time[RunstateData.RUNNABLE] += extra;
            entry += extra; // an over-accounting kernel still keeps its own sum rule
        }
        restoredSinceEntry = false;
        state = newState;
        stateEntryTime = entry;
        if (faults.staleGuestArea()) {
            guestAreaRunnable = runnableBefore; // written from the values before this update's accounting
        } else {
            writeGuestArea();
        }
    }

    private void writeGuestArea() {
        guestAreaRunnable = time[RunstateData.RUNNABLE];
    }

    /** The model's kernel sees the run_delay the host clock reports; where that is hidden, it moves no steal. */
    private long kernelRunDelayNs() {
        return clock.runDelayNs().orElse(0);
    }

    @Override
    public ClockData getClock() {
        if (faults.pre516Clock()) {
            // Before 5.16 only TSC_STABLE, in master-clock mode; realtime and host_tsc are padding (0).
            return new ClockData(kvmclockNs(), vcpuHasRun ? ClockData.TSC_STABLE : 0, 0, 0);
        }
        // Before the vCPU ran, the master clock is not in use: only `clock` is meaningful (measured on 6.12).
        int flags = vcpuHasRun ? ClockData.TSC_STABLE | ClockData.REALTIME | ClockData.HOST_TSC : 0;
        long now = clock.monotonicNs();
        return new ClockData(now + kvmclockOffsetNs, flags, now + realtimeOffsetNs, guestTscAt(now));
    }

    @Override
    public void setClock(ClockData data) throws KvmException {
        int allowed = faults.pre516Clock() ? 0 : SimKernel.ADJUST_CLOCK_FLAGS;
        if ((data.flags() & ~allowed) != 0) {
            throw new KvmException("KVM_SET_CLOCK", Errno.EINVAL);
        }
        long value = data.clockNs();
        long now = clock.monotonicNs();
        if (data.has(ClockData.REALTIME) && !faults.lostGap()) {
            long advance = now + realtimeOffsetNs - data.realtimeNs();
            if (advance > 0) {
                value += advance; // never steps back
            }
        }
        kvmclockOffsetNs = value - now;
    }

    @Override
    public PvclockTimeInfo getClockGuest() throws KvmException {
        if (!faults.clockGuest()) {
            // An unpatched kernel's vCPU ioctl dispatcher ends in EINVAL for an unknown request.
            throw new KvmException("KVM_GET_CLOCK_GUEST", Errno.EINVAL);
        }
        long now = clock.monotonicNs();
        return new PvclockTimeInfo(0, guestTscAt(now), now + kvmclockOffsetNs, TSC_TO_SYSTEM_MUL, (byte) 0, PvclockTimeInfo.TSC_STABLE_BIT);
    }

    @Override
    public void setClockGuest(PvclockTimeInfo pvti) throws KvmException {
        if (!faults.clockGuest() || pvti.tscToSystemMul() == 0 || pvti.tscShift() < -31 || pvti.tscShift() > 31) {
            throw new KvmException("KVM_SET_CLOCK_GUEST", Errno.EINVAL);
        }
        double impliedKhz = 1_000_000.0 * 4294967296.0 / Integer.toUnsignedLong(pvti.tscToSystemMul()) / Math.pow(2, pvti.tscShift());
        if (Math.abs(impliedKhz - TSC_KHZ) > 1.0) {
            throw new KvmException("KVM_SET_CLOCK_GUEST", Errno.ERANGE);
        }
        long now = clock.monotonicNs();
        long tsc = guestTscAt(now);
        if (tsc < pvti.tscTimestamp()) {
            throw new KvmException("KVM_SET_CLOCK_GUEST", Errno.EINVAL);
        }
        kvmclockOffsetNs = pvti.nsAt(tsc) - now;
    }

    @Override
    public long tscKhz() {
        return TSC_KHZ;
    }

    @Override
    public long getMsr(int index) throws KvmException {
        return switch (index) {
            case Xen.MSR_IA32_TSC_ADJUST -> tscAdjust;
            case Xen.MSR_IA32_TSC -> guestTsc();
            default -> throw new KvmException("KVM_GET_MSRS", Errno.EINVAL);
        };
    }

    @Override
    public void setMsr(int index, long value) throws KvmException {
        switch (index) {
            // A host write of TSC_ADJUST only stores the value; it does not move the TSC.
            case Xen.MSR_IA32_TSC_ADJUST -> tscAdjust = value;
            case Xen.MSR_IA32_TSC -> tscBaseNs = clock.monotonicNs() - value * 1_000_000L / TSC_KHZ;
            default -> throw new KvmException("KVM_SET_MSRS", Errno.EINVAL);
        }
    }

    @Override
    public RunstateData getRunstate() {
        return new RunstateData(state, stateEntryTime, time[0], time[1], time[2], time[3]);
    }

    @Override
    public void setRunstate(RunstateData r) throws KvmException {
        if (r.state() < 0 || r.state() > RunstateData.OFFLINE
                || r.stateEntryTime() != r.timeSum()
                || Long.compareUnsigned(kvmclockNs(), r.stateEntryTime()) < 0) {
            throw new KvmException("KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA)", Errno.EINVAL);
        }
        state = r.state();
        stateEntryTime = r.stateEntryTime();
        time[0] = r.timeRunning();
        time[1] = r.timeRunnable();
        time[2] = r.timeBlocked();
        time[3] = r.timeOffline();
        lastSteal = kernelRunDelayNs(); // the calling thread's run_delay is the new steal baseline
        restoredSinceEntry = true;
        // RUNSTATE_DATA does not rewrite the guest area; the next transition does.
    }

    @Override
    public long guestAreaRunnableNs() {
        return guestAreaRunnable;
    }

    @Override
    public void close() {
        // destroying a simulated VM releases nothing
    }
}
