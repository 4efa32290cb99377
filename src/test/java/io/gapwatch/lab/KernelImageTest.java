package io.gapwatch.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A kernel given by path is known by what its image says it is, and keeps its own modules. */
class KernelImageTest {
    @TempDir
    Path tmp;

    @Test
    void theReleaseComesFromTheImagesSetupHeaderNotItsFileName() throws Exception {
        Path image = Files.write(tmp.resolve("bzImage"),
                FakeKernel.bzImage("6.12.117-patched (me@box) #3 SMP PREEMPT_DYNAMIC Fri Nov 27 2026"));
        assertThat(KernelImage.releaseOf(image)).isEqualTo("6.12.117-patched");
    }

    @Test
    void aFileThatIsNoKernelImageIsSaidToBeOne() throws Exception {
        Path notAKernel = Files.writeString(tmp.resolve("vmlinuz"), "#!/bin/sh\n".repeat(100));
        assertThatThrownBy(() -> KernelImage.releaseOf(notAKernel))
                .isInstanceOf(LabException.class)
                .hasMessageEndingWith("is not an x86 kernel image (bzImage/vmlinuz): no setup header");
    }

    @Test
    void aRenamedCopyIsTheKernelItIsWithTheModulesBesideIt() throws Exception {
        Path root = tmp.resolve("copy");
        FakeKernel.tree(root); // lib/modules/6.1.0-56-amd64
        Files.move(root.resolve("lib/modules/6.1.0-56-amd64"), root.resolve("lib/modules/6.12.117+deb12-amd64"));
        Path image = root.resolve("boot/vmlinuz-6.12.117+deb12-amd64");
        Files.createDirectories(image.getParent());
        Files.write(image, FakeKernel.bzImage("6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP"));

        KernelImage kernel = new KernelCache(tmp.resolve("home")).local(image, null, HostTools.find());

        assertThat(kernel.release()).isEqualTo("6.1.0-56-amd64");
        assertThat(kernel.vmlinuz()).isEqualTo(image);
        assertThat(kernel.modulesDir()).isEqualTo(root.resolve("lib/modules/6.12.117+deb12-amd64"));
        assertThat(kernel.cacheDir()).isDirectory().hasParent(tmp.resolve("home/kernels/local"));
    }

    @Test
    void modulesMayComeAsATarAndAKernelWithKvmBuiltInNeedsNoKernelDirectory() throws Exception {
        Path tree = tmp.resolve("build/lib/modules/6.12.117");
        Files.createDirectories(tree);
        Files.writeString(tree.resolve("modules.builtin"), "kernel/arch/x86/kvm/kvm.ko\nkernel/arch/x86/kvm/kvm-amd.ko\n");
        Path tar = tmp.resolve("modules.tar");
        Process p = new ProcessBuilder("tar", "-cf", tar.toString(), "-C", tmp.resolve("build").toString(), "lib")
                .inheritIO().start();
        assertThat(p.waitFor()).isZero();
        Path image = Files.write(tmp.resolve("bzImage"), FakeKernel.bzImage("6.12.117 (me@box) #1"));

        KernelImage kernel = new KernelCache(tmp.resolve("home")).local(image, tar, HostTools.find());

        assertThat(kernel.release()).isEqualTo("6.12.117");
        assertThat(kernel.modulesDir().getFileName().toString()).isEqualTo("6.12.117");
        assertThat(kernel.modulesDir()).startsWith(tmp.resolve("home/kernels/local"));
        assertThat(new KernelModules(kernel.modulesDir(), Path.of("/usr/bin/xz"), tmp).loadOrder()).isEmpty();
    }

    @Test
    void aChangedModuleTreeGetsAnotherCacheDirectory() throws Exception {
        Path root = tmp.resolve("k");
        Path modules = FakeKernel.tree(root);
        Path image = Files.write(tmp.resolve("bzImage"), FakeKernel.bzImage("6.1.0-56-amd64 (x) #1"));
        KernelCache cache = new KernelCache(tmp.resolve("home"));
        Path first = cache.local(image, modules, HostTools.find()).cacheDir();
        FakeKernel.module(modules, "arch/x86/kvm/kvm.ko", "irqbypass,extra");
        Files.setLastModifiedTime(modules.resolve("kernel/arch/x86/kvm/kvm.ko"),
                java.nio.file.attribute.FileTime.fromMillis(1_000));
        assertThat(cache.local(image, modules, HostTools.find()).cacheDir()).isNotEqualTo(first);
    }
}
