package io.gapwatch.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The modules the guest loads, in load order, taken from one kernel's module tree: KVM (kvm_amd under TCG,
 * which emulates SVM; kvm_intel too, for a host with nested VMX). Nothing else: the probe comes in the
 * initramfs ({@link GuestRuntime}). Their dependencies are read from each module's own {@code .modinfo} ("depends="), because
 * a package's tree has no modules.dep (depmod runs at install time) and module sets differ between
 * kernels (6.12's 9p needs netfs, 6.1's also fscache). A dependency built into the kernel
 * (modules.builtin) needs nothing; the files are decompressed (xz) on the way.
 */
final class KernelModules {
    /** What the guest needs: one of the vendor modules (each brings kvm); built in, nothing is loaded. */
    static final List<String> ROOTS = List.of("kvm_amd", "kvm_intel");
    private static final Duration DECOMPRESS_TIMEOUT = Duration.ofMinutes(2);

    /** A module on its way into the initramfs: its name and its uncompressed bytes. */
    record Module(String name, byte[] content) {
    }

    private final Path modulesDir;
    private final Path xz;
    private final Path scratch;

    /**
     * @param modulesDir the kernel's lib/modules/&lt;release&gt;
     * @param xz         the decompressor for .ko.xz
     * @param scratch    a private directory for decompressed files
     */
    KernelModules(Path modulesDir, Path xz, Path scratch) {
        this.modulesDir = modulesDir;
        this.xz = xz;
        this.scratch = scratch;
    }

    /**
     * The needed modules, each after everything it depends on; empty for a kernel with KVM built in.
     *
     * @throws UnfitKernelException the kernel has no KVM for an AMD or Intel CPU, neither as module nor built in
     */
    List<Module> loadOrder() throws LabException, UnfitKernelException {
        Map<String, Path> files = moduleFiles();
        Set<String> builtin = builtin();
        LinkedHashMap<String, Module> order = new LinkedHashMap<>();
        boolean found = false;
        for (String root : ROOTS) {
            if (builtin.contains(root)) {
                found = true;
            } else if (files.containsKey(root)) {
                found = true;
                visit(root, null, files, builtin, order, new HashSet<>());
            }
        }
        if (!found) {
            throw new UnfitKernelException("kernel " + modulesDir.getFileName() + " has no KVM: neither kvm_amd nor "
                    + "kvm_intel, as a module or built in");
        }
        return List.copyOf(order.values());
    }

    private void visit(String name, String neededBy, Map<String, Path> files, Set<String> builtin,
                       LinkedHashMap<String, Module> order, Set<String> path)
            throws LabException {
        if (order.containsKey(name) || builtin.contains(name)) {
            return;
        }
        if (!path.add(name)) {
            throw new LabException("module dependency cycle through " + name + " in " + modulesDir.getFileName());
        }
        Path file = files.get(name);
        if (file == null) {
            throw new LabException("kernel " + modulesDir.getFileName() + " has no module " + name
                    + ", needed by " + neededBy);
        }
        Module module = new Module(name, read(file));
        for (String dependency : depends(module.content())) {
            visit(dependency, name, files, builtin, order, path);
        }
        path.remove(name);
        order.put(name, module);
    }

    /** Module name (dashes as underscores, as the kernel names them) to file, for the whole tree. */
    private Map<String, Path> moduleFiles() throws LabException {
        Map<String, Path> files = new HashMap<>();
        if (!Files.isDirectory(modulesDir.resolve("kernel"))) {
            return files; // everything built in
        }
        try (Stream<Path> walk = Files.walk(modulesDir.resolve("kernel"))) {
            walk.filter(Files::isRegularFile).forEach(f -> {
                String file = f.getFileName().toString();
                int ko = file.indexOf(".ko");
                if (ko > 0) {
                    files.put(canonical(file.substring(0, ko)), f);
                }
            });
        } catch (IOException e) {
            throw new LabException("cannot list the modules in " + modulesDir + ": " + e.getMessage(), e);
        }
        return files;
    }

    private Set<String> builtin() throws LabException {
        Path list = modulesDir.resolve("modules.builtin");
        Set<String> names = new HashSet<>();
        if (!Files.isRegularFile(list)) {
            return names;
        }
        try {
            for (String line : Files.readAllLines(list)) {
                String file = line.substring(line.lastIndexOf('/') + 1);
                int ko = file.indexOf(".ko");
                if (ko > 0) {
                    names.add(canonical(file.substring(0, ko)));
                }
            }
        } catch (IOException e) {
            throw new LabException("cannot read " + list + ": " + e.getMessage(), e);
        }
        return names;
    }

    private byte[] read(Path file) throws LabException {
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".ko")) {
                return Files.readAllBytes(file);
            }
            if (!name.endsWith(".ko.xz")) {
                throw new LabException("module " + file + " is compressed in a way the lab does not read (only .ko and .ko.xz)");
            }
            Path out = Files.createTempFile(scratch, "module-", ".ko");
            try {
                Exec.Result r = Exec.runTo(List.of(xz.toString(), "-dc", file.toString()), out, DECOMPRESS_TIMEOUT);
                if (!r.ok()) {
                    throw new LabException("xz -dc " + file + " failed (exit " + r.exitCode() + "): " + r.output().strip());
                }
                return Files.readAllBytes(out);
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new LabException("cannot read module " + file + ": " + e.getMessage(), e);
        }
    }

    /** The "depends=a,b" string of a module's .modinfo section (NUL-separated key=value strings). */
    static List<String> depends(byte[] module) {
        byte[] key = "\0depends=".getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + key.length <= module.length; i++) {
            for (int j = 0; j < key.length; j++) {
                if (module[i + j] != key[j]) {
                    continue outer;
                }
            }
            int start = i + key.length;
            int end = start;
            while (end < module.length && module[end] != 0) {
                end++;
            }
            String value = new String(module, start, end - start, StandardCharsets.US_ASCII);
            List<String> names = new ArrayList<>();
            for (String n : value.split(",")) {
                if (!n.isBlank()) {
                    names.add(canonical(n.strip()));
                }
            }
            return names;
        }
        return List.of();
    }

    private static String canonical(String moduleName) {
        return moduleName.replace('-', '_');
    }
}
