package io.gapwatch.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelModulesTest {
    @TempDir
    Path tmp;

    @Test
    void takesTheRootsWithTheirDependenciesFirstAndSkipsBuiltins() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        var modules = new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder();
        assertThat(modules).extracting(KernelModules.Module::name).containsExactlyElementsOf(FakeKernel.LOAD_ORDER);
        assertThat(modules).extracting(KernelModules.Module::name).doesNotContain("virtio", "9p", "overlay", "virtio_net");
    }

    @Test
    void aKernelWithKvmBuiltInLoadsNothing() throws Exception {
        Path dir = tmp.resolve("lib/modules/6.12.117");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("modules.builtin"), "kernel/virt/lib/irqbypass.ko\nkernel/arch/x86/kvm/kvm.ko\n"
                + "kernel/arch/x86/kvm/kvm-amd.ko\n");
        assertThat(new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder()).isEmpty();
    }

    @Test
    void aMissingDependencyIsNamedWithWhatNeedsIt() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        Files.delete(dir.resolve("kernel/virt/lib/irqbypass.ko"));
        assertThatThrownBy(() -> new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder())
                .isInstanceOf(LabException.class)
                .hasMessage("kernel 6.1.0-56-amd64 has no module irqbypass, needed by kvm");
    }

    @Test
    void aKernelWithoutKvmIsUnfitNotALabFailure() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        Files.delete(dir.resolve("kernel/arch/x86/kvm/kvm-amd.ko"));
        Files.delete(dir.resolve("kernel/arch/x86/kvm/kvm-intel.ko"));
        assertThatThrownBy(() -> new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder())
                .isInstanceOf(UnfitKernelException.class)
                .hasMessage("kernel 6.1.0-56-amd64 has no KVM: neither kvm_amd nor kvm_intel, as a module or built in");
    }

    @Test
    void readsDependsFromModinfoStrings() {
        byte[] module = "junk depends=fake\0\0description=x depends=y\0depends=kvm,ccp\0name=kvm_amd\0"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(KernelModules.depends(module)).containsExactly("kvm", "ccp");
        assertThat(KernelModules.depends("\0depends=\0".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(KernelModules.depends("\0depends=kvm-amd\0".getBytes(StandardCharsets.US_ASCII))).containsExactly("kvm_amd");
    }
}
