package io.gapwatch.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a newc cpio archive back, the way the kernel's initramfs unpacker does, to check what went in. */
final class NewcReader {
    record Entry(String name, int mode, int rdevMajor, int rdevMinor, byte[] content) {
        int type() {
            return mode & 0170000;
        }

        int permissions() {
            return mode & 07777;
        }
    }

    private NewcReader() {
    }

    static Map<String, Entry> read(InputStream in) throws IOException {
        byte[] all = in.readAllBytes();
        Map<String, Entry> entries = new LinkedHashMap<>();
        int pos = 0;
        while (true) {
            String header = new String(all, pos, 110, StandardCharsets.US_ASCII);
            if (!header.startsWith("070701")) {
                throw new IOException("bad magic at " + pos + ": " + header.substring(0, 6));
            }
            int mode = field(header, 1);
            int size = field(header, 6);
            int rdevMajor = field(header, 9);
            int rdevMinor = field(header, 10);
            int nameSize = field(header, 11);
            String name = new String(all, pos + 110, nameSize - 1, StandardCharsets.UTF_8);
            pos = align(pos + 110 + nameSize);
            byte[] content = new byte[size];
            System.arraycopy(all, pos, content, 0, size);
            pos = align(pos + size);
            if (name.equals("TRAILER!!!")) {
                return entries;
            }
            entries.put(name, new Entry(name, mode, rdevMajor, rdevMinor, content));
        }
    }

    private static int field(String header, int index) {
        return Integer.parseUnsignedInt(header.substring(6 + 8 * index, 14 + 8 * index), 16);
    }

    private static int align(int n) {
        return (n + 3) & ~3;
    }
}
