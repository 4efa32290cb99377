package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Debian kernels fetched once and kept: {@code <home>/kernels/<release>/root} holds the extracted
 * {@code linux-image-<release>} package (boot/vmlinuz-..., lib/modules/...). A fetch downloads with
 * {@code apt-get download} (works unprivileged, also as "nobody" in a user namespace: it needs no lock and
 * writes only into the current directory), extracts with {@code dpkg-deb -x} into a side directory and
 * renames it into place, so a {@code root} directory is always complete. A lock per release makes
 * concurrent fetches of one kernel (two lab runs, two agents on one home) wait for each other.
 */
final class KernelCache {
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(15);
    private static final Duration EXTRACT_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration LIST_TIMEOUT = Duration.ofMinutes(1);
    private static final ConcurrentHashMap<Path, Object> IN_PROCESS = new ConcurrentHashMap<>();

    private final Path kernels;

    KernelCache(Path home) {
        this.kernels = home.resolve("kernels");
    }

    /** The kernel of that release, fetched and extracted first if this is its first use. */
    KernelImage resolve(KernelRelease release, HostTools tools) throws LabException {
        Path dir = kernels.resolve(release.name());
        Path root = dir.resolve("root");
        // apt-get reads a name with '.' or '+' as a regular expression when no package has exactly that name
        // (and could then fetch, say, an -unsigned or -dbg package): ask for exact names first, before
        // anything is written for a kernel that may not exist.
        if (!Files.isDirectory(root) && !installable(tools).contains(release)) {
            throw new LabException("unknown kernel " + release + ": apt has no package " + release.imagePackage()
                    + " (list the known ones with 'gapwatch lab --list'; after 'apt-get update' the lists may know more)");
        }
        try {
            Files.createDirectories(dir);
            // A file lock excludes other processes only; within this JVM (an agent running two targets of one
            // kernel) a second lock() would throw, so threads take turns on a monitor first.
            synchronized (IN_PROCESS.computeIfAbsent(dir.toAbsolutePath(), d -> new Object())) {
                try (FileChannel lockFile = FileChannel.open(kernels.resolve(release.name() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = lockFile.lock()) {
                    if (!Files.isDirectory(root)) {
                        fetch(release, dir, root, tools);
                    }
                }
            }
        } catch (IOException e) {
            throw new LabException("kernel cache " + dir + ": " + e.getMessage(), e);
        }
        Path vmlinuz = root.resolve("boot/vmlinuz-" + release.name());
        Path modules = root.resolve("lib/modules/" + release.name());
        if (!Files.isRegularFile(vmlinuz) || !Files.isDirectory(modules.resolve("kernel"))) {
            throw new LabException("the cached kernel " + root + " has no boot/vmlinuz-" + release
                    + " or lib/modules/" + release + "/kernel: remove " + dir + " to fetch it again");
        }
        return new KernelImage(release.name(), vmlinuz, modules, dir);
    }

    /**
     * A kernel on disk, known by the release its image says it is. {@code modules} is its
     * lib/modules/&lt;release&gt; directory or a tar of it (any compression tar reads; extracted once into
     * {@code <home>/kernels/local/}); without it, a {@code .../boot/vmlinuz-*} finds its modules beside it,
     * in {@code .../lib/modules/<release>}: the layout of / and of an extracted linux-image package. The
     * image gets a cache directory of its own, keyed by its bytes and its modules, for its initramfs.
     */
    KernelImage local(Path vmlinuz, Path modules, HostTools tools) throws LabException {
        Path image = vmlinuz.toAbsolutePath().normalize();
        if (!Files.isRegularFile(image) || !Files.isReadable(image)) {
            throw new LabException("no readable kernel image at " + image);
        }
        String release = KernelImage.releaseOf(image);
        Path tree;
        if (modules == null) {
            tree = besideImage(image, release);
        } else if (Files.isRegularFile(modules)) {
            tree = extractModules(modules.toAbsolutePath().normalize(), tools);
        } else {
            tree = modules.toAbsolutePath().normalize();
        }
        if (!KernelImage.isModuleTree(tree)) {
            throw new LabException("no kernel modules at " + tree + " (expected the lib/modules/<release> directory "
                    + "of the kernel, with kernel/ or modules.builtin inside)");
        }
        // Keyed by the image's bytes and the module tree's file names, sizes and times: a rebuilt kernel gets a new one.
        Path cacheDir = kernels.resolve("local").resolve(digest(image, tree));
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new LabException("kernel cache " + cacheDir + ": " + e.getMessage(), e);
        }
        return new KernelImage(release, image, tree, cacheDir);
    }

    private static Path besideImage(Path image, String release) throws LabException {
        Path boot = image.getParent();
        if (boot == null || boot.getParent() == null || !boot.getFileName().toString().equals("boot")) {
            throw new LabException("cannot tell where the modules of " + image + " are: give --modules "
                    + "<dir or tar> (the lib/modules/<release> directory of that kernel)");
        }
        Path libModules = boot.getParent().resolve("lib/modules");
        String file = image.getFileName().toString();
        // By the release the image says it is; a renamed image by the name it was given.
        for (Path candidate : List.of(libModules.resolve(release),
                libModules.resolve(file.startsWith("vmlinuz-") ? file.substring("vmlinuz-".length()) : release))) {
            if (KernelImage.isModuleTree(candidate)) {
                return candidate;
            }
        }
        throw new LabException("no modules for " + image + " in " + libModules.resolve(release)
                + ": give --modules <dir or tar>");
    }

    /** A modules tar, extracted once per content into the cache; the tree inside is found wherever it is. */
    private Path extractModules(Path tar, HostTools tools) throws LabException {
        Path dir = kernels.resolve("local").resolve("modules-" + digest(tar, null));
        Path extracted = dir.resolve("tree");
        try {
            if (!Files.isDirectory(extracted)) {
                Path partial = dir.resolve("tree.partial");
                deleteTree(partial);
                Files.createDirectories(partial);
                Exec.Result r = Exec.run(List.of(tools.tar().toString(), "-xf", tar.toString(), "-C", partial.toString()),
                        null, EXTRACT_TIMEOUT);
                if (!r.ok()) {
                    throw new LabException("tar -xf " + tar + " failed (exit " + r.exitCode() + "): " + lastLines(r.output(), 5));
                }
                Files.move(partial, extracted, StandardCopyOption.ATOMIC_MOVE);
            }
            try (Stream<Path> dirs = Files.walk(extracted, 4)) {
                return dirs.filter(Files::isDirectory).filter(KernelImage::isModuleTree).findFirst()
                        .orElseThrow(() -> new LabException(tar + " holds no module tree (a directory with kernel/ "
                                + "or modules.builtin)"));
            }
        } catch (IOException e) {
            throw new LabException("cannot extract " + tar + " into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static String digest(Path file, Path tree) throws LabException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
            if (tree != null) {
                try (Stream<Path> files = Files.walk(tree)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        sha.update((tree.relativize(f) + " " + Files.size(f) + " "
                                + Files.getLastModifiedTime(f).toMillis() + "\n").getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new LabException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** The releases already fetched, oldest first. */
    List<KernelRelease> cached() throws LabException {
        if (!Files.isDirectory(kernels)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(kernels)) {
            return dirs.filter(d -> Files.isDirectory(d.resolve("root")))
                    .map(d -> d.getFileName().toString())
                    .filter(KernelRelease::isValid)
                    .map(KernelRelease::new)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new LabException("cannot list " + kernels + ": " + e.getMessage(), e);
        }
    }

    /** The releases apt can fetch (from its package lists; no network), oldest first. */
    static List<KernelRelease> installable(HostTools tools) throws LabException {
        Exec.Result r = Exec.run(List.of(tools.aptGet().resolveSibling("apt-cache").toString(),
                "pkgnames", "linux-image-"), null, LIST_TIMEOUT);
        if (!r.ok()) {
            throw new LabException("apt-cache pkgnames failed (exit " + r.exitCode() + "): " + r.output().strip());
        }
        return r.output().lines()
                .map(String::strip)
                .filter(p -> p.startsWith("linux-image-"))
                .map(p -> p.substring("linux-image-".length()))
                .filter(KernelRelease::isValid)
                .map(KernelRelease::new)
                .sorted()
                .toList();
    }

    private static void fetch(KernelRelease release, Path dir, Path root, HostTools tools)
            throws LabException, IOException {
        Path download = dir.resolve("download");
        Path partial = dir.resolve("root.partial");
        deleteTree(download);
        deleteTree(partial);
        Files.createDirectories(download);
        Exec.Result got = Exec.run(List.of(tools.aptGet().toString(), "-q", "download", release.imagePackage()),
                download, DOWNLOAD_TIMEOUT);
        if (!got.ok()) {
            throw new LabException("apt-get download " + release.imagePackage() + " failed (exit " + got.exitCode()
                    + "): " + lastLines(got.output(), 5));
        }
        Path deb;
        try (Stream<Path> files = Files.list(download)) {
            deb = files.filter(f -> f.getFileName().toString().startsWith(release.imagePackage() + "_")
                            && f.getFileName().toString().endsWith(".deb")).findFirst()
                    .orElseThrow(() -> new LabException("apt-get download " + release.imagePackage()
                            + " succeeded but left no .deb in " + download));
        }
        Exec.Result extracted = Exec.run(List.of(tools.dpkgDeb().toString(), "-x", deb.toString(), partial.toString()),
                null, EXTRACT_TIMEOUT);
        if (!extracted.ok()) {
            throw new LabException("dpkg-deb -x " + deb + " failed (exit " + extracted.exitCode() + "): "
                    + lastLines(extracted.output(), 5));
        }
        Files.move(partial, root, StandardCopyOption.ATOMIC_MOVE);
        // The extracted tree is all the lab reads; the .deb would only double the disk space (about 100 MB).
        deleteTree(download);
    }

    static String lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    static void deleteTree(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
