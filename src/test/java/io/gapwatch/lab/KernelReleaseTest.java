package io.gapwatch.lab;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KernelReleaseTest {

    @ParameterizedTest
    @ValueSource(strings = {"6.12.117+deb12-amd64", "6.1.0-56-amd64", "6.1.0-47-amd64", "6.12.12+bpo-amd64",
            "6.1.0-56-cloud-amd64", "6.12.117+deb12-rt-amd64", "6.12.38+deb13-amd64"})
    void acceptsDebianAmd64Releases(String name) {
        assertThat(KernelRelease.isValid(name)).isTrue();
        assertThat(new KernelRelease(name).imagePackage()).isEqualTo("linux-image-" + name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "amd64", "6.12", "6.12.117", "6.12.117+deb12", "6.12.117+deb12-arm64",
            "6.1.0-56-amd64-unsigned", "6.1.0-56-amd64-dbg", "../6.1.0-56-amd64", "6.1.0-56-amd64/..",
            "-o=Dir::Cache=/x", "6.1.0-56-amd64 6.12.117+deb12-amd64", "6.1.0-56-amd64;reboot",
            "6.1.0-56-amd64\n", "6.1.0-*-amd64", "6.1.0-56-AMD64", "06.1.0-56-amd64x"})
    void rejectsAnythingElse(String name) {
        assertThat(KernelRelease.isValid(name)).isFalse();
        assertThatThrownBy(() -> new KernelRelease(name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a Debian amd64 kernel release");
    }

    @Test
    void rejectsNull() {
        assertThat(KernelRelease.isValid(null)).isFalse();
    }

    @Test
    void ordersOldestFirstByVersionNumbersNotText() {
        List<String> sorted = Stream.of("6.12.117+deb12-amd64", "6.1.0-56-amd64", "6.12.100+deb12-amd64",
                        "6.1.0-47-amd64", "6.1.0-9-amd64")
                .map(KernelRelease::new).sorted().map(KernelRelease::name).toList();
        assertThat(sorted).containsExactly("6.1.0-9-amd64", "6.1.0-47-amd64", "6.1.0-56-amd64",
                "6.12.100+deb12-amd64", "6.12.117+deb12-amd64");
    }
}
