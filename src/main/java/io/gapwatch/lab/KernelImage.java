package io.gapwatch.lab;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel the lab can boot: its image and its module tree ({@code lib/modules/<release>}, with
 * {@code kernel/} inside). {@code cacheDir} is where the lab keeps this kernel's initramfs between runs;
 * null for a kernel given by path, whose initramfs is built for each run.
 */
public record KernelImage(String release, Path vmlinuz, Path modulesDir, Path cacheDir) {

    /**
     * A kernel on disk. Without {@code modulesDir}, a {@code .../boot/vmlinuz-<release>} finds its modules
     * beside it, in {@code .../lib/modules/<release>}: the layout of / and of an extracted linux-image package.
     */
    public static KernelImage local(Path vmlinuz, Path modulesDir) throws LabException {
        Path image = vmlinuz.toAbsolutePath().normalize();
        if (!Files.isRegularFile(image) || !Files.isReadable(image)) {
            throw new LabException("no readable kernel image at " + image);
        }
        Path modules = modulesDir;
        if (modules == null) {
            String file = image.getFileName().toString();
            Path boot = image.getParent();
            if (!file.startsWith("vmlinuz-") || boot == null || boot.getParent() == null
                    || !boot.getFileName().toString().equals("boot")) {
                throw new LabException("cannot tell where the modules of " + image + " are: give --modules "
                        + "<dir> (the lib/modules/<release> directory of that kernel)");
            }
            modules = boot.getParent().resolve("lib/modules").resolve(file.substring("vmlinuz-".length()));
        }
        modules = modules.toAbsolutePath().normalize();
        if (!Files.isDirectory(modules.resolve("kernel"))) {
            throw new LabException("no kernel modules at " + modules + " (expected the lib/modules/<release> "
                    + "directory of the kernel, with kernel/ inside)");
        }
        return new KernelImage(modules.getFileName().toString(), image, modules, null);
    }
}
