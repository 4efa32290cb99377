package io.gapwatch.lab;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import tools.jackson.core.JacksonException;

import java.util.List;

/**
 * Turns what the guest said on its console, and how QEMU ended, into the run's report. The guest's own
 * report is kept as it is, its target relabelled: backend {@code lab}, the accelerator, and the kernel
 * release that the guest's uname gave (for the guest's kvm backend, the one the product runs). Anything else (a panic, a hang, init giving up, an unreadable
 * report) is an infrastructure ERROR (the server tries again) with the console's last lines, since it says
 * nothing about the probe's verdict; a kernel that said it cannot run the probe is SKIP.
 *
 * @param timedOut    QEMU was still running at the deadline (and was killed)
 * @param qemuExit    QEMU's exit code when it exited by itself
 * @param qemuStderr  what QEMU said on stderr (its own errors: a missing file, a bad option)
 */
record GuestOutcome(boolean timedOut, int qemuExit, String qemuStderr, long timeoutSeconds) {

    ProbeReport report(ProbeRequest request, SerialConsole console, String requestedKernel, Accelerator accelerator) {
        String release = console.uname() != null ? console.uname() : requestedKernel;
        TargetInfo errorTarget = new TargetInfo(KernelLab.BACKEND, release, accelerator.cpu(), accelerator.id());
        String json = console.report();
        if (json != null && console.exitCode() != null) {
            if (json.isBlank()) {
                return broken(request, errorTarget, "the probe in the guest exited " + console.exitCode()
                        + " without a report", console);
            }
            ProbeReport guest;
            try {
                guest = Json.MAPPER.readValue(json, ProbeReport.class);
            } catch (JacksonException e) {
                return broken(request, errorTarget, "the guest's report is unreadable: " + e.getOriginalMessage(), console);
            }
            if (guest.variant() != request.variant() || guest.gapMs() != request.gapMs()
                    || guest.iterations() != request.iterations() || guest.target() == null) {
                return broken(request, errorTarget, "the guest's report is not for this request", console);
            }
            // A kvm result is the guest kernel's: label it with the lab and what the guest's uname said. A sim
            // result (the lab's own plumbing test) stays labelled sim, never to be taken for a kernel's result.
            TargetInfo target = guest.target().backend().equals("kvm")
                    ? new TargetInfo(KernelLab.BACKEND, release, accelerator.cpu(), accelerator.id())
                    : guest.target().withBackend(guest.target().backend(), accelerator.id());
            return guest.withTarget(target);
        }
        if (console.skip() != null) {
            return ProbeReport.skipped(request, errorTarget, "kernel " + release + " cannot run the probe: " + console.skip());
        }
        String why;
        if (console.failure() != null) {
            why = "the guest could not run the probe: " + console.failure();
        } else if (console.panic() != null) {
            why = "the guest kernel panicked: " + console.panic();
        } else if (timedOut) {
            why = "the guest did not finish within " + timeoutSeconds + " s (hung, or too slow: see --timeout-s)";
        } else if (qemuExit != 0) {
            why = "QEMU exited with " + qemuExit + (qemuStderr.isBlank() ? "" : ": " + KernelCache.lastLines(qemuStderr, 5));
        } else {
            why = "the guest stopped without a report";
        }
        return broken(request, errorTarget, why, console);
    }

    private static ProbeReport broken(ProbeRequest request, TargetInfo target, String why, SerialConsole console) {
        List<String> tail = console.tail();
        String error = tail.isEmpty() ? why + " (the serial console stayed silent)"
                : why + "\n--- serial console, last " + tail.size() + " lines ---\n" + String.join("\n", tail);
        return ProbeReport.infrastructureError(request, target, error);
    }
}
