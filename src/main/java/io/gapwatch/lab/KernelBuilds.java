package io.gapwatch.lab;

import io.gapwatch.client.BuildRecipe;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Kernels the lab builds from a {@link BuildRecipe}: a Debian {@code linux-source} tree, a patch series applied with
 * {@code git am}, the lab's config ({@value #LAB_CONFIG}, on top of {@code make tinyconfig}) and the recipe's
 * fragment. The result is a lab kernel named by the recipe ({@code uname -r} = {@link BuildRecipe#release()}),
 * kept and reused: an identical recipe is never built twice.
 *
 * <p>Under {@code <home>/lab}:
 * <ul>
 * <li>{@code sources/<base>/tree}: the unpacked source, a git repository whose first commit (tag
 *     {@code gapwatch-base}) is the Debian tree; each applied patch prefix is kept as a ref
 *     ({@code refs/gapwatch/series/<hash>}), so a bisection's next midpoint checks out the nearest prefix already
 *     applied and only the files that differ change on disk.</li>
 * <li>{@code sources/<base>/obj}: the one object directory ({@code make O=}) of that base: the next recipe rebuilds
 *     only what its patches and config changed.</li>
 * <li>{@code builds/<release>-<config>/}: a finished kernel ({@code bzImage}, {@code config}, {@code modules/} with
 *     {@code modules.builtin}); {@code <config>} hashes the lab config, so a new lab config rebuilds.
 *     {@code builds/<release>-<config>.log}: its build log, kept for failed builds too.</li>
 * </ul>
 * One build per base at a time (a lock file, and a monitor for threads of one JVM): they share the tree.
 * The compiler runs at nice 10, {@code -j} the number of processors.
 */
public final class KernelBuilds {
    /** The lab's kernel config, a resource beside this class. */
    public static final String LAB_CONFIG = "lab-kernel.config";
    /** What a recipe's kernel is called: {@code 6.12.117-gw-3f2a9c01b7de}. */
    private static final Pattern BUILT_RELEASE = Pattern.compile("[0-9]+\\.[0-9]+(\\.[0-9]+)?-gw-[0-9a-f]{12}");
    private static final String BASE_TAG = "gapwatch-base";
    private static final String SERIES_REFS = "refs/gapwatch/series/";
    /** What the lab asks of a host that builds kernels, beyond the lab's own tools. */
    static final String APT_PACKAGES = "git make gcc flex bison bc libelf-dev libssl-dev";
    private static final List<String> TOOLS = List.of("git", "make", "gcc", "flex", "bison", "bc", "perl", "nice");
    /** Some 7.5 min cold on an idle 2-core machine; many times that when others compile too. */
    private static final Duration MAKE_TIMEOUT = Duration.ofHours(3);
    /** Downloading and unpacking 150 MB, committing 90 000 files. */
    private static final Duration SOURCE_TIMEOUT = Duration.ofMinutes(60);
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(10);
    /** How much of a failed build's log its error carries. */
    public static final int LOG_TAIL_LINES = 60;
    /** A compiled object, as kbuild's short output names it. */
    private static final Pattern OBJECT = Pattern.compile("^\\s+(CC|AS)\\s+\\S+\\.o$");
    private static final long PROGRESS_EVERY_NS = 250_000_000L;
    private static final ConcurrentHashMap<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();
    /** Commits of the tree are the lab's, with a fixed identity: no git configuration of the host is needed. */
    private static final Map<String, String> GIT_IDENTITY = Map.of(
            "GIT_AUTHOR_NAME", "gapwatch lab", "GIT_AUTHOR_EMAIL", "lab@gapwatch.invalid",
            "GIT_COMMITTER_NAME", "gapwatch lab", "GIT_COMMITTER_EMAIL", "lab@gapwatch.invalid");

    private final Path lab;
    private final int jobs;

    /** @param home {@code $GAPWATCH_HOME}: sources, objects and built kernels go under {@code <home>/lab} */
    public KernelBuilds(Path home) {
        this.lab = home.resolve("lab").toAbsolutePath().normalize();
        this.jobs = Runtime.getRuntime().availableProcessors();
    }

    /** A kernel the lab built (or found built): {@code took} is zero when it was {@code reused}. */
    public record Built(KernelImage kernel, Duration took, boolean reused, Path log) {
    }

    /**
     * How far a build has got: {@code step} (unpacking, applying, configuring, compiling, ...), and while compiling
     * the objects compiled so far and, for a build from an empty object directory, how many the last such build
     * of this base and config compiled (0: unknown, or an incremental build, which compiles only what changed).
     */
    public record Progress(String release, String step, int objects, int expected) {
        public String message() {
            String s = "building " + release + ": " + step;
            if (objects == 0) {
                return s;
            }
            return s + ", " + objects + (expected > objects ? "/" + expected : "") + " objects";
        }
    }

    /** Is {@code name} the release of a lab build ({@code <base>-gw-<hex12>}). */
    public static boolean isBuiltRelease(String name) {
        return name != null && BUILT_RELEASE.matcher(name).matches();
    }

    /**
     * The kernel of {@code recipe}: the one built before with this lab config, or built now. {@code progress}
     * hears of each step and, while compiling, at most four times a second.
     *
     * @throws KernelBuildException the recipe cannot be built (its source, a patch, its config, the compiler)
     * @throws LabException         this host cannot build at all (a tool missing, the disk)
     */
    public Built build(BuildRecipe recipe, Consumer<Progress> progress) throws KernelBuildException, LabException {
        String release = recipe.release();
        Optional<Built> done = reuse(release);
        if (done.isPresent()) {
            return done.get();
        }
        requireTools();
        Path sources = lab.resolve("sources");
        try {
            Files.createDirectories(sources);
            Files.createDirectories(lab.resolve("builds"));
            synchronized (IN_PROCESS.computeIfAbsent(sources.resolve(recipe.base()), d -> new Object())) {
                try (FileChannel lockFile = FileChannel.open(sources.resolve(recipe.base() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lockFile.lock()) {
                    // Another process may have built it while this one waited for the lock.
                    done = reuse(release);
                    if (done.isPresent()) {
                        return done.get();
                    }
                    return buildLocked(recipe, progress);
                }
            }
        } catch (IOException e) {
            throw new LabException("kernel build of " + release + " in " + lab + ": " + e.getMessage(), e);
        }
    }

    /** A kernel built earlier, by its release: with the current lab config if there is one, else the newest. */
    public KernelImage find(String release) throws LabException {
        if (!isBuiltRelease(release)) {
            throw new LabException("'" + release + "' is not the name of a lab build (like 6.12.117-gw-3f2a9c01b7de)");
        }
        Optional<Built> current = reuse(release);
        if (current.isPresent()) {
            return current.get().kernel();
        }
        Path builds = lab.resolve("builds");
        if (Files.isDirectory(builds)) {
            try (Stream<Path> dirs = Files.list(builds)) {
                Optional<Path> newest = dirs.filter(d -> d.getFileName().toString().startsWith(release + "-"))
                        .filter(d -> Files.isRegularFile(d.resolve("bzImage")))
                        .max(Comparator.comparing(d -> d.resolve("bzImage").toFile().lastModified()));
                if (newest.isPresent()) {
                    return image(release, newest.get());
                }
            } catch (IOException e) {
                throw new LabException("cannot list " + builds + ": " + e.getMessage(), e);
            }
        }
        throw new LabException("no lab build " + release + " in " + builds + " (build it with 'gapwatch lab build', "
                + "or let a lab agent with --build-source build it)");
    }

    /** The kernels built with the current lab config, by release. */
    public List<String> built() throws LabException {
        Path builds = lab.resolve("builds");
        if (!Files.isDirectory(builds)) {
            return List.of();
        }
        String suffix = "-" + configKey();
        try (Stream<Path> dirs = Files.list(builds)) {
            return dirs.map(d -> d.getFileName().toString())
                    .filter(n -> n.endsWith(suffix) && Files.isRegularFile(builds.resolve(n).resolve("bzImage")))
                    .map(n -> n.substring(0, n.length() - suffix.length()))
                    .filter(KernelBuilds::isBuiltRelease).sorted().toList();
        } catch (IOException e) {
            throw new LabException("cannot list " + builds + ": " + e.getMessage(), e);
        }
    }

    /** The directory of this release built with the current lab config. */
    Path buildDir(String release) {
        return lab.resolve("builds").resolve(release + "-" + configKey());
    }

    /** The first 12 hex digits of SHA-256 over the lab config: part of every build's cache key. */
    static String configKey() {
        return sha256Hex(labConfig()).substring(0, 12);
    }

    static String labConfig() {
        try (InputStream in = KernelBuilds.class.getResourceAsStream(LAB_CONFIG)) {
            if (in == null) {
                throw new IllegalStateException("resource " + LAB_CONFIG + " is missing from the gapwatch jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Optional<Built> reuse(String release) throws LabException {
        Path dir = buildDir(release);
        if (!Files.isRegularFile(dir.resolve("bzImage"))) {
            return Optional.empty();
        }
        return Optional.of(new Built(image(release, dir), Duration.ZERO, true, logOf(dir)));
    }

    private static KernelImage image(String release, Path dir) throws LabException {
        String said = KernelImage.releaseOf(dir.resolve("bzImage"));
        if (!said.equals(release)) {
            throw new LabException(dir.resolve("bzImage") + " says it is " + said + ", not " + release
                    + ": remove " + dir + " to build it again");
        }
        return new KernelImage(release, dir.resolve("bzImage"), dir.resolve("modules"), dir);
    }

    private static Path logOf(Path buildDir) {
        return buildDir.resolveSibling(buildDir.getFileName() + ".log");
    }

    private Built buildLocked(BuildRecipe recipe, Consumer<Progress> progress) throws KernelBuildException, LabException, IOException {
        String release = recipe.release();
        Path dir = buildDir(release);
        Path log = logOf(dir);
        long started = System.nanoTime();
        try (BuildLog out = new BuildLog(log)) {
            out.line("gapwatch lab build " + release + ": base " + recipe.base() + ", " + recipe.patches().size()
                    + " patches, lab config " + configKey() + ", -j" + jobs);
            Path base = lab.resolve("sources").resolve(recipe.base());
            Path tree = base.resolve("tree");
            Path obj = base.resolve("obj");
            if (!Files.isDirectory(tree.resolve(".git"))) {
                progress.accept(new Progress(release, "unpacking the Debian source of " + recipe.base(), 0, 0));
                unpack(recipe.base(), base, tree, out);
            }
            progress.accept(new Progress(release, "applying " + recipe.patches().size() + " patches", 0, 0));
            apply(recipe, tree, out);
            progress.accept(new Progress(release, "configuring", 0, 0));
            Files.createDirectories(obj);
            boolean cold = !Files.isRegularFile(obj.resolve("vmlinux.o"));
            configure(recipe, tree, obj, out);
            Path expectedFile = base.resolve("objects-" + configKey());
            int expected = cold && Files.isRegularFile(expectedFile) ? Integer.parseInt(Files.readString(expectedFile).strip()) : 0;
            int objects = compile(release, tree, obj, expected, progress, out);
            if (cold) {
                Files.writeString(expectedFile, objects + "\n");
            }
            String made = run(List.of("make", "-s", "-C", tree.toString(), "O=" + obj, "LOCALVERSION=", "kernelrelease"),
                    null, Map.of(), STEP_TIMEOUT, out, null).output().strip();
            if (!made.equals(release)) {
                throw new KernelBuildException("the build of " + release + " made a kernel that calls itself '" + made
                        + "' (is CONFIG_LOCALVERSION_AUTO set by the fragment?)", log);
            }
            install(release, obj, dir);
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            out.line(String.format(java.util.Locale.ROOT, "built %s in %.1f s (%s objects compiled%s)", release,
                    took.toMillis() / 1000.0, objects, cold ? ", from an empty object directory" : ""));
            return new Built(image(release, dir), took, false, log);
        }
    }

    /**
     * The Debian source of {@code base}: {@code apt-get download linux-source-<series>=<version>} (the package
     * version whose upstream part is {@code base}), its tarball unpacked and committed as the tree's first commit.
     */
    private void unpack(String base, Path dir, Path tree, BuildLog out) throws KernelBuildException, LabException, IOException {
        String series = base.replaceFirst("^([0-9]+\\.[0-9]+).*", "$1");
        String pkg = "linux-source-" + series;
        Exec.Result madison = run(List.of("apt-cache", "madison", pkg), null, Map.of(), STEP_TIMEOUT, out, null);
        List<String> versions = madison.output().lines().map(l -> l.split("\\|"))
                .filter(f -> f.length >= 2 && f[0].strip().equals(pkg)).map(f -> f[1].strip()).distinct().toList();
        String version = versions.stream().filter(v -> v.startsWith(base + "-") || v.equals(base)).findFirst()
                .orElseThrow(() -> new KernelBuildException("apt has no " + pkg + " of " + base
                        + (versions.isEmpty() ? " (nor any other version: is the series right? after 'apt-get update' the lists may know more)"
                        : " (it has " + String.join(", ", versions) + "): build one of those"), out.path()));
        Path download = dir.resolve("download");
        Path partial = dir.resolve("tree.partial");
        KernelCache.deleteTree(download);
        KernelCache.deleteTree(partial);
        Files.createDirectories(download);
        Files.createDirectories(partial);
        require(run(List.of("apt-get", "-q", "download", pkg + "=" + version), download, Map.of(), SOURCE_TIMEOUT, out, null),
                "apt-get download " + pkg + "=" + version, out);
        Path deb = only(download, pkg + "_", ".deb");
        Path extracted = download.resolve("x");
        require(run(List.of("dpkg-deb", "-x", deb.toString(), extracted.toString()), null, Map.of(), SOURCE_TIMEOUT, out, null),
                "dpkg-deb -x " + deb, out);
        Path tarball = only(extracted.resolve("usr/src"), pkg + ".tar", "");
        require(run(List.of("tar", "-xf", tarball.toString(), "-C", partial.toString(), "--strip-components=1"),
                null, Map.of(), SOURCE_TIMEOUT, out, null), "tar -xf " + tarball, out);
        String made = makefileVersion(partial.resolve("Makefile"));
        if (!made.equals(base)) {
            throw new KernelBuildException(pkg + " " + version + " holds the source of " + made + ", not " + base, out.path());
        }
        // The tarball's own .gitignore files would hide some of its files from git: -f commits the tree as shipped.
        git(partial, out, "init", "-q");
        git(partial, out, "config", "gc.auto", "0");
        git(partial, out, "config", "core.looseCompression", "1");
        git(partial, out, "add", "-A", "-f");
        git(partial, out, "commit", "-q", "--no-verify", "-m", pkg + " " + version);
        git(partial, out, "tag", BASE_TAG);
        Files.move(partial, tree, StandardCopyOption.ATOMIC_MOVE);
        KernelCache.deleteTree(download);
    }

    /**
     * The tree at the recipe's patches: from the longest prefix of the series applied before (a ref), {@code git
     * am} of the rest, one commit each, each prefix kept as a ref. A patch that does not apply is named by position
     * and subject; the tree is left at its predecessor, as {@code git am --abort} leaves it.
     */
    private void apply(BuildRecipe recipe, Path tree, BuildLog out) throws KernelBuildException, LabException, IOException {
        // A build killed mid-way may have left an am in progress or changed files: start from a clean checkout.
        if (Files.isDirectory(tree.resolve(".git/rebase-apply"))) {
            run(gitCommand("am", "--abort"), tree, GIT_IDENTITY, STEP_TIMEOUT, out, null);
        }
        int from = recipe.patches().size();
        while (from > 0 && !refExists(tree, seriesRef(recipe, from), out)) {
            from--;
        }
        git(tree, out, "checkout", "-q", "-f", "--detach", from == 0 ? BASE_TAG : seriesRef(recipe, from));
        out.line("tree at " + (from == 0 ? "the base" : "patch " + from + " (applied before)"));
        for (BuildRecipe.Patch p : recipe.patches().subList(from, recipe.patches().size())) {
            Path file = Files.createTempFile(tree.resolve(".git"), "patch-", ".mbox");
            try {
                Files.writeString(file, p.text());
                Exec.Result am = run(gitCommand("am", "-q", "--no-3way", file.toString()), tree, GIT_IDENTITY,
                        STEP_TIMEOUT, out, null);
                if (!am.ok()) {
                    run(gitCommand("am", "--abort"), tree, GIT_IDENTITY, STEP_TIMEOUT, out, null);
                    throw new PatchDoesNotApplyException(p.position(), p.subject(),
                            KernelCache.lastLines(am.output(), 8), out.path());
                }
            } finally {
                Files.deleteIfExists(file);
            }
            git(tree, out, "update-ref", seriesRef(recipe, p.position()), "HEAD");
            out.line("applied patch " + p.position() + ": " + p.subject());
        }
    }

    /** {@code make tinyconfig}, the lab config, the recipe's fragment and its name merged, {@code olddefconfig}; checked. */
    private void configure(BuildRecipe recipe, Path tree, Path obj, BuildLog out) throws KernelBuildException, LabException, IOException {
        Path fragments = obj.resolve("gapwatch");
        Files.createDirectories(fragments);
        String labConfig = labConfig();
        String name = "CONFIG_LOCALVERSION=\"" + recipe.release().substring(recipe.base().length()) + "\"\n";
        Files.writeString(fragments.resolve("lab.config"), labConfig);
        Files.writeString(fragments.resolve("fragment.config"), recipe.configFragment());
        Files.writeString(fragments.resolve("release.config"), name);
        make(tree, obj, out, "tinyconfig");
        require(run(List.of(tree.resolve("scripts/kconfig/merge_config.sh").toString(), "-m", "-O", obj.toString(),
                        obj.resolve(".config").toString(), fragments.resolve("lab.config").toString(),
                        fragments.resolve("fragment.config").toString(), fragments.resolve("release.config").toString()),
                tree, Map.of(), STEP_TIMEOUT, out, null), "merge_config.sh", out);
        make(tree, obj, out, "olddefconfig");
        Map<String, String> wanted = assignments(labConfig);
        Map<String, String> fragment = assignments(recipe.configFragment());
        wanted.keySet().removeAll(fragment.keySet()); // the user's fragment has the last word
        Map<String, String> actual = assignments(Files.readString(obj.resolve(".config")));
        List<String> refused = new ArrayList<>();
        check(wanted, actual, "the lab config", refused);
        check(fragment, actual, "the config fragment", refused);
        check(assignments(name), actual, "the release name", refused);
        if (!refused.isEmpty()) {
            throw new KernelBuildException("the kernel's Kconfig did not take " + String.join("; ", refused)
                    + " (an unmet dependency, or a symbol this kernel does not have)", out.path());
        }
    }

    private static void check(Map<String, String> wanted, Map<String, String> actual, String from, List<String> refused) {
        wanted.forEach((symbol, value) -> {
            String got = actual.getOrDefault(symbol, "n");
            if (!got.equals(value)) {
                refused.add(symbol + "=" + value + " from " + from + " (it is " + got + ")");
            }
        });
    }

    /** {@code CONFIG_X=v} lines, and {@code # CONFIG_X is not set} as {@code n}. */
    static Map<String, String> assignments(String config) {
        Map<String, String> a = new LinkedHashMap<>();
        Pattern set = Pattern.compile("^(CONFIG_[A-Za-z0-9_]+)=(.*)$");
        Pattern unset = Pattern.compile("^# (CONFIG_[A-Za-z0-9_]+) is not set$");
        for (String line : config.lines().map(String::strip).toList()) {
            Matcher m = set.matcher(line);
            if (m.matches()) {
                a.put(m.group(1), m.group(2));
            } else if ((m = unset.matcher(line)).matches()) {
                a.put(m.group(1), "n");
            }
        }
        return a;
    }

    /** {@code make bzImage}, counting compiled objects; returns how many. */
    private int compile(String release, Path tree, Path obj, int expected, Consumer<Progress> progress, BuildLog out)
            throws KernelBuildException, LabException {
        int[] objects = {0};
        long[] last = {0};
        progress.accept(new Progress(release, "compiling", 0, expected));
        Exec.Result r = run(List.of("nice", "-n", "10", "make", "-C", tree.toString(), "O=" + obj, "LOCALVERSION=",
                "-j" + jobs, "bzImage"), null, Map.of(), MAKE_TIMEOUT, out, line -> {
            if (OBJECT.matcher(line).matches()) {
                objects[0]++;
                long now = System.nanoTime();
                if (now - last[0] >= PROGRESS_EVERY_NS) {
                    last[0] = now;
                    progress.accept(new Progress(release, "compiling", objects[0], expected));
                }
            }
        });
        if (!r.ok()) {
            throw new KernelBuildException("make bzImage of " + release + " failed (exit " + r.exitCode() + ")",
                    out.path());
        }
        return objects[0];
    }

    /** The image, its config and modules.builtin, into the build's directory (beside it first, then renamed). */
    private static void install(String release, Path obj, Path dir) throws IOException {
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        KernelCache.deleteTree(partial);
        Files.createDirectories(partial.resolve("modules"));
        Files.copy(obj.resolve("arch/x86/boot/bzImage"), partial.resolve("bzImage"));
        Files.copy(obj.resolve(".config"), partial.resolve("config"));
        // Everything is built in (the lab config has no modules): the lab reads KVM from modules.builtin.
        Path builtin = obj.resolve("modules.builtin");
        if (Files.isRegularFile(builtin)) {
            Files.copy(builtin, partial.resolve("modules/modules.builtin"));
        } else {
            Files.writeString(partial.resolve("modules/modules.builtin"), "");
        }
        KernelCache.deleteTree(dir);
        Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    }

    private void make(Path tree, Path obj, BuildLog out, String target) throws KernelBuildException, LabException {
        require(run(List.of("make", "-C", tree.toString(), "O=" + obj, "LOCALVERSION=", target), null, Map.of(),
                STEP_TIMEOUT, out, null), "make " + target, out);
    }

    private static String seriesRef(BuildRecipe recipe, int k) {
        StringBuilder text = new StringBuilder();
        for (BuildRecipe.Patch p : recipe.patches().subList(0, k)) {
            text.append(sha256Hex(p.text())).append('\n');
        }
        return SERIES_REFS + sha256Hex(text.toString()).substring(0, 16);
    }

    private boolean refExists(Path tree, String ref, BuildLog out) throws LabException {
        return run(gitCommand("rev-parse", "-q", "--verify", ref + "^{commit}"), tree, Map.of(), STEP_TIMEOUT, out, null).ok();
    }

    private void git(Path tree, BuildLog out, String... args) throws KernelBuildException, LabException {
        require(run(gitCommand(args), tree, GIT_IDENTITY, SOURCE_TIMEOUT, out, null), "git " + args[0], out);
    }

    /**
     * Git compares a file's owner with the index's; the tree is used as root and as "nobody" in bin/gapwatch's user
     * namespace (tests, the embedded database), where the same files show another owner. With that check on, a
     * {@code checkout -f} from the other side rewrote all 90 000 files and make then recompiled every object.
     */
    private static List<String> gitCommand(String... args) {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "core.checkStat=minimal", "-c", "core.trustCtime=false"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static void require(Exec.Result r, String what, BuildLog out) throws KernelBuildException {
        if (!r.ok()) {
            throw new KernelBuildException(what + " failed (exit " + r.exitCode() + "):\n"
                    + KernelCache.lastLines(r.output(), 15), out.path());
        }
    }

    private static Path only(Path dir, String prefix, String suffix) throws IOException, KernelBuildException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix) && f.getFileName().toString().endsWith(suffix))
                    .findFirst().orElseThrow(() -> new KernelBuildException("no " + prefix + "*" + suffix + " in " + dir, null));
        }
    }

    /** "6.12.117" from a kernel Makefile's VERSION, PATCHLEVEL and SUBLEVEL. */
    static String makefileVersion(Path makefile) throws IOException {
        Map<String, String> v = new LinkedHashMap<>();
        for (String line : Files.readAllLines(makefile).subList(0, 10)) {
            Matcher m = Pattern.compile("^(VERSION|PATCHLEVEL|SUBLEVEL) = ([0-9]+)$").matcher(line.strip());
            if (m.matches()) {
                v.put(m.group(1), m.group(2));
            }
        }
        return v.get("VERSION") + "." + v.get("PATCHLEVEL") + "." + v.get("SUBLEVEL");
    }

    private static void requireTools() throws LabException {
        List<String> missing = new ArrayList<>();
        List<Path> path = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":"))
                .filter(s -> !s.isEmpty()).map(Path::of).toList();
        for (String tool : TOOLS) {
            if (path.stream().noneMatch(d -> Files.isExecutable(d.resolve(tool)))) {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty()) {
            throw new LabException("building kernels needs " + String.join(", ", missing) + ": apt-get install " + APT_PACKAGES);
        }
    }

    /**
     * Runs {@code command} with its output (stderr merged) into the build log and, line by line, to {@code lines};
     * returns the exit code and the output's last 16 KB. On a timeout or an interrupt the whole process tree is
     * killed (make's compilers with it) before this returns.
     */
    private static Exec.Result run(List<String> command, Path dir, Map<String, String> env, Duration timeout,
                                   BuildLog out, Consumer<String> lines) throws LabException {
        out.line("$ " + String.join(" ", command));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().put("LC_ALL", "C");
        builder.environment().putAll(env);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new LabException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        StringBuilder kept = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.line(line);
                    synchronized (kept) {
                        kept.append(line).append('\n');
                        if (kept.length() > 32 * 1024) {
                            kept.delete(0, kept.length() - 16 * 1024);
                        }
                    }
                    if (lines != null) {
                        lines.accept(line);
                    }
                }
            } catch (IOException e) {
                // the process was killed under the reader: what it said is in the log
            }
        }, "gapwatch-build-output");
        reader.setDaemon(true);
        reader.start();
        Thread reaper = new Thread(() -> kill(process), "gapwatch-build-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill(process);
                throw new LabException(String.join(" ", command) + " did not finish within " + timeout.toMinutes() + " min");
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            synchronized (kept) {
                return new Exec.Result(process.exitValue(), kept.toString());
            }
        } catch (InterruptedException e) {
            kill(process);
            Thread.currentThread().interrupt();
            throw new LabException("interrupted while running " + command.get(0), e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook kills the same tree
            }
        }
    }

    /** The process and all its descendants (make's compilers), children first. */
    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        Exec.reap(process);
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The build's log file, appended line by line (so it can be followed while the build runs). */
    private static final class BuildLog implements AutoCloseable {
        private final Path path;
        private final BufferedWriter writer;

        BuildLog(Path path) throws IOException {
            this.path = path;
            this.writer = Files.newBufferedWriter(path, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        }

        Path path() {
            return path;
        }

        synchronized void line(String text) {
            try {
                writer.write(text);
                writer.newLine();
                writer.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("writing the build log " + path, e);
            }
        }

        @Override
        public synchronized void close() throws IOException {
            writer.close();
        }
    }
}
