package io.gapwatch.lab;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kernel cache with a fake apt on the tools' path: an apt-cache that knows two kernels and an apt-get
 * whose "download" copies a real .deb (built here with dpkg-deb) or fails as apt does, and counts its calls.
 * The extraction is the real dpkg-deb's. No network.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KernelCacheTest {
    static final KernelRelease KNOWN = new KernelRelease("6.12.999+deb12-amd64");
    static final KernelRelease OLDER = new KernelRelease("6.1.0-999-amd64");

    @TempDir
    Path dir;
    Path bin;
    Path home;
    Path calls;
    HostTools tools;

    @BeforeEach
    void fakeApt() throws Exception {
        bin = Files.createDirectories(dir.resolve("bin"));
        home = Files.createDirectories(dir.resolve("home"));
        calls = dir.resolve("apt-get.calls");
        Path debs = Files.createDirectories(dir.resolve("mirror"));
        buildDeb(KNOWN, debs);
        script("apt-cache", """
                #!/bin/sh
                [ "$1 $2" = "pkgnames linux-image-" ] || exit 2
                printf 'linux-image-%s\\nlinux-image-%s\\nlinux-image-amd64\\n'
                """.formatted(KNOWN.name(), OLDER.name()));
        // like apt-get download: the .deb lands in the working directory; a package with no .deb fails as apt does
        script("apt-get", """
                #!/bin/sh
                echo "$*" >> %s
                [ "$1 $2" = "-q download" ] || exit 2
                for deb in %s/"$3"_*.deb; do
                  [ -f "$deb" ] || { echo "E: Failed to fetch $3: 404  Not Found [IP: 127.0.0.1 80]" >&2; exit 100; }
                  cp "$deb" .
                done
                """.formatted(calls, debs));
        tools = new HostTools(Path.of("/bin/true"), Path.of("/bin/true"), Path.of("/bin/true"), bin.resolve("apt-get"),
                Path.of("/usr/bin/dpkg-deb"), Path.of("/bin/tar"), Path.of("/usr/bin/ldd"));
    }

    @Test
    void aKernelIsDownloadedOnceExtractedAndThenServedFromTheCache() throws Exception {
        KernelCache cache = new KernelCache(home);
        assertThat(cache.cached()).isEmpty();

        KernelImage image = cache.resolve(KNOWN, tools);
        assertThat(image.release()).isEqualTo(KNOWN.name());
        assertThat(image.vmlinuz()).hasContent("not really a kernel");
        assertThat(image.vmlinuz()).startsWith(home.resolve("kernels").resolve(KNOWN.name()).resolve("root"));
        assertThat(Files.readAllLines(calls)).containsExactly("-q download linux-image-" + KNOWN.name());
        assertThat(home.resolve("kernels").resolve(KNOWN.name()).resolve("download")).as("the .deb is not kept").doesNotExist();

        KernelImage again = new KernelCache(home).resolve(KNOWN, tools);
        assertThat(again.vmlinuz()).isEqualTo(image.vmlinuz());
        assertThat(Files.readAllLines(calls)).as("no second download").hasSize(1);
        assertThat(cache.cached()).containsExactly(KNOWN);
    }

    @Test
    void aFailedDownloadSaysWhatAptSaidAndLeavesNoHalfKernelBehind() throws Exception {
        KernelCache cache = new KernelCache(home);
        assertThatThrownBy(() -> cache.resolve(OLDER, tools)).isInstanceOf(LabException.class)
                .hasMessageStartingWith("apt-get download linux-image-" + OLDER.name() + " failed (exit 100): ")
                .hasMessageContaining("404  Not Found");
        assertThat(home.resolve("kernels").resolve(OLDER.name()).resolve("root")).doesNotExist();
        assertThat(cache.cached()).isEmpty();

        assertThatThrownBy(() -> cache.resolve(OLDER, tools)).isInstanceOf(LabException.class);
        assertThat(Files.readAllLines(calls)).as("a failed download is tried again, not remembered").hasSize(2);
    }

    @Test
    void aKernelAptDoesNotKnowIsRefusedBeforeAnythingIsFetchedOrWritten() {
        KernelRelease unknown = new KernelRelease("6.1.0-0-amd64");
        assertThatThrownBy(() -> new KernelCache(home).resolve(unknown, tools)).isInstanceOf(LabException.class)
                .hasMessageStartingWith("unknown kernel 6.1.0-0-amd64: apt has no package linux-image-6.1.0-0-amd64");
        assertThat(calls).doesNotExist();
        assertThat(home.resolve("kernels").resolve(unknown.name())).doesNotExist();
    }

    @Test
    void theInstallableKernelsAreAptsOldestFirst() throws Exception {
        assertThat(KernelCache.installable(tools)).containsExactly(OLDER, KNOWN);
    }

    @Test
    void aDownloadThatIsNotAPackageIsRefusedAndNothingIsCached() throws Exception {
        Path bad = dir.resolve("mirror").resolve(KNOWN.imagePackage() + "_1_amd64.deb");
        Files.writeString(bad, "garbage, not an ar archive");
        assertThatThrownBy(() -> new KernelCache(home).resolve(KNOWN, tools)).isInstanceOf(LabException.class)
                .hasMessageContaining("dpkg-deb -x").hasMessageContaining("failed");
        assertThat(home.resolve("kernels").resolve(KNOWN.name()).resolve("root")).doesNotExist();
    }

    /** A linux-image package holding boot/vmlinuz-R and lib/modules/R/kernel, as Debian's does. */
    private void buildDeb(KernelRelease release, Path into) throws Exception {
        Path tree = dir.resolve("pkg");
        Files.createDirectories(tree.resolve("DEBIAN"));
        Files.writeString(tree.resolve("DEBIAN/control"), """
                Package: %s
                Version: 1
                Architecture: amd64
                Maintainer: test <test@example.org>
                Description: a fake kernel package
                """.formatted(release.imagePackage()));
        Files.createDirectories(tree.resolve("boot"));
        Files.writeString(tree.resolve("boot/vmlinuz-" + release.name()), "not really a kernel");
        Files.createDirectories(tree.resolve("lib/modules/" + release.name() + "/kernel/arch/x86/kvm"));
        Files.writeString(tree.resolve("lib/modules/" + release.name() + "/kernel/arch/x86/kvm/kvm.ko"), "module");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "--build", tree.toString(),
                into.resolve(release.imagePackage() + "_1_amd64.deb").toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("dpkg-deb --build: " + output).isZero();
    }

    private void script(String name, String text) throws IOException {
        Path file = Files.writeString(bin.resolve(name), text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
