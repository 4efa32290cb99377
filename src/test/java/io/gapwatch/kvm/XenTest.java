package io.gapwatch.kvm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class XenTest {

    @Test
    void a612KernelOffersEveryFeatureUpToSharedInfoHva() {
        assertThat(Xen.configNames(0x1ff)).containsExactly("HYPERCALL_MSR", "INTERCEPT_HCALL", "SHARED_INFO",
                "RUNSTATE", "EVTCHN_2LEVEL", "EVTCHN_SEND", "RUNSTATE_UPDATE_FLAG", "PVCLOCK_TSC_UNSTABLE",
                "SHARED_INFO_HVA");
    }

    @Test
    void aKernelWithoutXenOffersNothing() {
        assertThat(Xen.configNames(0)).isEmpty();
    }

    @Test
    void bitsNewerThanThisCodeAreShownRatherThanDropped() {
        assertThat(Xen.configNames(0x60c)).containsExactly("SHARED_INFO", "RUNSTATE", "0x600");
    }
}
