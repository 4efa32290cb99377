package io.gapwatch.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HostToolsTest {
    @TempDir
    Path bin;

    @Test
    void everythingMissingIsNamedWithTheAptPackagesThatBringIt() {
        assertThatThrownBy(() -> HostTools.find(List.of(bin)))
                .isInstanceOf(LabException.class)
                .hasMessage("the kernel lab needs qemu-system-x86_64 (package qemu-system-x86), busybox (package "
                        + "busybox-static), xz (package xz-utils), apt-get (package apt), dpkg-deb (package dpkg), tar (package tar), ldd (package libc-bin): "
                        + "install the lab's packages: apt-get install qemu-system-x86 busybox-static xz-utils");
    }

    @Test
    void aDynamicBusyboxIsNotEnough() throws Exception {
        for (String tool : List.of("qemu-system-x86_64", "xz", "apt-get", "dpkg-deb", "tar", "ldd")) {
            executable(tool, "#!/bin/sh\n".getBytes());
        }
        executable("busybox", FakeKernel.elf64(true));
        assertThatThrownBy(() -> HostTools.find(List.of(bin)))
                .hasMessageEndingWith("busybox is dynamically linked and cannot run alone in an initramfs: "
                        + "apt-get install busybox-static");
        executable("busybox", FakeKernel.elf64(false));
        HostTools tools = HostTools.find(List.of(bin));
        assertThat(tools.qemu()).isEqualTo(bin.resolve("qemu-system-x86_64"));
        assertThat(tools.busybox()).isEqualTo(bin.resolve("busybox"));
    }

    private void executable(String name, byte[] content) throws Exception {
        Path file = Files.write(bin.resolve(name), content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
