package io.gapwatch.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

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
        byte[] name = (path + "\0").getBytes(StandardCharsets.UTF_8);
        String header = "070701"
                + hex(path.equals("TRAILER!!!") ? 0 : inode++) + hex(mode) + hex(0) + hex(0) + hex(links)
                + hex(0) + hex(content.length) + hex(0) + hex(0) + hex(rdevMajor) + hex(rdevMinor)
                + hex(name.length) + hex(0);
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(name);
        pad();
        write(content);
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

    private static String hex(int value) {
        return String.format("%08x", value);
    }
}
