package io.gapwatch.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InitramfsTest {
    @TempDir
    Path tmp;

    @Test
    void archiveHoldsInitBusyboxConsoleAndModulesInLoadOrder() throws IOException {
        byte[] busybox = "ELF busybox".getBytes(StandardCharsets.US_ASCII);
        List<KernelModules.Module> modules = List.of(
                new KernelModules.Module("irqbypass", bytes("irq")),
                new KernelModules.Module("kvm", bytes("kvm module")),
                new KernelModules.Module("kvm_amd", bytes("amd")));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Initramfs.write(out, Initramfs.initScript(), busybox, modules);

        Map<String, NewcReader.Entry> entries = NewcReader.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(entries.keySet()).containsSubsequence("bin", "dev", "proc", "sys", "tmp", "lib/modules",
                "dev/console", "bin/busybox", "init", "lib/modules/irqbypass.ko",
                "lib/modules/kvm.ko", "lib/modules/kvm_amd.ko", Initramfs.LOAD_ORDER);
        assertThat(entries.get("bin").type()).isEqualTo(0040000);
        NewcReader.Entry console = entries.get("dev/console");
        assertThat(console.type()).isEqualTo(0020000);
        assertThat(console.rdevMajor()).isEqualTo(5);
        assertThat(console.rdevMinor()).isEqualTo(1);
        NewcReader.Entry init = entries.get("init");
        assertThat(init.type()).isEqualTo(0100000);
        assertThat(init.permissions()).isEqualTo(0755);
        assertThat(init.content()).isEqualTo(Initramfs.initScript());
        assertThat(entries.get("bin/busybox").content()).isEqualTo(busybox);
        assertThat(entries.get("bin/busybox").permissions()).isEqualTo(0755);
        assertThat(entries.get("lib/modules/kvm.ko").content()).isEqualTo(bytes("kvm module"));
        assertThat(new String(entries.get(Initramfs.LOAD_ORDER).content(), StandardCharsets.US_ASCII))
                .isEqualTo("irqbypass\nkvm\nkvm_amd\n");
    }

    @Test
    void initRunsTheProbeFromTheInitramfsAndMountsNothingOfTheHost() {
        String init = new String(Initramfs.initScript(), StandardCharsets.UTF_8);
        assertThat(init).startsWith("#!/bin/busybox sh\n");
        assertThat(init).contains("done < /lib/modules/load-order");
        assertThat(init).doesNotContain("9p", "chroot", "overlay");
        assertThat(init).contains("\"$RT/jre/bin/java\" " + String.join(" ", GuestRuntime.JVM_OPTIONS) + " \\\n"
                + "  -Xshare:auto -XX:SharedArchiveFile=\"$RT/app.jsa\"");
        assertThat(init).contains("io.gapwatch.Gapwatch $ARGS");
        assertThat(init).contains("say uname", "say begin", "say end", "say exit", "say fail", "say skip", "poweroff -f");
        assertThat(init).contains("say() { echo \"@@gapwatch $NONCE $*\"; }");
        assertThat(init).as("an empty line in the load order inserts nothing").contains("\"\") continue ;;");
    }

    @Test
    void aKernelWithKvmBuiltInGetsAnEmptyLoadOrder() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Initramfs.write(out, Initramfs.initScript(), bytes("busybox"), List.of());
        Map<String, NewcReader.Entry> entries = NewcReader.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(entries.get(Initramfs.LOAD_ORDER).content()).isEmpty();
    }

    @Test
    void aCachedKernelKeepsOneInitramfsForEveryRun(@TempDir Path home) throws Exception {
        Path modulesDir = FakeKernel.tree(tmp.resolve("k"));
        Path cacheDir = Files.createDirectories(home.resolve("cache"));
        Path busybox = Files.write(tmp.resolve("busybox"), bytes("static busybox"));
        HostTools tools = new HostTools(Path.of("/usr/bin/qemu-system-x86_64"), busybox, Path.of("/usr/bin/xz"),
                Path.of("/usr/bin/apt-get"), Path.of("/usr/bin/dpkg-deb"), Path.of("/usr/bin/tar"), Path.of("/usr/bin/ldd"));
        KernelImage kernel = new KernelImage("6.12.117+deb12-amd64", tmp.resolve("vmlinuz"), modulesDir, cacheDir);
        Files.createDirectories(home.resolve("s1"));
        Files.createDirectories(home.resolve("s2"));
        Files.writeString(cacheDir.resolve("initramfs-0000000000000000.cpio.gz"), "of an older init.sh");

        Path first = Initramfs.forKernel(kernel, tools, home.resolve("s1"));
        long built = Files.getLastModifiedTime(first).toMillis();
        Path second = Initramfs.forKernel(kernel, tools, home.resolve("s2"));

        assertThat(second).isEqualTo(first);
        assertThat(first.getParent()).isEqualTo(cacheDir);
        assertThat(Files.getLastModifiedTime(second).toMillis()).isEqualTo(built);
        try (var files = Files.list(cacheDir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactly(first.getFileName().toString());
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(first))) {
            Map<String, NewcReader.Entry> entries = NewcReader.read(in);
            assertThat(new String(entries.get(Initramfs.LOAD_ORDER).content(), StandardCharsets.US_ASCII))
                    .isEqualTo(String.join("\n", FakeKernel.LOAD_ORDER) + "\n");
        }
    }

    @Test
    void aDynamicBusyboxIsRefused() throws Exception {
        Path elf = tmp.resolve("busybox");
        Files.write(elf, FakeKernel.elf64(true));
        assertThat(HostTools.isStatic(elf)).isFalse();
        Files.write(elf, FakeKernel.elf64(false));
        assertThat(HostTools.isStatic(elf)).isTrue();
        Files.writeString(elf, "#!/bin/sh\n");
        assertThatThrownBy(() -> HostTools.isStatic(elf)).hasMessageContaining("not a 64-bit ELF");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
