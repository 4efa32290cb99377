package io.gapwatch.server.agents;

/**
 * Where an agent can execute a run: a backend on a kernel release. {@code xenCapabilities} is what
 * KVM_CHECK_EXTENSION(KVM_CAP_XEN_HVM) answered there, when the agent could ask.
 */
public record Target(String backend, String kernelRelease, String cpuModel, String accelerator, Integer xenCapabilities) {
}
