package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;

/**
 * The kernel's part of the guest's initial RAM disk: a gzip'd newc cpio with busybox (static), the kernel's
 * KVM modules, their load order, and the /init script (resource {@code init.sh}). The lab boots it with the
 * {@link GuestRuntime} archive appended. It holds nothing about a run: the run's parameters go on the kernel
 * command line, so a cached kernel keeps one initramfs for every run ({@code <cacheDir>/initramfs-<key>.cpio.gz},
 * the key a hash of init.sh, busybox and the list of modules wanted: the inputs that can change while the
 * cached kernel does not).
 */
final class Initramfs {
    static final String INIT_RESOURCE = "init.sh";
    static final String LOAD_ORDER = "lib/modules/load-order";
    /** Mount points and directories init.sh uses; proc, sys and dev it mounts over. */
    static final List<String> DIRECTORIES = List.of("bin", "dev", "proc", "sys", "tmp", "lib", "lib/modules");

    private Initramfs() {
    }

    /** The initramfs for this kernel: the cached one, or one built now (into the cache when it has one). */
    static Path forKernel(KernelImage kernel, HostTools tools, Path scratch) throws LabException, UnfitKernelException {
        byte[] busybox = readBusybox(tools.busybox());
        byte[] init = initScript();
        try {
            Path target = kernel.cacheDir().resolve("initramfs-" + key(init, busybox) + ".cpio.gz");
            if (Files.isRegularFile(target)) {
                return target;
            }
            List<KernelModules.Module> modules = new KernelModules(kernel.modulesDir(), tools.xz(), scratch).loadOrder();
            // Write beside the target and rename: a concurrent run never boots a half-written archive.
            Path partial = Files.createTempFile(target.getParent(), "initramfs-", ".partial");
            try {
                try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(partial), 64 * 1024)) {
                    write(out, init, busybox, modules);
                }
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(partial);
            }
            removeStale(kernel.cacheDir(), target);
            return target;
        } catch (IOException e) {
            throw new LabException("cannot build the initramfs for " + kernel.release() + ": " + e.getMessage(), e);
        }
    }

    /** The archive itself (uncompressed cpio on {@code out}). */
    static void write(OutputStream out, byte[] init, byte[] busybox, List<KernelModules.Module> modules)
            throws IOException {
        Newc cpio = new Newc(out);
        for (String dir : DIRECTORIES) {
            cpio.directory(dir, 0755);
        }
        // The kernel opens /dev/console for init's stdin/stdout before devtmpfs is mounted.
        cpio.charDevice("dev/console", 0600, 5, 1);
        cpio.file("bin/busybox", 0755, busybox);
        cpio.file("init", 0755, init);
        for (KernelModules.Module m : modules) {
            cpio.file("lib/modules/" + m.name() + ".ko", 0644, m.content());
        }
        // One name a line; a kernel with KVM built in has an empty list (not one empty line: no "insmod ''").
        String order = modules.stream().map(m -> m.name() + "\n").collect(Collectors.joining());
        cpio.file(LOAD_ORDER, 0644, order.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        cpio.finish();
    }

    static byte[] initScript() {
        try (InputStream in = Initramfs.class.getResourceAsStream(INIT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + INIT_RESOURCE + " is missing from the gapwatch jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] readBusybox(Path busybox) throws LabException {
        try {
            return Files.readAllBytes(busybox);
        } catch (IOException e) {
            throw new LabException("cannot read " + busybox + ": " + e.getMessage(), e);
        }
    }

    static String key(byte[] init, byte[] busybox) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(init);
            sha.update(busybox);
            sha.update(String.join(",", KernelModules.ROOTS).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /** Archives of an older init.sh or busybox are never used again. */
    private static void removeStale(Path cacheDir, Path current) throws IOException {
        try (DirectoryStream<Path> old = Files.newDirectoryStream(cacheDir, "initramfs-*.cpio.gz")) {
            for (Path p : old) {
                if (!p.equals(current)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
