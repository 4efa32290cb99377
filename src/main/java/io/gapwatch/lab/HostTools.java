package io.gapwatch.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The host programs the lab runs, found on PATH (plus the sbin directories a non-login root shell may lack).
 * The initramfs archive is written in Java and module dependencies are read from the modules themselves,
 * so neither cpio nor kmod is needed; apt-get, dpkg-deb, tar (a modules tar) and ldd (the C libraries the
 * guest's Java runtime needs) come with every Debian system.
 */
record HostTools(Path qemu, Path busybox, Path xz, Path aptGet, Path dpkgDeb, Path tar, Path ldd) {
    /** What to install when something is missing. */
    static final String APT_PACKAGES = "qemu-system-x86 busybox-static xz-utils";
    static final String INSTALL_HINT = "install the lab's packages: apt-get install " + APT_PACKAGES;

    /** Finds every tool, or says in one message all that is missing and which packages bring it. */
    static HostTools find() throws LabException {
        Set<String> dirs = new LinkedHashSet<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        dirs.remove("");
        return find(dirs.stream().map(Path::of).toList());
    }

    /** As {@link #find()}, looking only in {@code dirs}. */
    static HostTools find(List<Path> dirs) throws LabException {
        List<String> missing = new ArrayList<>();
        Path qemu = find(dirs, "qemu-system-x86_64", "qemu-system-x86", missing);
        Path busybox = find(dirs, "busybox", "busybox-static", missing);
        Path xz = find(dirs, "xz", "xz-utils", missing);
        Path aptGet = find(dirs, "apt-get", "apt", missing);
        Path dpkgDeb = find(dirs, "dpkg-deb", "dpkg", missing);
        Path tar = find(dirs, "tar", "tar", missing);
        Path ldd = find(dirs, "ldd", "libc-bin", missing);
        if (!missing.isEmpty()) {
            throw new LabException("the kernel lab needs " + String.join(", ", missing) + ": " + INSTALL_HINT);
        }
        if (!isStatic(busybox)) {
            throw new LabException(busybox + " is dynamically linked and cannot run alone in an initramfs: "
                    + "apt-get install busybox-static");
        }
        return new HostTools(qemu, busybox, xz, aptGet, dpkgDeb, tar, ldd);
    }

    private static Path find(List<Path> dirs, String program, String aptPackage, List<String> missing) {
        for (Path dir : dirs) {
            Path candidate = dir.resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        missing.add(program + " (package " + aptPackage + ")");
        return null;
    }

    /**
     * True when the ELF file has no PT_INTERP program header, i.e. needs no dynamic loader. Debian's
     * dynamic busybox package installs the same path as busybox-static, so the path alone proves nothing.
     */
    static boolean isStatic(Path elf) throws LabException {
        try (FileChannel ch = FileChannel.open(elf)) {
            ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            if (header.getInt(0) != 0x464c457f || header.get(4) != 2) { // "\177ELF", ELFCLASS64
                throw new LabException(elf + " is not a 64-bit ELF executable");
            }
            long phoff = header.getLong(0x20);
            int phentsize = Short.toUnsignedInt(header.getShort(0x36));
            int phnum = Short.toUnsignedInt(header.getShort(0x38));
            ByteBuffer entry = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < phnum; i++) {
                entry.clear();
                ch.read(entry, phoff + (long) i * phentsize);
                if (entry.getInt(0) == 3) { // PT_INTERP
                    return false;
                }
            }
            return true;
        } catch (IOException e) {
            throw new LabException("cannot read " + elf + ": " + e.getMessage(), e);
        }
    }
}
