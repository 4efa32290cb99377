package io.gapwatch.lab;

import io.gapwatch.cli.Json;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.export.Ktap;
import io.gapwatch.probe.ProbeCommand;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Verdict;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * {@code gapwatch lab}: boot a kernel under QEMU, run the probe inside it, print its report (KTAP or JSON).
 * Exit codes are the probe's: 0 as expected, 1 not as expected or error, 4 skip, 2 usage. Starts no Spring context.
 */
public final class LabCommand {
    public static final String HELP = """
            Usage: gapwatch lab --kernel <release|path-to-vmlinuz> [options]
                   gapwatch lab --list
              Boot a kernel under QEMU (KVM with nested virtualization when the host has it, else TCG) and
              run the probe's kvm backend inside it: a real result for a kernel this machine does not run.

              --kernel K            a Debian release (6.12.117+deb12-amd64, 6.1.0-56-amd64), fetched once with
                                    apt-get download into $GAPWATCH_HOME/kernels/<release>; or a vmlinuz path
              --modules DIR         with a vmlinuz path: its lib/modules/<release> (default: beside its boot/)
              --variant V           clock-realtime (default), clock-frozen (negative control), clock-guest
              --gap-ms N            the migration gap, 1..60000 (default 10)
              --iterations K        probes in this run, 1..1000 (default 1)
              --format ktap|json    output on stdout (default ktap)
              --strict              an iteration outside its accuracy bracket fails the run
              --tolerance-ms X      slack above the bracket (default 1)
              --timeout-s S         give up on the guest after S s (default 120 + iterations x (gap + 1.5 s))
              --console FILE        copy the guest's serial console to FILE
              --list                the kernels in the cache, then those apt can fetch

            Needs: apt-get install %s
            Exit: 0 as expected (a PASS, or clock-frozen's FAIL), 1 not as expected or error, 4 skip, 2 usage error.
            """.formatted(HostTools.APT_PACKAGES);

    private LabCommand() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.parse("lab", args,
                Set.of("kernel", "modules", "variant", "gap-ms", "iterations", "format", "tolerance-ms", "timeout-s",
                        "console"),
                Set.of("strict", "list", "help"));
        if (o.has("help")) {
            out.print(HELP);
            return ProbeCommand.EXIT_PASS;
        }
        KernelLab lab = KernelLab.fromEnvironment();
        if (o.has("list")) {
            return list(lab, out, err);
        }
        if (!o.has("kernel")) {
            throw new UsageException("lab: --kernel is required (a Debian release like 6.12.117+deb12-amd64, or a vmlinuz path)");
        }
        ProbeRequest request = ProbeCommand.request(o);
        String format = o.get("format", "ktap");
        if (!format.equals("ktap") && !format.equals("json")) {
            throw new UsageException("lab: --format must be ktap or json, was '" + format + "'");
        }
        int timeoutS = o.getInt("timeout-s", (int) KernelLab.defaultTimeout(request).toSeconds(), 10, 86_400);
        String kernel = o.get("kernel", null);
        if (!KernelRelease.isValid(kernel) && !kernel.contains("/")) {
            throw new UsageException("lab: --kernel '" + kernel + "' is neither a Debian kernel release (like "
                    + "6.12.117+deb12-amd64 or 6.1.0-56-amd64) nor the path of a vmlinuz");
        }
        if (o.has("modules") && KernelRelease.isValid(kernel)) {
            throw new UsageException("lab: --modules goes with a vmlinuz path; a Debian release brings its own");
        }

        ProbeReport report;
        try (PrintWriter console = consoleCopy(o.get("console", null))) {
            KernelImage image = o.has("modules")
                    ? KernelImage.local(Path.of(kernel), Path.of(o.get("modules", null)))
                    : lab.resolve(kernel);
            report = lab.run(image, request, Duration.ofSeconds(timeoutS), line -> {
                if (console != null) {
                    console.println(line);
                }
            });
        } catch (LabException e) {
            err.println("gapwatch lab: " + e.getMessage());
            return ProbeCommand.EXIT_FAIL;
        } catch (IOException e) {
            err.println("gapwatch lab: --console: " + e.getMessage());
            return ProbeCommand.EXIT_FAIL;
        }
        out.print(format.equals("json") ? Json.MAPPER.writeValueAsString(report) + "\n" : Ktap.write(report));
        out.flush();
        if (report.verdict() == Verdict.ERROR) {
            err.println("gapwatch lab: ERROR: " + report.error());
        }
        return ProbeCommand.exitCode(report);
    }

    private static int list(KernelLab lab, PrintStream out, PrintStream err) {
        try {
            List<String> cached = lab.cachedKernels();
            List<String> installable = lab.installableKernels();
            out.println("# cached (" + cached.size() + ")");
            cached.forEach(out::println);
            out.println("# installable with apt (" + installable.size() + ")");
            installable.forEach(out::println);
            return ProbeCommand.EXIT_PASS;
        } catch (LabException e) {
            err.println("gapwatch lab: " + e.getMessage());
            return ProbeCommand.EXIT_FAIL;
        }
    }

    /** The --console file, flushed line by line so it can be followed while the guest runs; null without it. */
    private static PrintWriter consoleCopy(String file) throws IOException {
        return file == null ? null
                : new PrintWriter(Files.newBufferedWriter(Path.of(file), StandardCharsets.UTF_8), true);
    }
}
