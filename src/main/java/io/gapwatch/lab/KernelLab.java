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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Pattern;

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
 *     {@code kernelRelease} = the guest's uname -r, {@code accelerator} = {@code tcg} or {@code kvm}. Verdicts
 *     are the probe's (PASS/FAIL/SKIP); a lab failure (missing tool, unknown kernel, panic, hang, timeout) is
 *     ERROR whose {@code error} ends with the serial console's last 30 lines.</li>
 * <li>{@link #resolve(String)} accepts a Debian release ({@link KernelRelease}) or the path of a vmlinuz
 *     with its modules beside it ({@code <root>/boot/vmlinuz-R}, {@code <root>/lib/modules/R}); for other
 *     layouts use {@link KernelImage#local(Path, Path)} and {@link #run(KernelImage, ProbeRequest, Duration, Consumer)}.
 *     Call it when registering a target: fetching a kernel (about 100 MB) should not count against a run.</li>
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
    /** The guest cannot see these host paths: init.sh mounts its own proc, sys and dev over them. */
    private static final List<String> HIDDEN_IN_GUEST = List.of("/proc", "/sys", "/dev");
    private static final Pattern GUEST_PATH = Pattern.compile("/[A-Za-z0-9._/+-]+");
    /** How long a guest that printed its report may take to power off before it is killed. */
    private static final Duration POWEROFF_GRACE = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path jar;
    private final Path java;
    private final Accelerator accelerator;
    private final String guestBackend;
    private final KernelCache cache;

    /**
     * @param home where kernels are cached ({@code <home>/kernels/<release>})
     * @param jar  the gapwatch jar the guest runs (a host path outside /proc, /sys and /dev: the guest sees the host root)
     */
    public KernelLab(Path home, Path jar) {
        this(home, jar, Path.of(System.getProperty("java.home"), "bin", "java"), Accelerator.detect(), "kvm");
    }

    /**
     * @param guestBackend the probe backend in the guest: {@code kvm} in the product; the lab's own tests
     *                     also run {@code sim}, to check the lab's plumbing apart from the kvm backend
     */
    KernelLab(Path home, Path jar, Path java, Accelerator accelerator, String guestBackend) {
        this.jar = jar;
        this.java = java;
        this.accelerator = accelerator;
        this.guestBackend = guestBackend;
        this.cache = new KernelCache(home);
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

    /** Can this lab start a guest at all: the host tools, java and the jar the guest runs. */
    public void check() throws LabException {
        HostTools.find();
        checkGuestPaths();
    }

    /** A kernel by Debian release (fetched into the cache on first use) or by the path of its vmlinuz. */
    public KernelImage resolve(String kernel) throws LabException {
        if (KernelRelease.isValid(kernel)) {
            return cache.resolve(new KernelRelease(kernel), HostTools.find());
        }
        if (kernel != null && kernel.contains("/")) {
            return KernelImage.local(Path.of(kernel), null);
        }
        throw new LabException("'" + kernel + "' is neither a Debian kernel release (like 6.12.117+deb12-amd64 or "
                + "6.1.0-56-amd64) nor the path of a vmlinuz");
    }

    /** The Debian releases already in the cache, oldest first. */
    public List<String> cachedKernels() throws LabException {
        return cache.cached().stream().map(KernelRelease::name).toList();
    }

    /** The Debian releases apt can fetch, oldest first (from apt's lists; run apt-get update to refresh them). */
    public List<String> installableKernels() throws LabException {
        return KernelCache.installable(HostTools.find()).stream().map(KernelRelease::name).toList();
    }

    /** One run on that kernel with the default timeout. Never throws: a lab failure is an ERROR report. */
    public ProbeReport run(String kernel, ProbeRequest request) {
        KernelImage image;
        try {
            image = resolve(kernel);
        } catch (LabException e) {
            return ProbeReport.broken(request, new TargetInfo(BACKEND, kernel, null, accelerator.id()),
                    e.getMessage(), List.of());
        }
        return run(image, request, defaultTimeout(request), line -> { });
    }

    /**
     * One boot of {@code kernel} running {@code request}. {@code console} receives every line of the serial
     * console as it comes (a log, a progress display). Never throws: a lab failure is an ERROR report.
     */
    public ProbeReport run(KernelImage kernel, ProbeRequest request, Duration timeout, Consumer<String> console) {
        TargetInfo unknown = new TargetInfo(BACKEND, kernel.release(), null, accelerator.id());
        Path scratch = null;
        try {
            HostTools tools = HostTools.find();
            checkGuestPaths();
            scratch = Files.createTempDirectory("gapwatch-lab-");
            Path initramfs = Initramfs.forKernel(kernel, tools, scratch);
            GuestBoot boot = new GuestBoot(tools.qemu(), accelerator, kernel.vmlinuz(), initramfs, nonce(), java, jar,
                    probeArguments(request));
            return boot(boot, request, kernel.release(), timeout, console, scratch);
        } catch (LabException e) {
            return ProbeReport.broken(request, unknown, e.getMessage(), List.of());
        } catch (IOException e) {
            return ProbeReport.broken(request, unknown, "lab scratch directory: " + e.getMessage(), List.of());
        } finally {
            if (scratch != null) {
                deleteQuietly(scratch);
            }
        }
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
            if (!timedOut && !qemu.waitFor(POWEROFF_GRACE.toMillis(), TimeUnit.MILLISECONDS) && !serial.finished()) {
                timedOut = true;
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
        int exit = timedOut ? -1 : qemu.exitValue();
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

    private void checkGuestPaths() throws LabException {
        if (jar == null) {
            throw new LabException("the lab runs gapwatch.jar in the guest but was not told where it is: start it with "
                    + "bin/gapwatch, or pass -Dgapwatch.jar=<path of target/gapwatch.jar>");
        }
        checkGuestPath("gapwatch jar", jar);
        checkGuestPath("java", java);
    }

    static void checkGuestPath(String what, Path path) throws LabException {
        String p = path.toString();
        if (!GUEST_PATH.matcher(p).matches()) {
            throw new LabException(what + " " + p + ": the guest gets it on the kernel command line, so it must be an "
                    + "absolute path of letters, digits and ._/+- only");
        }
        for (String hidden : HIDDEN_IN_GUEST) {
            if (p.equals(hidden) || p.startsWith(hidden + "/")) {
                throw new LabException(what + " " + p + " is under " + hidden + ", which the guest mounts afresh: "
                        + "it would not see it there");
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new LabException(what + " " + p + " does not exist");
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
