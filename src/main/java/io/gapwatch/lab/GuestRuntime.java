package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * What the guest runs the probe with, and nothing else of the host: a Java runtime trimmed by {@code jlink}
 * to the modules the probe needs ({@code jdeps} decides), the probe's classes taken out of gapwatch.jar
 * ({@link #GUEST_PACKAGES}) with the libraries they use (JNA and its native library, Jackson), and the C
 * libraries the runtime links against. It is an uncompressed newc cpio that the lab appends to each
 * kernel's initramfs (the kernel unpacks concatenated archives in turn): no 9p, so kernels without it (the
 * cloud flavour) boot too, and the guest sees no host file, agent secrets included.
 *
 * <p>Built once per gapwatch.jar and Java runtime: the tree {@code <home>/lab/guest-<key>/} (jre, app, native,
 * the class-data archive, the classpath) and its archive {@code guest-<key>.cpio}; some 30 s. In the guest the
 * tree sits at the same absolute path, and {@code /gapwatch-runtime} names it: the class-data sharing archive
 * ({@code app.jsa}, a static archive of the JDK's, the probe's and JNA's classes, see {@link #classList}) is only
 * valid for the paths and jar times it was dumped with. The guest's JVM reads its classes from it instead of
 * parsing and verifying them under TCG, where start-up is most of a run. Jar times are set to 0, as in the archive.
 * Needs a full JDK on the host (jlink, jdeps and the jmods: Debian's openjdk-17-jdk-headless).
 */
final class GuestRuntime {
    /** The file at the guest's root that names the runtime's directory; init.sh reads it. */
    static final String POINTER = "gapwatch-runtime";
    /** The probe's packages: the command line and its JSON, the procedure, the typed /dev/kvm, KTAP. */
    static final List<String> GUEST_PACKAGES = List.of("io/gapwatch/probe/", "io/gapwatch/kvm/",
            "io/gapwatch/cli/", "io/gapwatch/export/");
    /** The one class outside them: the launcher whose {@code probe} command the guest runs. */
    static final String LAUNCHER = "io/gapwatch/Gapwatch.class";
    /** The libraries the guest packages import: JNA; Jackson 3 (tools.jackson) with its 2.x annotations. */
    private static final Pattern GUEST_LIBRARY = Pattern.compile(
            "BOOT-INF/lib/(jna-[0-9]|jackson-core-3|jackson-databind-3|jackson-annotations-2)[^/]*\\.jar");
    /**
     * JNA is an automatic module (no module-info to say what it requires) and logs through java.util.logging.
     * jdeps on its jar also lists java.desktop, for its optional AWT support: 40 MB more with the X11
     * libraries, never loaded by the probe. GuestRuntimeTest runs the probe with the built runtime, so a
     * missing module fails there.
     */
    static final List<String> JNA_MODULES = List.of("java.logging");
    /**
     * The JVM options of the guest's probe (init.sh) and of the class-data dump, which must agree. The
     * interpreter only: under TCG compiling costs more than it saves in a run this short (measured: 13.7 s of
     * QEMU CPU time for a one-iteration kvm run with -Xint against 16.6 s with C1, the class-data archive in both).
     */
    static final List<String> JVM_OPTIONS = List.of("-Xint", "-XX:+UseSerialGC", "-XX:-UsePerfData");
    /** The classes archived whether or not a run on the host loaded them: the probe's, the kvm path's, JNA's. */
    private static final Pattern ARCHIVED_CLASSES = Pattern.compile(
            "(io/gapwatch/(probe|kvm)/.*|com/sun/jna/[^/]+)\\.class");
    private static final String JNA_NATIVE = "com/sun/jna/linux-x86-64/libjnidispatch.so";
    private static final Pattern LDD_LINE = Pattern.compile("(?:=>\\s*)?(/\\S+)\\s+\\(0x");
    private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(5);

    private GuestRuntime() {
    }

    /** The cached archive for this jar and this Java, built now if missing. */
    static Path forJar(Path home, Path jar, Path javaHome, HostTools tools) throws LabException {
        Path dir = home.resolve("lab").toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir);
            String name = "guest-" + key(jar, javaHome);
            Path target = dir.resolve(name + ".cpio");
            // Threads of this JVM take turns on the monitor; other processes (an agent and a CLI) on the lock file.
            synchronized (GuestRuntime.class) {
                try (FileChannel lockFile = FileChannel.open(dir.resolve("guest.lock"), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE);
                     FileLock ignored = lockFile.lock()) {
                    if (Files.isRegularFile(target)) {
                        return target;
                    }
                    Path tree = dir.resolve(name);
                    if (tree.toString().contains(":")) {
                        throw new LabException("the guest's runtime directory " + tree + " has a ':' in its path, "
                                + "which a Java classpath cannot hold: choose another GAPWATCH_HOME");
                    }
                    KernelCache.deleteTree(tree);
                    Path partial = dir.resolve(name + ".partial");
                    try {
                        build(jar, javaHome, tools, tree, partial);
                        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    } finally {
                        Files.deleteIfExists(partial);
                    }
                    removeStale(dir, name);
                    return target;
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot build the guest's Java runtime in " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void build(Path jar, Path javaHome, HostTools tools, Path tree, Path archive)
            throws LabException, IOException {
        Path app = Files.createDirectories(tree.resolve("app"));
        List<Path> classpath = extract(jar, app);
        Set<String> modules = new TreeSet<>(moduleDeps(javaHome, classpath.get(0)));
        modules.addAll(declaredModules(classpath.subList(1, classpath.size())));
        modules.addAll(JNA_MODULES);
        Path jre = tree.resolve("jre");
        tool(javaHome, "jlink", "--module-path", javaHome.resolve("jmods").toString(), "--add-modules", String.join(",", modules),
                "--output", jre.toString(), "--strip-debug", "--no-man-pages", "--no-header-files");
        Path java = jre.resolve("bin/java");
        Path nativeDir = Files.createDirectories(tree.resolve("native"));
        Files.write(nativeDir.resolve("libjnidispatch.so"), jnaNative(classpath));
        for (Path p : classpath) {
            Files.setLastModifiedTime(p, FileTime.fromMillis(0)); // as every entry of the archive
        }
        String cp = String.join(":", classpath.stream().map(Path::toString).toList());
        Files.writeString(tree.resolve("classpath"), cp);
        Path lists = Files.createTempDirectory("gapwatch-classes-");
        try {
            Path classList = lists.resolve("classes.lst");
            Files.write(classList, classList(java, cp, nativeDir, classpath, lists));
            List<String> dump = new ArrayList<>(List.of(java.toString(), "-Xshare:dump",
                    "-XX:SharedClassListFile=" + classList, "-XX:SharedArchiveFile=" + tree.resolve("app.jsa")));
            dump.addAll(JVM_OPTIONS);
            dump.addAll(List.of("-cp", cp));
            run(dump, "the class-data dump (java -Xshare:dump)");
        } finally {
            KernelCache.deleteTree(lists);
        }

        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(archive), 1 << 20)) {
            Newc cpio = new Newc(out);
            Set<Path> libraries = sharedLibraries(jre, tools.ldd());
            Set<String> directories = new TreeSet<>();
            for (Path p : libraries) {
                parents(p, directories);
            }
            parents(tree, directories);
            for (String d : directories) {
                cpio.directory(d, 0755);
            }
            cpio.file(POINTER, 0644, (tree + "\n").getBytes(StandardCharsets.UTF_8));
            addTree(cpio, tree, tree.toString().substring(1));
            for (Path lib : libraries) {
                cpio.file(lib.toString().substring(1), 0755, lib.toRealPath());
            }
            cpio.finish();
        }
    }

    private static void parents(Path p, Set<String> directories) {
        for (Path d = p.getParent(); d != null && d.getNameCount() > 0; d = d.getParent()) {
            directories.add(d.toString().substring(1));
        }
    }

    private static void run(List<String> command, String what) throws LabException {
        Exec.Result r = Exec.run(command, null, TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new LabException(what + " failed (exit " + r.exitCode() + "): " + KernelCache.lastLines(r.output(), 8));
        }
    }

    /**
     * The classes the guest's probe loads, for the class-data archive: what the probe loads here with the sim
     * backend and with the kvm one (which gets as far as this host's /dev/kvm lets it: at least JNA and the
     * C library; the same list within a few classes whether or not the host has one), and every class of the
     * probe's own packages and of JNA, which the guest's kvm run goes on to use. Only the interpreter runs
     * in the guest, under TCG: a class it finds in the archive is not read from a jar, parsed and verified
     * there (measured: 1.9 s of QEMU CPU time less in a one-iteration run than with the sim run's classes alone).
     */
    private static List<String> classList(Path java, String cp, Path nativeDir, List<Path> classpath, Path lists)
            throws LabException, IOException {
        Set<String> classes = new LinkedHashSet<>();
        for (String backend : List.of("sim", "kvm")) {
            Path loaded = lists.resolve(backend + ".lst");
            List<String> probe = new ArrayList<>(List.of(java.toString(), "-XX:DumpLoadedClassList=" + loaded));
            probe.addAll(JVM_OPTIONS);
            probe.addAll(List.of("-Djna.boot.library.path=" + nativeDir, "-Djna.nounpack=true", "-cp", cp,
                    "io.gapwatch.Gapwatch", "probe", "--backend", backend, "--iterations", "2", "--format", "json",
                    "--resource-report"));
            Exec.Result r = Exec.run(probe, null, TOOL_TIMEOUT);
            // kvm: a SKIP (no /dev/kvm, no Xen) or whatever this host's KVM says; sim must pass.
            if (backend.equals("sim") && !r.ok() || !Files.isRegularFile(loaded)) {
                throw new LabException("the class-list run of the probe (" + backend + ") failed (exit " + r.exitCode()
                        + "): " + KernelCache.lastLines(r.output(), 8));
            }
            Files.readAllLines(loaded).stream().filter(l -> !l.startsWith("#") && !l.isBlank()).forEach(classes::add);
        }
        for (Path jar : classpath) {
            try (ZipFile zip = new ZipFile(jar.toFile())) {
                zip.stream().map(ZipEntry::getName).filter(n -> ARCHIVED_CLASSES.matcher(n).matches())
                        .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length())));
            }
        }
        return List.copyOf(classes);
    }

    /** The classpath the guest runs: a jar of the probe's classes, and the libraries it uses. */
    private static List<Path> extract(Path jar, Path app) throws LabException, IOException {
        List<Path> classpath = new ArrayList<>();
        Path probeJar = app.resolve("gapwatch-probe.jar");
        classpath.add(probeJar);
        try (ZipFile zip = new ZipFile(jar.toFile());
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(probeJar))) {
            int classes = 0;
            for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
                ZipEntry entry = e.nextElement();
                String name = entry.getName();
                if (entry.isDirectory()) {
                    continue;
                }
                if (name.startsWith("BOOT-INF/classes/")) {
                    String path = name.substring("BOOT-INF/classes/".length());
                    if (path.equals(LAUNCHER) || GUEST_PACKAGES.stream().anyMatch(path::startsWith)) {
                        out.putNextEntry(new ZipEntry(path));
                        try (InputStream in = zip.getInputStream(entry)) {
                            in.transferTo(out);
                        }
                        out.closeEntry();
                        classes++;
                    }
                } else if (GUEST_LIBRARY.matcher(name).matches()) {
                    Path lib = app.resolve(name.substring(name.lastIndexOf('/') + 1));
                    try (InputStream in = zip.getInputStream(entry)) {
                        Files.copy(in, lib);
                    }
                    classpath.add(lib);
                }
            }
            if (classes == 0 || classpath.size() < 5) {
                throw new LabException(jar + " is not a packaged gapwatch.jar (found " + classes
                        + " probe classes and " + (classpath.size() - 1) + " of its 4 libraries)");
            }
        }
        return classpath;
    }

    /** The JDK modules the probe's own classes use, from jdeps (the libraries they call are on the classpath, unread). */
    static List<String> moduleDeps(Path javaHome, Path probeJar) throws LabException {
        String modules = tool(javaHome, "jdeps", "--print-module-deps", "--ignore-missing-deps", "-q", "--multi-release", "17",
                probeJar.toString()).strip();
        if (!modules.matches("[a-z0-9.]+(,[a-z0-9.]+)*")) {
            throw new LabException("jdeps gave no module list: " + modules);
        }
        return List.of(modules.split(","));
    }

    /**
     * The JDK modules the modular libraries (Jackson) declare they require, without the optional ones
     * ({@code requires static}: java.desktop, java.sql), which jdeps would list since it reads every class.
     */
    static Set<String> declaredModules(List<Path> libraries) {
        Set<String> modules = new TreeSet<>();
        for (Path lib : libraries) {
            for (ModuleReference ref : ModuleFinder.of(lib).findAll()) {
                for (ModuleDescriptor.Requires r : ref.descriptor().requires()) {
                    if (!r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC)
                            && ModuleFinder.ofSystem().find(r.name()).isPresent()) {
                        modules.add(r.name());
                    }
                }
            }
        }
        return modules;
    }

    /**
     * Runs one of the JDK's tools (jlink, jdeps) as a process of its own, not through ToolProvider in this JVM: a lab
     * agent runs with a small heap (-Xmx64m, see bin/gapwatch), in which jlink fails with an OutOfMemoryError.
     */
    private static String tool(Path javaHome, String name, String... args) throws LabException {
        Path executable = javaHome.resolve("bin").resolve(name);
        if (!Files.isExecutable(executable)) {
            throw new LabException("the kernel lab builds the guest's Java runtime with " + name + ", which this Java ("
                    + javaHome + ") does not have: run gapwatch with a JDK (apt-get install openjdk-17-jdk-headless)");
        }
        List<String> command = new ArrayList<>(List.of(executable.toString()));
        command.addAll(List.of(args));
        Exec.Result r = Exec.run(command, null, TOOL_TIMEOUT);
        if (!r.ok()) {
            throw new LabException(name + " failed (exit " + r.exitCode() + "): " + KernelCache.lastLines(r.output(), 10));
        }
        return r.output();
    }

    private static byte[] jnaNative(List<Path> classpath) throws LabException, IOException {
        for (Path p : classpath) {
            if (p.getFileName().toString().startsWith("jna-")) {
                try (ZipFile zip = new ZipFile(p.toFile())) {
                    ZipEntry entry = zip.getEntry(JNA_NATIVE);
                    if (entry != null) {
                        try (InputStream in = zip.getInputStream(entry)) {
                            return in.readAllBytes();
                        }
                    }
                }
            }
        }
        throw new LabException("JNA's " + JNA_NATIVE + " is not in gapwatch.jar");
    }

    /**
     * The C libraries the runtime's programs and libraries load (ldd, on this host), and the dynamic loader.
     * libc is among them, which JNA opens in the guest as well.
     */
    private static Set<Path> sharedLibraries(Path jre, Path ldd) throws LabException, IOException {
        List<String> command = new ArrayList<>(List.of(ldd.toString()));
        try (Stream<Path> files = Files.walk(jre)) {
            files.filter(f -> Files.isRegularFile(f) && (f.toString().endsWith(".so") || f.getParent().endsWith("bin")))
                    .forEach(f -> command.add(f.toString()));
        }
        Exec.Result r = Exec.run(command, null, TOOL_TIMEOUT);
        Set<Path> libs = new TreeSet<>();
        for (String line : r.output().lines().toList()) {
            Matcher m = LDD_LINE.matcher(line.strip());
            if (m.find() && !m.group(1).startsWith(jre.toString())) {
                libs.add(Path.of(m.group(1)));
            }
        }
        if (libs.stream().noneMatch(p -> p.getFileName().toString().startsWith("libc.so"))) {
            throw new LabException("ldd found no libc for the guest's Java runtime: " + KernelCache.lastLines(r.output(), 5));
        }
        return libs;
    }

    private static void addTree(Newc cpio, Path dir, String as) throws IOException {
        TreeMap<String, Path> entries = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            files.forEach(f -> entries.put(dir.relativize(f).toString(), f));
        }
        for (var e : entries.entrySet()) {
            String path = e.getKey().isEmpty() ? as : as + "/" + e.getKey();
            Path f = e.getValue();
            if (Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS)) {
                cpio.directory(path, 0755);
            } else {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f);
                cpio.file(path, perms.contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644, f);
            }
        }
    }

    /** A new jar or another Java gives a new runtime. */
    private static String key(Path jar, Path javaHome) throws LabException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(jar)) {
                byte[] buffer = new byte[1 << 16];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
            sha.update((javaHome.toRealPath() + " " + Runtime.version()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new LabException("cannot read " + jar + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Runtimes of an older jar or Java are never used again. */
    private static void removeStale(Path dir, String current) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "guest-*")) {
            for (Path p : old) {
                String name = p.getFileName().toString();
                if (!name.equals(current) && !name.equals(current + ".cpio")) {
                    KernelCache.deleteTree(p);
                }
            }
        }
    }
}
