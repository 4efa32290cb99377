package io.gapwatch.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel the lab can boot: its image and its module tree ({@code lib/modules/<release>}: {@code kernel/}
 * and {@code modules.builtin}; a kernel with everything built in may have no {@code kernel/}).
 * {@code cacheDir} is where the lab keeps this kernel's initramfs between runs. A target keeps the
 * KernelImage it was registered with: a run boots this image, never another one found again by name.
 */
public record KernelImage(String release, Path vmlinuz, Path modulesDir, Path cacheDir) {
    /** Where the x86 boot protocol's setup header says "HdrS", and where it points at the version string. */
    private static final int HEADER_MAGIC_OFFSET = 0x202;
    private static final int KERNEL_VERSION_OFFSET = 0x20E;
    private static final int HDRS = 0x53726448;

    /**
     * The release an x86 kernel image was built as, read from its setup header (boot protocol 2.00+: the
     * {@code kernel_version} field points at "6.12.117+deb12-amd64 (builder@host) #1 SMP ..."), so a
     * renamed or self-built image is known by what it is, not by its file name.
     */
    static String releaseOf(Path image) throws LabException {
        try (FileChannel ch = FileChannel.open(image)) {
            ByteBuffer header = ByteBuffer.allocate(0x210).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(header, 0);
            if (header.position() < 0x210 || header.getInt(HEADER_MAGIC_OFFSET) != HDRS) {
                throw new LabException(image + " is not an x86 kernel image (bzImage/vmlinuz): no setup header");
            }
            int pointer = Short.toUnsignedInt(header.getShort(KERNEL_VERSION_OFFSET));
            if (pointer == 0) {
                throw new LabException(image + " does not say which release it is (no kernel_version in its header)");
            }
            ByteBuffer version = ByteBuffer.allocate(256);
            ch.read(version, 0x200L + pointer);
            String text = new String(version.array(), 0, version.position(), StandardCharsets.US_ASCII);
            int end = 0;
            while (end < text.length() && text.charAt(end) > ' ' && text.charAt(end) < 0x7f) {
                end++;
            }
            if (end == 0) {
                throw new LabException(image + " has an empty kernel_version string in its header");
            }
            return text.substring(0, end);
        } catch (IOException e) {
            throw new LabException("cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    /** Is {@code dir} a kernel's lib/modules/&lt;release&gt; directory. */
    static boolean isModuleTree(Path dir) {
        return Files.isDirectory(dir.resolve("kernel")) || Files.isRegularFile(dir.resolve("modules.builtin"));
    }
}
