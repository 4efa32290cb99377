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
        assertThat(modules).extracting(KernelModules.Module::name).doesNotContain("virtio", "virtio_ring", "virtio_net");
    }

    @Test
    void aKernelWithoutFscacheOrWithBuiltinVirtioNeedsFewerModules() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        Files.delete(dir.resolve("kernel/fs/fscache/fscache.ko"));
        FakeKernel.module(dir, "fs/9p/9p.ko", "9pnet,netfs");
        Files.delete(dir.resolve("kernel/drivers/virtio/virtio_pci.ko"));
        Files.writeString(dir.resolve("modules.builtin"), "kernel/drivers/virtio/virtio.ko\n"
                + "kernel/drivers/virtio/virtio_ring.ko\nkernel/drivers/virtio/virtio_pci.ko\n");
        var modules = new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder();
        assertThat(modules).extracting(KernelModules.Module::name)
                .containsExactly("irqbypass", "kvm", "ccp", "kvm_amd", "kvm_intel", "9pnet", "9pnet_virtio", "netfs", "9p", "overlay");
    }

    @Test
    void aMissingDependencyIsNamedWithWhatNeedsIt() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        Files.delete(dir.resolve("kernel/fs/netfs/netfs.ko"));
        assertThatThrownBy(() -> new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder())
                .isInstanceOf(LabException.class)
                .hasMessage("kernel 6.1.0-56-amd64 has no module netfs, needed by fscache");
    }

    @Test
    void aKernelWithoutOverlayCannotServeTheLab() throws Exception {
        Path dir = FakeKernel.tree(tmp);
        Files.delete(dir.resolve("kernel/fs/overlayfs/overlay.ko"));
        assertThatThrownBy(() -> new KernelModules(dir, Path.of("/usr/bin/xz"), tmp).loadOrder())
                .hasMessageContaining("has no module overlay");
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
