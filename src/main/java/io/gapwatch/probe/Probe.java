package io.gapwatch.probe;

import io.gapwatch.kvm.ClockData;
import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.kvm.PvclockTimeInfo;
import io.gapwatch.kvm.RunstateData;
import io.gapwatch.kvm.Xen;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The migration-gap procedure of the seed (xen_migration_test), written once for every backend:
 * SOURCE (create, run, save), MIGRATION GAP (destroy, sleep), DESTINATION (create, restore, run, measure).
 * Runs on the calling thread: the kernel samples the calling thread's scheduler counters, so every
 * vCPU call of a VM must come from one OS thread.
 * <p>
 * An unmeasured warm-up probe comes first. Both clock variants book everything from the source's guest
 * entry to its clock save as steal, and a cold JVM spends that window loading and compiling the save path:
 * on 6.12.117 in the kernel lab the first probe of a run saw 24 to 85 ms of such steal, so the negative
 * control clock-frozen passed the 10 ms bound whenever a run had a single iteration (the default).
 */
public final class Probe {
    private static final int WARM_UP = 0;
    /** The warm-up needs the code paths, not the gap: the shortest gap keeps a 60 s request from taking twice as long. */
    private static final int WARM_UP_GAP_MS = 1;

    private final Hypervisor kernel;
    private final HostClock clock;

    public Probe(Hypervisor kernel, HostClock clock) {
        this.kernel = kernel;
        this.clock = clock;
    }

    /** Executes the request's iterations; never throws for a kernel's answer, which becomes the verdict. */
    public ProbeReport run(ProbeRequest request) {
        return run(request, (done, total) -> { });
    }

    public ProbeReport run(ProbeRequest request, Progress progress) {
        List<Measurement> measurements = new ArrayList<>();
        ClockPath path = null;
        Iteration iteration = null;
        try {
            requireXenRunstate();
            path = ClockPath.of(request.variant(), kernel.adjustClockFlags());
            iteration = new Iteration(WARM_UP, request, path, WARM_UP_GAP_MS);
            iteration.execute();
            for (int i = 1; i <= request.iterations(); i++) {
                if (progress.stopRequested()) {
                    return ProbeReport.broken(request, kernel.target(), path, "stopped after " + (i - 1) + " of "
                            + request.iterations() + " iterations: asked to stop", measurements);
                }
                iteration = new Iteration(i, request, path, request.gapMs());
                measurements.add(iteration.execute());
                progress.iterationDone(i, request.iterations());
            }
            return ProbeReport.judged(request, kernel.target(), path, request.rules().runVerdict(measurements), measurements);
        } catch (CapabilityMissingException e) {
            return ProbeReport.skipped(request, kernel.target(), e.getMessage());
        } catch (RestoreRefusedException e) {
            return ProbeReport.refused(request, kernel.target(), path, e.getMessage(), measurements);
        } catch (KvmException e) {
            Phase phase = iteration == null ? Phase.CAPABILITIES : iteration.phase;
            String where = iteration == null ? "" : iteration.number == WARM_UP ? " (warm-up)" : " (iteration " + iteration.number + ")";
            return ProbeReport.broken(request, kernel.target(), path, "phase " + phase + where + ": " + e.getMessage(), measurements);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeReport.broken(request, kernel.target(), path, "interrupted during the migration gap", measurements);
        }
    }

    /** Called after each iteration, for progress on long runs; asked before each whether to stop there. */
    @FunctionalInterface
    public interface Progress {
        void iterationDone(int done, int total);

        /** True ends the run before its next iteration (an agent whose run was cancelled, or whose lease was lost). */
        default boolean stopRequested() {
            return false;
        }

        /** What the run waits for before its first iteration: a lab kernel being built ("building ...: 812/2345 objects"). */
        default void preparing(String message) {
        }
    }

