package io.gapwatch.probe;

import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.export.Ktap;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.kvm.KvmHypervisor;
import io.gapwatch.probe.sim.SimKernel;

import java.io.PrintStream;
import java.util.Set;

/**
 * {@code gapwatch probe}: execute the migration-gap sequence here, now; KTAP or JSON on stdout.
 * Exit codes are kselftest's, read as "is the result what this variant should give": 0 as expected (a PASS,
 * or the negative control's FAIL), 1 not as expected or a harness error, 4 skip; 2 is a usage error.
 * Starts no Spring context: inside a TCG guest every class loaded costs.
 */
public final class ProbeCommand {
    /** The result is the one the variant expects (for clock-frozen, that is a FAIL). */
    public static final int EXIT_PASS = 0;
    /** The result is not the one the variant expects, or the harness broke (ERROR). */
    public static final int EXIT_FAIL = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_SKIP = 4;

    public static final String HELP = """
            Usage: gapwatch probe [options]
              Execute the migration-gap sequence of xen_migration_test here and now.

              --backend kvm|sim     kvm: /dev/kvm through JNA (default); sim: an in-process model (not a kernel result)
              --variant V           clock-realtime (default), clock-frozen (negative control), clock-guest
              --gap-ms N            the migration gap, 1..60000 (default 10)
              --iterations K        probes in this run, 1..1000 (default 1)
              --format ktap|json    output on stdout (default ktap)
              --strict              an iteration outside its accuracy bracket fails the run
              --tolerance-ms X      slack above the bracket (default 1)
              --sim-faults LIST     sim only: lost-gap, extra-error-ns=N, jitter-ns=N, no-xen, clock-guest,
                                    pre-5.16 (the clock uAPI of 5.12-5.15), stale-guest-area

            Exit: 0 the result is as expected: a PASS, or a FAIL of the negative control clock-frozen
                  (the KTAP and JSON still say FAIL, "as expected");
                  1 not as expected (a FAIL of clock-realtime or clock-guest, a PASS of clock-frozen)
                  or a harness error; 4 skip; 2 usage error.
            """;

    private ProbeCommand() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.parse("probe", args,
                Set.of("backend", "variant", "gap-ms", "iterations", "format", "tolerance-ms", "sim-faults"),
                Set.of("strict", "help", "resource-report"));
        if (o.has("help")) {
            out.print(HELP);
            return EXIT_PASS;
        }
        ProbeRequest request = request(o);
        String format = o.get("format", "ktap");
        if (!format.equals("ktap") && !format.equals("json")) {
            throw new UsageException("probe: --format must be ktap or json, was '" + format + "'");
        }
        String backend = o.get("backend", "kvm");
        Probe.Progress progress = (done, total) -> { };
        if (o.has("resource-report")) {
            // Hidden: the kernel lab's soak reads these lines from the guest console to see fds and RSS stay flat.
            err.println(ResourceUsage.line("start"));
            int every = Math.max(1, request.iterations() / 10);
            progress = (done, total) -> {
                if (done % every == 0 || done == total) {
                    err.println(ResourceUsage.line("iteration-" + done));
                }
            };
        }
        ProbeReport report = execute(backend, o.get("sim-faults", null), request, progress);
        out.print(format.equals("json") ? ReportJson.write(report) + "\n" : Ktap.write(report));
        out.flush();
        return exitCode(report);
    }

    /** The request of {@code --variant --gap-ms --iterations --tolerance-ms --strict} (shared with {@code lab}). */
    public static ProbeRequest request(Options o) {
        Variant variant;
        try {
            variant = Variant.fromId(o.get("variant", Variant.CLOCK_REALTIME.id()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(o.command() + ": " + e.getMessage());
        }
        int gapMs = o.getInt("gap-ms", ProbeRequest.DEFAULT_GAP_MS, 1, ProbeRequest.MAX_GAP_MS);
        int iterations = o.getInt("iterations", 1, 1, ProbeRequest.MAX_ITERATIONS);
        long toleranceNs = Math.round(o.getDouble("tolerance-ms", VerdictRules.DEFAULT_TOLERANCE_NS / 1e6) * 1e6);
        return new ProbeRequest(variant, gapMs, iterations, new VerdictRules(toleranceNs, o.has("strict")));
    }

    /** Opens the backend, runs the probes on this thread, closes the backend. */
    public static ProbeReport execute(String backend, String simFaults, ProbeRequest request) {
        return execute(backend, simFaults, request, (done, total) -> { });
    }

    /** As {@link #execute(String, String, ProbeRequest)}, telling {@code progress} after each iteration. */
    public static ProbeReport execute(String backend, String simFaults, ProbeRequest request, Probe.Progress progress) {
        HostClock clock = new SystemHostClock();
        Hypervisor hypervisor;
        switch (backend) {
            case "sim" -> {
                try {
                    hypervisor = new SimKernel(clock, SimFaults.parse(simFaults));
                } catch (IllegalArgumentException e) {
                    throw new UsageException("probe: " + e.getMessage());
                }
            }
            case "kvm" -> {
                if (simFaults != null) {
                    throw new UsageException("probe: --sim-faults is for --backend sim only");
                }
                try {
                    hypervisor = KvmHypervisor.open();
                } catch (CapabilityMissingException e) {
                    return ProbeReport.skipped(request, HostInfo.target("kvm"), e.getMessage());
                }
            }
            default -> throw new UsageException("probe: --backend must be kvm or sim, was '" + backend + "'");
        }
        try (hypervisor) {
            return new Probe(hypervisor, clock).run(request, progress);
        }
    }

    /** 0 when the report is what its variant expects, so a harness calling a negative control sees success. */
    public static int exitCode(ProbeReport report) {
        return switch (report.verdict()) {
            case PASS, FAIL -> report.verdict() == report.expectedVerdict() ? EXIT_PASS : EXIT_FAIL;
            case ERROR -> EXIT_FAIL;
            case SKIP -> EXIT_SKIP;
        };
    }
}
