package io.gapwatch.probe.kvm;

import io.gapwatch.kvm.Xen;

import java.util.List;

/**
 * What this host's KVM offers the probe, for an agent to report with its target.
 *
 * @param apiVersion KVM_GET_API_VERSION (12 everywhere this code runs)
 * @param xenHvm     KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM): 0 on kernels built without CONFIG_KVM_XEN
 */
public record KvmCapabilities(int apiVersion, int xenHvm) {

    /** The KVM_XEN_HVM_CONFIG_* names of {@link #xenHvm}, e.g. [HYPERCALL_MSR, ..., SHARED_INFO_HVA] for 0x1ff. */
    public List<String> xenHvmFeatures() {
        return Xen.configNames(xenHvm);
    }
}