    private void requireXenRunstate() throws KvmException, CapabilityMissingException {
        int caps = kernel.xenCapabilities();
        int needed = Xen.CONFIG_SHARED_INFO | Xen.CONFIG_RUNSTATE;
        if ((caps & needed) != needed) {
            throw new CapabilityMissingException(String.format(
                    "KVM_CAP_XEN_HVM is 0x%x: this kernel lacks KVM_XEN_HVM_CONFIG_SHARED_INFO and/or "
                            + "KVM_XEN_HVM_CONFIG_RUNSTATE (needs 0x%x; built without CONFIG_KVM_XEN?)", caps, needed));
        }
    }

    /** One probe: the seed's main(), with a clock read around every step the bracket needs. */
    private final class Iteration {
        final int number;
        final ProbeRequest request;
        final ClockPath path;
        final int gapMs;
        Phase phase = Phase.SOURCE_CREATE;

        Iteration(int number, ProbeRequest request, ClockPath path, int gapMs) {
            this.number = number;
            this.request = request;
            this.path = path;
            this.gapMs = gapMs;
        }

        Measurement execute() throws KvmException, CapabilityMissingException, RestoreRefusedException,
                InterruptedException {
            OptionalLong runDelayBefore = clock.runDelayNs();
            long t0 = clock.monotonicNs();

            // === SOURCE: create the VM and run the guest once ===
            XenVm source = kernel.createXenVm();
            SavedClock savedClock;
            long tscAdjust;
            RunstateData saved;
            long sourceRunCall;
            long sourceRunReturn;
            long createNs;
            long saveNs;
            try {
                createNs = clock.monotonicNs() - t0;
                phase = Phase.SOURCE_RUN;
                sourceRunCall = clock.monotonicNs();
                source.run();
                sourceRunReturn = clock.monotonicNs();

                // Save clock, TSC_ADJUST and runstate; the vCPU is runnable, not running, while it migrates.
                phase = Phase.SAVE;
                savedClock = saveClock(source);
                tscAdjust = source.getMsr(Xen.MSR_IA32_TSC_ADJUST);
                saved = source.getRunstate().asRunnable();
                saveNs = clock.monotonicNs() - sourceRunReturn;
            } finally {
                source.close();
            }

            // === MIGRATION GAP ===
            phase = Phase.MIGRATION_GAP;
            clock.sleep(gapMs * 1_000_000L);

            // === DESTINATION: a new VM, state restored precisely as saved ===
            phase = Phase.DESTINATION_CREATE;
            long t1 = clock.monotonicNs();
            try (XenVm destination = kernel.createXenVm()) {
                createNs += clock.monotonicNs() - t1;
                phase = Phase.RESTORE;
                long t2 = clock.monotonicNs();
                destination.setMsr(Xen.MSR_IA32_TSC_ADJUST, tscAdjust);
                restoreClock(destination, savedClock); // before the runstate: a new VM's kvmclock starts near 0
                try {
                    destination.setRunstate(saved);
                } catch (KvmException e) {
                    if (e.errno() == Errno.EINVAL.number) {
                        throw new RestoreRefusedException(number == WARM_UP ? " in the warm-up" : " in iteration " + number, e);
                    }
                    throw e;
                }
                long restoreNs = clock.monotonicNs() - t2;

                // Entering the guest books kvmclock_now - state_entry_time, the gap, into time_runnable.
                phase = Phase.DESTINATION_RUN;
                long destinationRunCall = clock.monotonicNs();
                destination.run();
                long destinationRunReturn = clock.monotonicNs();

                phase = Phase.MEASURE;
                RunstateData restored = destination.getRunstate();
                long guestArea = destination.guestAreaRunnableNs();
                OptionalLong runDelayAfter = clock.runDelayNs();
                Long hostRunDelay = runDelayBefore.isPresent() && runDelayAfter.isPresent()
                        ? runDelayAfter.getAsLong() - runDelayBefore.getAsLong() : null;
                return measure(saved, restored, guestArea,
                        destinationRunCall - sourceRunReturn, destinationRunReturn - sourceRunCall, hostRunDelay,
                        createNs, saveNs, restoreNs, destinationRunReturn - destinationRunCall);
            }
        }

