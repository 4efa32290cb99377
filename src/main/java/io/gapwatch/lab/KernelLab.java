package io.gapwatch.lab;

import io.gapwatch.cli.GapwatchHome;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The kernel lab: boots a kernel under QEMU and runs {@code gapwatch probe --backend kvm} inside it, so one
 * machine measures many kernels (a lab agent registers one target per kernel, backend {@code lab}).
 *
 * <h2>API for the agent</h2>
 * <pre>{@code
 * KernelLab lab = KernelLab.fromEnvironment();        // $GAPWATCH_HOME, -Dgapwatch.jar, accelerator detected
 * lab.check();                                        // LabException: QEMU/busybox/xz missing, jar unusable
 * KernelImage k = lab.resolve("6.12.117+deb12-amd64"); // fetched + extracted on first use; LabException if unknown
 * ProbeReport r = lab.run("6.12.117+deb12-amd64", request);   // one boot, one run; never throws
 * }</pre>
 * <ul>
 * <li>{@link #run(String, ProbeRequest)} returns the guest's report with target backend {@code lab},
 *     {@code kernelRelease} = the guest's uname -r, {@code accelerator} = {@code tcg} or {@code kvm},
 *     {@code cpuModel} = QEMU's -cpu value. Verdicts are the probe's (PASS/FAIL/SKIP/ERROR); a kernel that
 *     cannot run the probe (no KVM, KVM refusing this CPU) is SKIP with its reason; a lab failure (missing tool,
 *     unknown kernel, panic, hang, timeout) is an ERROR of kind INFRASTRUCTURE whose {@code error} ends with
 *     the serial console's last 30 lines.</li>
 * <li>{@link #resolve(String, Path)} accepts a Debian release ({@link KernelRelease}) or the path of a vmlinuz
 *     (known by the release in its header) with its modules (a directory or a tar; default: beside it, in
 *     {@code <root>/lib/modules/R}). Keep the {@link KernelImage} and run it with
 *     {@link #run(KernelImage, ProbeRequest, Duration, Consumer)}: it is that image, never another one found
 *     again by name. Call it when registering a target: fetching a kernel (about 100 MB) should not count
 *     against a run.</li>
 * <li>{@link #cachedKernels()} lists what is already fetched, {@link #installableKernels()} what apt can fetch
 *     (oldest first: the ordered series a bisection walks).</li>
 * <li>Runs may go on concurrently (each has its own QEMU and scratch directory; on 2 cores under TCG one at a
 *     time is faster). QEMU is always killed and reaped: at the end of a run, on a timeout, on an exception,
 *     on interruption of the calling thread, and at JVM shutdown.</li>
 * </ul>
 * Everything this class runs on the host is started with argument lists, never through a shell.
 */
public final class KernelLab {
    /** The backend name of a lab target, in reports and in the agent's registration. */
    public static final String BACKEND = "lab";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path home;
    private final Path jar;
    private final Accelerator accelerator;
    private final String guestBackend;
    private final KernelCache cache;
    private final KernelBuilds builds;

    /**
     * @param home where kernels ({@code <home>/kernels/<release>}) and the guest's runtime ({@code <home>/lab}) are cached
     * @param jar  the packaged gapwatch jar whose probe the guest runs
     */
    public KernelLab(Path home, Path jar) {
        this(home, jar, Accelerator.detect(), "kvm");
    }

    /**
     * @param guestBackend the probe backend in the guest: {@code kvm} in the product; the lab's own tests
     *                     also run {@code sim}, to check the lab's plumbing apart from the kvm backend
     */
    KernelLab(Path home, Path jar, Accelerator accelerator, String guestBackend) {
        this.home = home;
        this.jar = jar;
        this.accelerator = accelerator;
        this.guestBackend = guestBackend;
        this.cache = new KernelCache(home);
        this.builds = new KernelBuilds(home);
    }

    /** The lab as the launcher sets it up: {@code $GAPWATCH_HOME} (default $HOME/.gapwatch), {@code -Dgapwatch.jar}. */
    public static KernelLab fromEnvironment() {
        return new KernelLab(GapwatchHome.path(), defaultJar());
    }

    static Path defaultJar() {
        String jar = System.getProperty("gapwatch.jar");
        return jar == null || jar.isBlank() ? null : Path.of(jar);
    }

    public Accelerator accelerator() {
        return accelerator;
    }

    /** Can this lab start a guest at all: the host tools, and the guest's runtime (built now if it is not yet). */
    public void check() throws LabException {
        guestRuntime(HostTools.find());
    }

    /** The kernels this lab builds from recipes (base source, patches, config fragment), in the same home. */
    public KernelBuilds builds() {
        return builds;
    }

    /**
     * A kernel by Debian release (fetched into the cache on first use), by the name of a lab build
     * ({@code 6.12.117-gw-3f2a9c01b7de}, built before) or by the path of its vmlinuz.
     */
    public KernelImage resolve(String kernel) throws LabException {
        return resolve(kernel, null);
    }

    /**
     * As {@link #resolve(String)}; with a vmlinuz path, {@code modules} is its lib/modules/&lt;release&gt;
     * directory or a tar of it (null: beside the image's boot/ directory).
     */
    public KernelImage resolve(String kernel, Path modules) throws LabException {
        if (KernelRelease.isValid(kernel) && modules == null) {
            return cache.resolve(new KernelRelease(kernel), HostTools.find());
        }
        if (KernelBuilds.isBuiltRelease(kernel) && modules == null) {
            return builds.find(kernel);
        }
        if (kernel != null && kernel.contains("/")) {
            return cache.local(Path.of(kernel), modules, HostTools.find());
        }
        throw new LabException("'" + kernel + "' is neither a Debian kernel release (like 6.12.117+deb12-amd64, "
                + "6.12.117+deb12-rt-amd64 or 6.1.0-56-cloud-amd64), nor a lab build (like 6.12.117-gw-3f2a9c01b7de), "
                + "nor the path of a vmlinuz");
    }

    /** The target a lab agent registers for this kernel: what the guest will report, as QEMU was told to run it. */
    public TargetInfo target(KernelImage kernel) {
        return new TargetInfo(BACKEND, kernel.release(), accelerator.cpu(), accelerator.id());
    }

    /** The target of a lab that builds kernels of {@code base} ({@code build:6.12.117}): runs of recipes of that base. */
    public TargetInfo builderTarget(String base) {
        return new TargetInfo(BACKEND, io.gapwatch.client.BuildRecipe.builderKernel(base), accelerator.cpu(), accelerator.id());
    }

    /** The Debian releases already in the cache, oldest first. */
    public List<String> cachedKernels() throws LabException {
        return cache.cached().stream().map(KernelRelease::name).toList();
    }

    /** The Debian releases apt can fetch, oldest first (from apt's lists; run apt-get update to refresh them). */
    public List<String> installableKernels() throws LabException {
        return KernelCache.installable(HostTools.find()).stream().map(KernelRelease::name).toList();
    }

    /** As {@link #installableKernels()}, grouped by series and flavour ("6.12 rt-amd64"), oldest series first. */
    public Map<String, List<String>> installableBySeriesAndFlavour() throws LabException {
        return KernelCache.installable(HostTools.find()).stream().collect(Collectors.groupingBy(
                r -> r.series() + " " + r.flavour(), LinkedHashMap::new,
                Collectors.mapping(KernelRelease::name, Collectors.toList())));
    }

    /** One run on that kernel with the default timeout. Never throws: a lab failure is an ERROR report. */
    public ProbeReport run(String kernel, ProbeRequest request) {
        KernelImage image;
        try {
            image = resolve(kernel);
        } catch (LabException e) {
            return ProbeReport.infrastructureError(request, new TargetInfo(BACKEND, kernel, accelerator.cpu(),
                    accelerator.id()), e.getMessage());
        }
        return run(image, request, defaultTimeout(request), line -> { });
    }

    /**
     * One boot of {@code kernel} running {@code request}. {@code console} receives every line of the serial
     * console as it comes (a log, a progress display). Never throws: a lab failure is an ERROR report, a
     * kernel that cannot run the probe (no KVM, KVM refusing this CPU) a SKIP.
     */
    public ProbeReport run(KernelImage kernel, ProbeRequest request, Duration timeout, Consumer<String> console) {
        TargetInfo unknown = target(kernel);
        Path scratch = null;
        try {
            HostTools tools = HostTools.find();
            scratch = Files.createTempDirectory("gapwatch-lab-");
            Path initramfs = initramfs(kernel, tools, scratch);
            GuestBoot boot = new GuestBoot(tools.qemu(), accelerator, kernel.vmlinuz(), initramfs, nonce(),
                    probeArguments(request), false);
            return boot(boot, request, kernel.release(), timeout, console, scratch);
        } catch (UnfitKernelException e) {
            return ProbeReport.skipped(request, unknown, e.getMessage());
        } catch (LabException e) {
            return ProbeReport.infrastructureError(request, unknown, e.getMessage());
        } catch (IOException e) {
            return ProbeReport.infrastructureError(request, unknown, "lab scratch directory: " + e.getMessage());
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    /**
     * The benchmark's floor: the same kernel and QEMU command as a run, booted into an init that powers off
     * at once. Returns the wall time from QEMU's start to its exit.
     */
    public Duration floor(KernelImage kernel, Duration timeout) throws LabException {
        Path scratch = null;
        try {
            HostTools tools = HostTools.find();
            scratch = Files.createTempDirectory("gapwatch-lab-");
            Path initramfs = initramfs(kernel, tools, scratch);
            GuestBoot boot = new GuestBoot(tools.qemu(), accelerator, kernel.vmlinuz(), initramfs, nonce(),
                    probeArguments(new ProbeRequest(io.gapwatch.probe.Variant.CLOCK_REALTIME, 10, 1,
                            io.gapwatch.probe.VerdictRules.defaults())), true);
            long start = System.nanoTime();
            Process qemu = new ProcessBuilder(boot.qemuCommand())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            try {
                if (!qemu.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new LabException("the floor boot of " + kernel.release() + " did not power off within "
                            + timeout.toSeconds() + " s (a kernel without ACPI cannot: it has no floor)");
                }
                return Duration.ofNanos(System.nanoTime() - start);
            } finally {
                qemu.destroyForcibly();
                Exec.reap(qemu);
            }
        } catch (UnfitKernelException e) {
            throw new LabException(e.getMessage(), e);
        } catch (IOException e) {
            throw new LabException("floor boot: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted during the floor boot", e);
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
    }

    /** The kernel's initramfs with the guest's runtime appended: one file, as QEMU's -initrd takes one. */
    private Path initramfs(KernelImage kernel, HostTools tools, Path scratch)
            throws LabException, UnfitKernelException, IOException {
        Path base = Initramfs.forKernel(kernel, tools, scratch);
        Path runtime = guestRuntime(tools);
        Path initramfs = scratch.resolve("initramfs.cpio");
        try (var out = Files.newOutputStream(initramfs)) {
            long length = Files.copy(base, out);
            // The kernel looks for the next (uncompressed) archive at a 4-byte boundary, skipping zeros.
            out.write(new byte[(int) ((4 - length % 4) % 4)]);
            Files.copy(runtime, out);
        }
        return initramfs;
    }

    private Path guestRuntime(HostTools tools) throws LabException {
        if (jar == null) {
            throw new LabException("the lab runs gapwatch's probe in the guest but was not told where gapwatch.jar is: "
                    + "start it with bin/gapwatch, or pass -Dgapwatch.jar=<path of target/gapwatch.jar>");
        }
        if (!Files.isRegularFile(jar)) {
            throw new LabException("gapwatch jar " + jar + " does not exist");
        }
        return GuestRuntime.forJar(home, jar, Path.of(System.getProperty("java.home")), tools);
    }

    /** Boot, start-up of a JVM under TCG (about 10 s) and margin, plus each iteration's gap and work. */
    public static Duration defaultTimeout(ProbeRequest request) {
        return Duration.ofSeconds(120).plusMillis((long) request.iterations() * (request.gapMs() + 1500L));
    }

    /** The {@code gapwatch probe} command line the guest runs. */
    List<String> probeArguments(ProbeRequest request) {
        List<String> args = new ArrayList<>(List.of("probe", "--backend", guestBackend,
                "--variant", request.variant().id(), "--gap-ms", Integer.toString(request.gapMs()),
                "--iterations", Integer.toString(request.iterations()), "--format", "json",
                "--tolerance-ms", BigDecimal.valueOf(request.rules().toleranceNs(), 6).stripTrailingZeros().toPlainString(),
                "--resource-report"));
        if (request.rules().strict()) {
            args.add("--strict");
        }
        return args;
    }

    private ProbeReport boot(GuestBoot boot, ProbeRequest request, String release, Duration timeout,
                             Consumer<String> console, Path scratch) throws LabException {
        Path stderr = scratch.resolve("qemu.stderr");
        Process qemu;
        try {
            qemu = new ProcessBuilder(boot.qemuCommand())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectError(stderr.toFile())
                    .start();
        } catch (IOException e) {
            throw new LabException("cannot start " + boot.qemu() + ": " + e.getMessage(), e);
        }
        // Should this JVM end first (SIGTERM to an agent), QEMU must not outlive it, nor its scratch files.
        Thread reaper = new Thread(() -> {
            qemu.destroyForcibly();
            try {
                qemu.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // the JVM is going away anyway
            }
            deleteQuietly(scratch);
        }, "gapwatch-lab-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        SerialConsole serial = new SerialConsole(boot.nonce());
        CompletableFuture<Void> said = new CompletableFuture<>();
        Thread reader = new Thread(() -> read(qemu, serial, console, said), "gapwatch-lab-console");
        reader.setDaemon(true);
        reader.start();
        boolean timedOut = false;
        try {
            try {
                said.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                timedOut = true;
            }
            // Once the guest said all it will, it is killed, not waited for: a kernel without ACPI cannot
            // power off (it halts), and a powering-off guest only adds seconds under TCG. A console that
            // closed without that is QEMU ending by itself: let it exit, for its exit code.
            if (!timedOut && !serial.finished()) {
                qemu.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while the guest ran", e);
        } catch (ExecutionException e) {
            throw new LabException("reading the serial console: " + e.getCause().getMessage(), e.getCause());
        } finally {
            qemu.destroyForcibly();
            Exec.reap(qemu);
            joinQuietly(reader);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to: it reaps the same process, no harm
            }
        }
        int exit = timedOut || serial.finished() ? 0 : qemu.exitValue();
        return new GuestOutcome(timedOut, exit, readQuietly(stderr), timeout.toSeconds())
                .report(request, serial, release, accelerator);
    }

    private static void read(Process qemu, SerialConsole serial, Consumer<String> console, CompletableFuture<Void> said) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(qemu.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                serial.accept(line);
                console.accept(line);
                if (serial.finished()) {
                    said.complete(null);
                }
            }
            said.complete(null);
        } catch (IOException | UncheckedIOException e) {
            // QEMU killed under the reader closes the pipe: whatever was read is in the console already.
            said.complete(null);
        } catch (RuntimeException e) {
            said.completeExceptionally(e);
        }
    }

    private static String nonce() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            KernelCache.deleteTree(dir);
        } catch (IOException e) {
            // A leftover scratch directory in the temp dir is harmless; failing the run for it is not.
        }
    }
}
