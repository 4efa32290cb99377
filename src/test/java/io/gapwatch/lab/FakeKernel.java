package io.gapwatch.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A module tree shaped like Debian 6.1's (virtio transport and fscache as modules), with tiny fake modules. */
final class FakeKernel {
    /** Dependencies first, in the order the roots ask for them. */
    static final List<String> LOAD_ORDER = List.of("irqbypass", "kvm", "ccp", "kvm_amd", "kvm_intel",
            "virtio_pci_modern_dev", "virtio_pci", "9pnet", "9pnet_virtio", "netfs", "fscache", "9p", "overlay");

    private FakeKernel() {
    }

    /** Writes lib/modules/R under {@code root} and returns it. */
    static Path tree(Path root) throws IOException {
        Path dir = root.resolve("lib/modules/6.1.0-56-amd64");
        module(dir, "virt/lib/irqbypass.ko", "");
        module(dir, "arch/x86/kvm/kvm.ko", "irqbypass");
        module(dir, "drivers/crypto/ccp/ccp.ko", "");
        module(dir, "arch/x86/kvm/kvm-amd.ko", "kvm,ccp");
        module(dir, "arch/x86/kvm/kvm-intel.ko", "kvm");
        module(dir, "drivers/virtio/virtio_pci_modern_dev.ko", "virtio");
        module(dir, "drivers/virtio/virtio_pci.ko", "virtio_pci_modern_dev,virtio,virtio_ring");
        module(dir, "net/9p/9pnet.ko", "");
        module(dir, "net/9p/9pnet_virtio.ko", "virtio,9pnet,virtio_ring");
        module(dir, "fs/netfs/netfs.ko", "");
        module(dir, "fs/fscache/fscache.ko", "netfs");
        module(dir, "fs/9p/9p.ko", "9pnet,fscache,netfs");
        module(dir, "fs/overlayfs/overlay.ko", "");
        module(dir, "drivers/net/virtio_net.ko", "virtio,virtio_ring");
        Files.writeString(dir.resolve("modules.builtin"), "kernel/drivers/virtio/virtio.ko\nkernel/drivers/virtio/virtio_ring.ko\n");
        return dir;
    }

    /** A module file whose .modinfo-like strings carry {@code depends=}. */
    static void module(Path dir, String path, String depends) throws IOException {
        Path file = dir.resolve("kernel").resolve(path);
        Files.createDirectories(file.getParent());
        String name = file.getFileName().toString().replace(".ko", "");
        String modinfo = "\u007fELF...\0license=GPL\0depends=" + depends + "\0retpoline=Y\0name=" + name + "\0vermagic=6.1\0";
        Files.write(file, modinfo.getBytes(StandardCharsets.US_ASCII));
    }

    /** The start of a 64-bit ELF executable with one program header: PT_INTERP (dynamic) or PT_LOAD. */
    static byte[] elf64(boolean dynamic) {
        ByteBuffer b = ByteBuffer.allocate(64 + 56).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1);
        b.putLong(0x20, 64).putShort(0x36, (short) 56).putShort(0x38, (short) 1);
        b.putInt(64, dynamic ? 3 : 1);
        return b.array();
    }
}
