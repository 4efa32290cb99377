package io.gapwatch.lab;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A module tree shaped like Debian 6.1's (KVM and 9p as modules, virtio built in), with tiny fake modules. */
final class FakeKernel {
    /** Dependencies first, in the order the roots ask for them; nothing but KVM. */
    static final List<String> LOAD_ORDER = List.of("irqbypass", "kvm", "ccp", "kvm_amd", "kvm_intel");

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

    /**
     * The start of an x86 kernel image: a boot-protocol setup header ("HdrS" at 0x202) whose kernel_version
     * field (0x20E) points at {@code version} (the string sits at 0x200 + that value).
     */
    static byte[] bzImage(String version) {
        ByteBuffer b = ByteBuffer.allocate(0x1000).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0x1FE, (short) 0xAA55).putInt(0x202, 0x53726448).putShort(0x206, (short) 0x020F);
        b.putShort(0x20E, (short) 0x0C00);
        byte[] text = (version + "\0").getBytes(StandardCharsets.US_ASCII);
        b.put(0x200 + 0x0C00, text);
        return b.array();
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
