package io.gapwatch.lab;

import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.export.Ktap;
import io.gapwatch.probe.ProbeCommand;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.ReportJson;
import io.gapwatch.probe.Verdict;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code gapwatch lab}: boot a kernel under QEMU, run the probe inside it, print its report (KTAP or JSON).
 * Exit codes are the probe's: 0 as expected, 1 not as expected or error, 4 skip, 2 usage. Starts no Spring context.
 */
public final class LabCommand {
    public static final String HELP = """
            Usage: gapwatch lab --kernel <release|path-to-vmlinuz> [options]
                   gapwatch lab --list
                   gapwatch lab build --source VERSION [--patches DIR|FILE.mbox] [--config-fragment FILE]
                                       (gapwatch lab build --help)
              Boot a kernel under QEMU (KVM with nested virtualization when the host has it, else TCG) and
              run the probe's kvm backend inside it: a real result for a kernel this machine does not run.

              --kernel K            a Debian release of the flavours amd64, cloud-amd64 or rt-amd64
                                    (6.12.117+deb12-amd64, 6.12.117+deb12-rt-amd64, 6.1.0-56-cloud-amd64), fetched
                                    once with apt-get download into $GAPWATCH_HOME/kernels/<release>; or the path
                                    of a vmlinuz/bzImage (its release is read from the image); or a kernel
                                    'gapwatch lab build' made (6.12.117-gw-3f2a9c01b7de)
              --modules M           with a vmlinuz path: its lib/modules/<release> directory or a tar of it
                                    (default: beside its boot/); a kernel with KVM built in needs no modules
              --variant V           clock-realtime (default), clock-frozen (negative control), clock-guest
              --gap-ms N            the migration gap, 1..60000 (default 10)
              --iterations K        probes in this run, 1..1000 (default 1)
              --format ktap|json    output on stdout (default ktap)
              --strict              an iteration outside its accuracy bracket fails the run
              --tolerance-ms X      slack above the bracket (default 1)
              --timeout-s S         give up on the guest after S s (default 120 + iterations x (gap + 1.5 s))
              --console FILE        copy the guest's serial console to FILE
              --list                the kernels in the cache, those built here, then those apt can fetch by
                                    series and flavour
              --floor               benchmark: boot the kernel with the same QEMU command into an init that
                                    powers off at once, and print the seconds (bench/lab-boot.sh)

            Needs: apt-get install %s
            Exit: 0 as expected (a PASS, or clock-frozen's FAIL), 1 not as expected or error, 4 skip, 2 usage error.
            """.formatted(HostTools.APT_PACKAGES);

    private LabCommand() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 0 && args[0].equals("build")) {
            return LabBuildCommand.main(java.util.Arrays.copyOfRange(args, 1, args.length), out, err);
        }
        Options o = Options.parse("lab", args,
                Set.of("kernel", "modules", "variant", "gap-ms", "iterations", "format", "tolerance-ms", "timeout-s",
                        "console"),
                Set.of("strict", "list", "floor", "help"));
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
        boolean named = KernelRelease.isValid(kernel) || KernelBuilds.isBuiltRelease(kernel);
        if (!named && !kernel.contains("/")) {
            throw new UsageException("lab: --kernel '" + kernel + "' is neither a Debian kernel release (like "
                    + "6.12.117+deb12-amd64 or 6.1.0-56-amd64), nor a lab build (like 6.12.117-gw-3f2a9c01b7de), "
                    + "nor the path of a vmlinuz");
        }
        if (o.has("modules") && named) {
            throw new UsageException("lab: --modules goes with a vmlinuz path; a Debian release or a lab build brings its own");
        }

        if (o.has("floor")) {
            return floor(lab, kernel, o.has("modules") ? Path.of(o.get("modules", null)) : null, timeoutS, out, err);
        }
        ProbeReport report;
        try (PrintWriter console = consoleCopy(o.get("console", null))) {
            KernelImage image = lab.resolve(kernel, o.has("modules") ? Path.of(o.get("modules", null)) : null);
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
        out.print(format.equals("json") ? ReportJson.write(report) + "\n" : Ktap.write(report));
        out.flush();
        if (report.verdict() == Verdict.ERROR) {
            err.println("gapwatch lab: ERROR: " + report.error());
        }
        return ProbeCommand.exitCode(report);
    }

    private static int floor(KernelLab lab, String kernel, Path modules, int timeoutS, PrintStream out, PrintStream err) {
        try {
            KernelImage image = lab.resolve(kernel, modules);
            Duration floor = lab.floor(image, Duration.ofSeconds(timeoutS));
            out.printf("floor %s: %.1f s (boot into an init that powers off at once)%n", image.release(),
                    floor.toMillis() / 1000.0);
            return ProbeCommand.EXIT_PASS;
        } catch (LabException e) {
            err.println("gapwatch lab: " + e.getMessage());
            return ProbeCommand.EXIT_FAIL;
        }
    }

    private static int list(KernelLab lab, PrintStream out, PrintStream err) {
        try {
            List<String> cached = lab.cachedKernels();
            Map<String, List<String>> installable = lab.installableBySeriesAndFlavour();
            out.println("# cached (" + cached.size() + ")");
            cached.forEach(out::println);
            List<String> built = lab.builds().built();
            out.println("# built by 'gapwatch lab build' or a lab agent's --build-source (" + built.size() + ")");
            built.forEach(out::println);
            out.println("# installable with apt, by series and flavour ("
                    + installable.values().stream().mapToInt(List::size).sum() + ")");
            installable.forEach((group, releases) ->
                    out.println(group + " (" + releases.size() + "): " + String.join(" ", releases)));
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
