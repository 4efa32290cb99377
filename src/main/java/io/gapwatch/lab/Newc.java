package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A writer of the "newc" cpio format (SVR4 without checksums), the one the kernel unpacks as an initramfs.
 * Written here rather than with cpio(1) so the archive needs no root to hold a device node (/dev/console)
 * and its content is exactly what the lab puts in it: every entry is owned by root with mtime 0, so the
 * same inputs always give the same bytes.
 */
final class Newc {
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;

    private final OutputStream out;
    private long written;
    private int inode = 1;

    Newc(OutputStream out) {
        this.out = out;
    }

    void directory(String path, int permissions) throws IOException {
        entry(path, S_IFDIR | permissions, 2, 0, 0, new byte[0]);
    }

    void file(String path, int permissions, byte[] content) throws IOException {
        entry(path, S_IFREG | permissions, 1, 0, 0, content);
    }

    /**
     * A regular file copied from disk as it is written, not read whole first: the guest's runtime holds files of
     * tens of MB (the class-data archive, the JDK's modules), and a lab agent builds it in a 64 MB heap.
     */
    void file(String path, int permissions, Path source) throws IOException {
        long size = Files.size(source);
        header(path, S_IFREG | permissions, 1, 0, 0, size);
        long copied;
        try (InputStream in = Files.newInputStream(source)) {
            copied = in.transferTo(out);
        }
        if (copied != size) {
            throw new IOException(source + " changed while it was archived (" + size + " bytes, then " + copied + ")");
        }
        written += copied;
        pad();
    }

    void charDevice(String path, int permissions, int major, int minor) throws IOException {
        entry(path, S_IFCHR | permissions, 1, major, minor, new byte[0]);
    }

    /** Writes the trailer entry that ends the archive; the stream stays open. */
    void finish() throws IOException {
        entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
        out.flush();
    }

    private void entry(String path, int mode, int links, int rdevMajor, int rdevMinor, byte[] content)
            throws IOException {
        header(path, mode, links, rdevMajor, rdevMinor, content.length);
        write(content);
        pad();
    }

    /** The entry's header and name, padded: its content follows. */
    private void header(String path, int mode, int links, int rdevMajor, int rdevMinor, long size) throws IOException {
        if (size > 0xffffffffL) {
            throw new IOException(path + ": " + size + " bytes is more than a newc cpio entry holds");
        }
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        String header = "070701"
                + hex(path.equals("TRAILER!!!") ? 0 : inode++) + hex(mode) + hex(0) + hex(0) + hex(links)
                + hex(0) + hex(size) + hex(0) + hex(0) + hex(rdevMajor) + hex(rdevMinor)
                + hex(name.length) + hex(0);
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(name);
        pad();
    }

    private void write(byte[] bytes) throws IOException {
        out.write(bytes);
        written += bytes.length;
    }

    /** Header plus name, and the data, each end on a 4-byte boundary. */
    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    private static String hex(long value) {
        return String.format("%08x", value);
    }
}
