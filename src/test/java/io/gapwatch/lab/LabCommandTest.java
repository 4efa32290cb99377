package io.gapwatch.lab;

import io.gapwatch.cli.UsageException;
import io.gapwatch.probe.ProbeCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code gapwatch lab} as a user types it: usage errors (exit 2 through the launcher), --help, --list. No guest boots. */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class LabCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int lab(String... args) {
        return LabCommand.main(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void usageErrorsNameWhatIsWrong() {
        assertThatThrownBy(() -> lab("--variant", "clock-realtime")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("lab: --kernel is required");
        assertThatThrownBy(() -> lab("--kernel", "linux-6.12")).isInstanceOf(UsageException.class)
                .hasMessageContaining("'linux-6.12' is neither a Debian kernel release");
        assertThatThrownBy(() -> lab("--kernel", "6.12.117+deb12-amd64", "--format", "xml")).isInstanceOf(UsageException.class)
                .hasMessage("lab: --format must be ktap or json, was 'xml'");
        assertThatThrownBy(() -> lab("--kernel", "6.12.117+deb12-amd64", "--modules", "/tmp")).isInstanceOf(UsageException.class)
                .hasMessageContaining("--modules goes with a vmlinuz path");
        assertThatThrownBy(() -> lab("--kernel", "6.12.117+deb12-amd64", "--timeout-s", "1")).isInstanceOf(UsageException.class)
                .hasMessageContaining("timeout-s");
        assertThatThrownBy(() -> lab("--kernel", "6.12.117+deb12-amd64", "--gap-ms", "0")).isInstanceOf(UsageException.class)
                .hasMessageContaining("gap-ms");
        assertThatThrownBy(() -> lab("--kernel", "6.12.117+deb12-amd64", "--no-such-option")).isInstanceOf(UsageException.class)
                .hasMessageContaining("no-such-option");
        assertThat(out.toString(StandardCharsets.UTF_8)).as("nothing on stdout for a usage error").isEmpty();
    }

    @Test
    void helpSaysHowToCallItAndExits0() {
        assertThat(lab("--help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("Usage: gapwatch lab --kernel").contains("--list")
                .contains("Exit: ").contains("2 usage error");
    }

    @Test
    void aVmlinuzThatIsNotThereExits1WithTheReasonAndNoReport(@TempDir Path dir) {
        Path missing = dir.resolve("boot/vmlinuz-6.12.0-test");
        assertThat(lab("--kernel", missing.toString(), "--format", "json")).isEqualTo(ProbeCommand.EXIT_FAIL);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("gapwatch lab: ").contains(missing.toString());
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    /** The cache of $GAPWATCH_HOME and apt's lists, as they are on this machine: the shape, not the content. */
    @Test
    void listShowsTheCachedKernelsTheBuiltOnesThenTheInstallableOnesBySeriesAndFlavourOldestFirst() {
        assertThat(lab("--list")).as(err.toString(StandardCharsets.UTF_8)).isZero();
        List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines.get(0)).matches("# cached \\(\\d+\\)");
        int cached = Integer.parseInt(lines.get(0).replaceAll("\\D", ""));
        assertThat(lines.subList(1, cached + 1)).allMatch(KernelRelease::isValid);
        assertThat(lines.get(cached + 1)).matches("# built by 'gapwatch lab build' or a lab agent's --build-source \\(\\d+\\)");
        int built = Integer.parseInt(lines.get(cached + 1).replaceAll("\\D", ""));
        assertThat(lines.subList(cached + 2, cached + 2 + built)).allMatch(KernelBuilds::isBuiltRelease);
        int next = cached + 2 + built;
        assertThat(lines.get(next)).matches("# installable with apt, by series and flavour \\(\\d+\\)");
        int installable = Integer.parseInt(lines.get(next).replaceAll("\\D", ""));
        int listed = 0;
        for (String group : lines.subList(next + 1, lines.size())) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(.+?) \\((\\d+)\\): (.+)").matcher(group);
            assertThat(m.matches()).as("a series line: %s", group).isTrue();
            List<KernelRelease> releases = java.util.Arrays.stream(m.group(3).split(" ")).map(KernelRelease::new).toList();
            assertThat(releases).as(group).hasSize(Integer.parseInt(m.group(2))).isSorted();
            listed += releases.size();
        }
        assertThat(listed).as("the installable count is what the series list").isEqualTo(installable);
    }
}
