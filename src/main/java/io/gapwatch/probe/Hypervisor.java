package io.gapwatch.probe;

import io.gapwatch.kvm.KvmException;

/**
 * The kernel under test, as the probe sees it: the port every backend (kvm, sim) implements.
 * One method per step of the seed; each answers what the kernel answered, or throws the kernel's errno.
 */
public interface Hypervisor extends AutoCloseable {

    /** Where probes on this hypervisor execute: backend, kernel release, CPU model, accelerator. */
    TargetInfo target();

    /** KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM): the mask of KVM_XEN_HVM_CONFIG_* bits this kernel supports. */
    int xenCapabilities() throws KvmException;

    /**
     * KVM_CHECK_EXTENSION(KVM_CAP_ADJUST_CLOCK): from 5.16 the KVM_CLOCK_* flags KVM_SET_CLOCK accepts,
     * KVM_CLOCK_REALTIME among them; 5.12-5.15 answer KVM_CLOCK_TSC_STABLE only and refuse every flag.
     */
    int adjustClockFlags() throws KvmException;

    /**
     * The seed's create_xen_vm(): a VM with the guest code, the two Xen pages at 0xc0000000,
     * one vCPU, the Xen HVM config (INTERCEPT_HCALL, msr 0x40000000), shared_info and the runstate area.
     * All later vCPU calls on the returned VM must come from the calling thread.
     */
    XenVm createXenVm() throws KvmException;

    @Override
    void close();
}
