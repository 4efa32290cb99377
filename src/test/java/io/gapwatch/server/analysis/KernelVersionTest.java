package io.gapwatch.server.analysis;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class KernelVersionTest {

    @Test
    void debian_releases_order_numerically_within_their_series() {
        List<String> sorted = Stream.of("6.12.117+deb12-amd64", "6.12.99+deb12-amd64", "6.12.100+deb12-amd64",
                        "6.12.101+deb12-amd64")
                .map(KernelVersion::parse).sorted().map(KernelVersion::release).toList();
        assertThat(sorted).containsExactly("6.12.99+deb12-amd64", "6.12.100+deb12-amd64", "6.12.101+deb12-amd64",
                "6.12.117+deb12-amd64");
        assertThat(KernelVersion.parse("6.1.0-47-amd64")).isLessThan(KernelVersion.parse("6.1.0-56-amd64"));
    }

    @Test
    void flavours_are_separate_series_and_sim_kernels_are_their_own() {
        assertThat(KernelVersion.parse("6.12.117+deb12-amd64").series()).isEqualTo("6.12-amd64");
        assertThat(KernelVersion.parse("6.12.117+deb12-cloud-amd64").series()).isEqualTo("6.12-cloud-amd64");
        assertThat(KernelVersion.parse("6.12.117+deb12-rt-amd64").series()).isEqualTo("6.12-rt-amd64");
        assertThat(KernelVersion.parse("6.1.0-56-cloud-amd64").series()).isEqualTo("6.1-cloud-amd64");
        assertThat(KernelVersion.parse("6.1.0-56-cloud-amd64").version()).isEqualTo("6.1.0-56");
        assertThat(KernelVersion.parse("sim:6.12.111").series()).isEqualTo("sim:6.12");
        assertThat(KernelVersion.parse("sim:6.12.101")).isLessThan(KernelVersion.parse("sim:6.12.111"));
        assertThat(KernelVersion.parse("sim:6.12.111").sameSeries(KernelVersion.parse("6.12.111+deb12-amd64")))
                .isFalse();
    }

    @Test
    void dpkg_rules_tilde_before_anything_letters_before_punctuation() {
        assertThat(KernelVersion.compareDebian("1.0~rc1", "1.0")).isNegative();
        assertThat(KernelVersion.compareDebian("1.0", "1.0+deb12")).isNegative();
        assertThat(KernelVersion.compareDebian("1.0a", "1.0+")).isNegative();
        assertThat(KernelVersion.compareDebian("6.12.010", "6.12.10")).isZero();
        assertThat(KernelVersion.compareDebian("6.12.12+bpo", "6.12.117+deb12")).isNegative();
    }

    @Test
    void a_name_without_a_version_is_a_series_of_one() {
        KernelVersion k = KernelVersion.parse("custom");
        assertThat(k.series()).isEqualTo("custom");
    }
}