        private SavedClock saveClock(XenVm source) throws KvmException, CapabilityMissingException {
            return switch (path) {
                case CLOCK_GUEST -> {
                    PvclockTimeInfo pvti;
                    try {
                        pvti = source.getClockGuest();
                    } catch (KvmException e) {
                        throw new CapabilityMissingException("KVM_GET_CLOCK_GUEST failed with " + e.errnoName()
                                + ": this kernel does not have the proposed KVM_[GS]ET_CLOCK_GUEST ioctls (not in mainline)");
                    }
                    // The guest TSC crosses the gap too, or a new VM's TSC (restarting near 0) would erase it.
                    yield new SavedClock.Guest(pvti, source.getMsr(Xen.MSR_IA32_TSC), source.tscKhz(), clock.monotonicNs());
                }
                case KVM_CLOCK_REALTIME -> {
                    ClockData data = source.getClock();
                    if (!data.has(ClockData.REALTIME)) {
                        // Not in master-clock mode: stamp CLOCK_REALTIME ourselves, right after the read.
                        data = new ClockData(data.clockNs(), data.flags() | ClockData.REALTIME, clock.realtimeNs(), data.hostTsc());
                    }
                    yield new SavedClock.Vm(data, clock.monotonicNs());
                }
                case ELAPSED_MONOTONIC, FROZEN -> new SavedClock.Vm(source.getClock(), clock.monotonicNs());
            };
        }

        private void restoreClock(XenVm destination, SavedClock savedClock) throws KvmException {
            switch (path) {
                case CLOCK_GUEST -> {
                    SavedClock.Guest guest = (SavedClock.Guest) savedClock;
                    long elapsedNs = clock.monotonicNs() - guest.savedAtNs();
                    destination.setMsr(Xen.MSR_IA32_TSC, guest.guestTsc() + elapsedNs * guest.tscKhz() / 1_000_000L);
                    destination.setClockGuest(guest.pvti());
                }
                // The kernel adds CLOCK_REALTIME's advance since the save to the clock: the gap reaches kvmclock.
                case KVM_CLOCK_REALTIME -> destination.setClock(((SavedClock.Vm) savedClock).data().withFlags(ClockData.REALTIME));
                // Before 5.16 any flag is EINVAL (and KVM_GET_CLOCK may have set TSC_STABLE): flags 0, and the
                // probe moves the clock on by the CLOCK_MONOTONIC time since the save itself: the gap reaches kvmclock.
                case ELAPSED_MONOTONIC -> {
                    SavedClock.Vm vm = (SavedClock.Vm) savedClock;
                    long elapsedNs = clock.monotonicNs() - vm.savedAtNs();
                    ClockData saved = vm.data();
                    destination.setClock(new ClockData(saved.clockNs() + elapsedNs, 0, saved.realtimeNs(), saved.hostTsc()));
                }
                // A naive VMM: the clock resumes where it stopped and the gap is lost.
                case FROZEN -> destination.setClock(((SavedClock.Vm) savedClock).data().withFlags(0));
            }
        }

        private Measurement measure(RunstateData saved, RunstateData restored, long guestArea, long gapLowNs,
                                    long gapHighNs, Long hostRunDelayNs, long createNs, long saveNs, long restoreNs,
                                    long runNs) {
            VerdictRules rules = request.rules();
            long steal = restored.timeRunnable() - saved.timeRunnable();
            return new Measurement(number, saved.timeRunnable(), restored.timeRunnable(), steal, guestArea,
                    gapLowNs, gapHighNs, hostRunDelayNs, VerdictRules.errorNs(steal, gapLowNs, gapHighNs),
                    rules.withinBracket(steal, gapLowNs, gapHighNs, hostRunDelayNs), rules.passes(steal, gapMs),
                    createNs, saveNs, restoreNs, runNs);
        }
    }
}
