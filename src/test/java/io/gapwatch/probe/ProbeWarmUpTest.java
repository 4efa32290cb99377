package io.gapwatch.probe;

import io.gapwatch.kvm.Errno;
import io.gapwatch.kvm.KvmException;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The probe runs one unmeasured warm-up before the requested iterations, so the first measured one does
 * not pay for a cold JVM inside the window both clock variants book as steal.
 */
class ProbeWarmUpTest {

    /** Time moves 1 µs per reading, and by the whole sleep when the probe sleeps. */
    static final class SteppedClock implements HostClock {
        final List<Long> sleeps = new ArrayList<>();
        long now = 1_000_000_000L;

        @Override
        public long monotonicNs() {
            now += 1_000;
            return now;
        }

        @Override
        public long realtimeNs() {
            return 1_700_000_000_000_000_000L + now;
        }

        @Override
        public void sleep(long ns) {
            sleeps.add(ns);
            now += ns;
        }

        @Override
        public OptionalLong runDelayNs() {
            return OptionalLong.of(0);
        }
    }

    /** The sim kernel, counting VMs, optionally refusing the first ones. */
    static final class CountingKernel implements Hypervisor {
        final SimKernel kernel;
        int created;
        int refuse;

        CountingKernel(HostClock clock) {
            kernel = new SimKernel(clock, SimFaults.none());
        }

        @Override
        public TargetInfo target() {
            return kernel.target();
        }

        @Override
        public int xenCapabilities() {
            return kernel.xenCapabilities();
        }

        @Override
        public int adjustClockFlags() {
            return kernel.adjustClockFlags();
        }

        @Override
        public XenVm createXenVm() throws KvmException {
            if (created++ < refuse) {
                throw new KvmException("KVM_CREATE_VM", Errno.EBUSY);
            }
            return kernel.createXenVm();
        }

        @Override
        public void close() {
            kernel.close();
        }
    }

    private final SteppedClock clock = new SteppedClock();
    private final CountingKernel kernel = new CountingKernel(clock);

    @Test
    void theWarmUpCreatesItsOwnTwoVmsSleepsOneMillisecondAndIsNotReported() {
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults());

        ProbeReport report = new Probe(kernel, clock).run(request);

        assertThat(report.verdict()).isEqualTo(Verdict.PASS);
        assertThat(report.measurements()).extracting(Measurement::iteration).containsExactly(1, 2);
        assertThat(report.measurements()).extracting(Measurement::stealDeltaNs)
                .allSatisfy(steal -> assertThat(steal).isBetween(10_000_000L, 10_100_000L));
        assertThat(kernel.created).as("source and destination of the warm-up and of each iteration").isEqualTo(6);
        assertThat(clock.sleeps).containsExactly(1_000_000L, 10_000_000L, 10_000_000L);
    }

    @Test
    void aKernelErrorDuringTheWarmUpIsReportedAsSuch() {
        kernel.refuse = 1;
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_REALTIME, 10, 1, VerdictRules.defaults());

        ProbeReport report = new Probe(kernel, clock).run(request);

        assertThat(report.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(report.error()).startsWith("phase source.create (warm-up): KVM_CREATE_VM failed");
        assertThat(report.measurements()).isEmpty();
    }
}
