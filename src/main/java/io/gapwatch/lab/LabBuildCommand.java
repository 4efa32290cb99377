package io.gapwatch.lab;

import io.gapwatch.cli.Options;
import io.gapwatch.cli.Progress;
import io.gapwatch.cli.Terminal;
import io.gapwatch.cli.UsageException;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.client.PatchFiles;
import io.gapwatch.probe.ProbeCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code gapwatch lab build}: a lab kernel from a Debian source, a patch series and a config fragment
 * ({@link KernelBuilds}); prints its name, which {@code gapwatch lab --kernel} then boots. Starts no Spring context.
 */
public final class LabBuildCommand {
    public static final String HELP = """
            Usage: gapwatch lab build --source VERSION [--patches DIR|FILE.mbox] [--config-fragment FILE]
              Build a kernel for the lab: the Debian source of VERSION (apt-get download linux-source-<series>,
              unpacked once into $GAPWATCH_HOME/lab/sources), the patches applied in order as git am does, the lab's
              small config (what the guest and its JVM need, KVM with Xen HVM) with FILE's lines on top. The kernel is
              named VERSION-gw-<12 hex digits of the recipe's hash>: the same recipe is built once and then reused, and
              the next patch of a series rebuilds only what it changed.

              --source VERSION        the base: a kernel version whose linux-source package apt has, e.g. 6.12.117
              --patches DIR|FILE      a directory of git format-patch files (*.patch, in name order) or one mbox
              --config-fragment FILE  Kconfig lines (CONFIG_X=y, # CONFIG_Y is not set) over the lab's config

            Prints the kernel's name; boot it with: gapwatch lab --kernel <name> [--variant ...]
            Needs: apt-get install %s %s
            Exit: 0 built (or reused), 1 the build failed (why, and the end of its log, on stderr), 2 usage error.
            """.formatted(HostTools.APT_PACKAGES, KernelBuilds.APT_PACKAGES);

    private LabBuildCommand() {
    }

    public static int main(String[] args, PrintStream out, PrintStream err) {
        Options o = Options.parse("lab build", args, Set.of("source", "patches", "config-fragment"), Set.of("help"));
        if (o.has("help")) {
            out.print(HELP);
            return ProbeCommand.EXIT_PASS;
        }
        if (!o.has("source")) {
            throw new UsageException("lab build: --source VERSION is required (e.g. 6.12.117)");
        }
        BuildRecipe recipe = recipe(o);
        KernelBuilds builds = KernelLab.fromEnvironment().builds();
        Progress progress = new Progress(err, Terminal.stderrIsTerminal());
        long started = System.nanoTime();
        try {
            KernelBuilds.Built built = builds.build(recipe, p -> progress.show(p.message(), "",
                    (System.nanoTime() - started) / 1e9));
            progress.end();
            out.println(built.kernel().release() + (built.reused() ? " reused (built before)"
                    : String.format(Locale.ROOT, " built in %.1f s", built.took().toMillis() / 1000.0)));
            out.println("  image " + built.kernel().vmlinuz());
            out.println("  log   " + built.log());
            out.println("  run   gapwatch lab --kernel " + built.kernel().release() + " --variant clock-realtime");
            return ProbeCommand.EXIT_PASS;
        } catch (KernelBuildException e) {
            progress.end();
            err.println("gapwatch lab build: " + e.getMessage());
            if (e.log() != null) {
                err.println("--- the end of the build log " + e.log() + " ---");
                err.println(e.logTail(KernelBuilds.LOG_TAIL_LINES));
            }
            return ProbeCommand.EXIT_FAIL;
        } catch (LabException e) {
            progress.end();
            err.println("gapwatch lab build: " + e.getMessage());
            return ProbeCommand.EXIT_FAIL;
        }
    }

    private static BuildRecipe recipe(Options o) {
        try {
            List<String> patches = o.has("patches") ? PatchFiles.read(Path.of(o.get("patches", null))) : List.of();
            String fragment = o.has("config-fragment") ? Files.readString(Path.of(o.get("config-fragment", null))) : "";
            return BuildRecipe.of(o.get("source", null), patches, fragment);
        } catch (IOException e) {
            throw new UsageException("lab build: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new UsageException("lab build: " + e.getMessage());
        }
    }
}
