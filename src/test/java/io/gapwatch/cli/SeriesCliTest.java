package io.gapwatch.cli;

import io.gapwatch.server.GapwatchServer;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimBuilder;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code gapwatch series}: reading a patch directory or an mbox, submitting, following to the answer, and the exit
 * codes (0 no regression, 1 regression with the first bad patch named, 3 no answer, 2 usage). The series' runs are
 * answered by a SIMULATED builder agent ({@link SimBuilder}: backend sim, labelled so in the output), which
 * over-accounts once the patch whose subject says so is applied.
 */
@SpringBootTest(classes = GapwatchServer.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.analysis.poll-interval=200ms", "gapwatch.sweeps.check-interval=200ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeriesCliTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "series_cli");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    static Path home;
    SimBuilder builder;

    @BeforeAll
    void simulatedBuilder() {
        Tables.truncateAll(jdbc);
        builder = new SimBuilder(new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN), "cli-sim-builder", "6.12.117");
        builder.serveInBackground();
    }

    @AfterAll
    void stop() throws InterruptedException {
        builder.close();
    }

    private CliResult cli(String... args) {
        return CliResult.run(Map.of("GAPWATCH_SERVER", "http://127.0.0.1:" + port, "GAPWATCH_TOKEN", Http.ADMIN_TOKEN),
                home, args);
    }

    static String patch(int n, String subject) {
        return "From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001\n"
                + "From: Test Author <test@example.org>\nSubject: [PATCH " + n + "/3] " + subject + "\n\n---\n"
                + "diff --git a/arch/x86/kvm/xen.c b/arch/x86/kvm/xen.c\n--- a/arch/x86/kvm/xen.c\n+++ b/arch/x86/kvm/xen.c\n"
                + "@@ -1,1 +1,2 @@\n /* line */\n+/* cli " + n + " */\n";
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void submit_wait_follows_the_series_and_exits_1_naming_the_first_bad_patch(@TempDir Path dir) throws IOException {
        // names sort in series order; another file is not a patch
        Files.writeString(dir.resolve("0001-comment.patch"), patch(1, "KVM: x86/xen: a comment"));
        Files.writeString(dir.resolve("0002-runnable.patch"), patch(2, "KVM: x86/xen: " + SimBuilder.OVER_ACCOUNTS));
        Files.writeString(dir.resolve("0003-log.patch"), patch(3, "KVM: x86/xen: a log string"));
        Files.writeString(dir.resolve("README"), "not a patch");

        CliResult r = cli("series", "submit", "--base", "6.12.117", "--patches", dir.toString(), "--iterations", "10", "--wait");

        assertThat(r.exit()).as(r.toString()).isEqualTo(SeriesCommand.EXIT_REGRESSION);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("patch series \\d+: FOUND, 3 patches on 6\\.12\\.117, clock-realtime at 10 ms "
                + "\\(sim backend: a model, not a kernel result\\)");
        assertThat(lines.get(1)).startsWith("  full series against the base: regression");
        assertThat(lines.get(2)).isEqualTo("  answer: first bad patch 2/3: KVM: x86/xen: " + SimBuilder.OVER_ACCOUNTS);
        assertThat(lines.get(3)).matches("  first bad kernel: 6\\.12\\.117-gw-[0-9a-f]{12}");
        assertThat(lines.get(4)).startsWith("K  PATCH");
        assertThat(lines.get(5)).matches("0 +\\(the base 6\\.12\\.117\\) +6\\.12\\.117-gw-[0-9a-f]{12} +\\d+ PASS, \\d+ PASS +(0 s|reused)");
        assertThat(r.out()).contains("STEP  ROLE").contains("midpoint");
        // off a terminal: one progress line per change, on stderr
        assertThat(r.err().lines().filter(l -> l.startsWith("patch series")).toList()).doesNotHaveDuplicates()
                .anyMatch(l -> l.matches("patch series \\d+: SWEEPING, \\d of 4 runs ended.*"))
                .anyMatch(l -> l.contains("BISECTING"))
                .last().asString().matches("patch series \\d+: FOUND, 8 of 8 runs ended");
        long id = Long.parseLong(lines.get(0).replaceAll("patch series (\\d+):.*", "$1"));

        CliResult shown = cli("series", "show", Long.toString(id), "--format", "json");
        assertThat(shown.exit()).isEqualTo(SeriesCommand.EXIT_REGRESSION);
        assertThat(shown.out()).contains("\"firstBadPosition\"");
        CliResult listed = cli("series", "list");
        assertThat(listed.exit()).isZero();
        assertThat(listed.out()).contains("first bad patch 2/3: KVM: x86/xen: " + SimBuilder.OVER_ACCOUNTS);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void a_series_left_ambiguous_by_a_prefix_that_does_not_build_exits_1_naming_the_patches_it_can_be(@TempDir Path dir)
            throws IOException {
        Path mbox = dir.resolve("series.mbox");
        Files.writeString(mbox, patch(1, "KVM: x86/xen: call a helper that " + SimBuilder.NEEDS_THE_NEXT_PATCH)
                + patch(2, "KVM: x86/xen: add the helper and " + SimBuilder.OVER_ACCOUNTS));

        CliResult r = cli("series", "submit", "--base", "6.12.117", "--patches", mbox.toString(), "--iterations", "10", "--wait");

        assertThat(r.exit()).as(r.toString()).isEqualTo(SeriesCommand.EXIT_REGRESSION);
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).matches("patch series \\d+: AMBIGUOUS, 2 patches on 6\\.12\\.117, .*");
        assertThat(lines.get(2)).isEqualTo("  answer: first bad patch is one of 1 (KVM: x86/xen: call a helper that "
                + SimBuilder.NEEDS_THE_NEXT_PATCH + "), 2 (KVM: x86/xen: add the helper and " + SimBuilder.OVER_ACCOUNTS
                + ") of 2: the prefixes between could not be built");
        assertThat(r.out()).contains("  why: the first bad patch is one of patch 1, patch 2").contains("skipped");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void an_mbox_of_harmless_patches_exits_0(@TempDir Path dir) throws IOException {
        Path mbox = dir.resolve("series.mbox");
        Files.writeString(mbox, patch(1, "KVM: x86/xen: first harmless") + patch(2, "KVM: x86/xen: second harmless"));

        CliResult r = cli("series", "submit", "--base", "6.12.117", "--patches", mbox.toString(), "--iterations", "5", "--wait");

        assertThat(r.exit()).as(r.toString()).isEqualTo(SeriesCommand.EXIT_NO_REGRESSION);
        assertThat(r.out()).contains("NO_REGRESSION, 2 patches on 6.12.117").contains("  answer: no regression");
    }

    @Test
    void refusals_are_no_answer_and_a_wrong_command_line_is_a_usage_error(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("0001.patch"), patch(1, "x"));

        CliResult refused = cli("series", "submit", "--base", "six", "--patches", dir.toString());
        CliResult missing = cli("series", "submit", "--base", "6.12.117", "--patches", dir.resolve("nothing").toString());
        CliResult empty = cli("series", "submit", "--base", "6.12.117", "--patches", Files.createDirectory(dir.resolve("e")).toString());
        CliResult noSub = cli("series");
        CliResult help = cli("series", "submit", "--help");

        assertThat(refused.exit()).isEqualTo(SeriesCommand.EXIT_NO_ANSWER);
        assertThat(refused.err()).startsWith("gapwatch series: ").endsWith("(field: base)\n");
        assertThat(missing.exit()).isEqualTo(ClientCli.EXIT_USAGE);
        assertThat(missing.err()).contains("--patches " + dir.resolve("nothing"));
        assertThat(empty.exit()).isEqualTo(ClientCli.EXIT_USAGE);
        assertThat(empty.err()).contains("no *.patch files");
        assertThat(noSub.exit()).isEqualTo(ClientCli.EXIT_USAGE);
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: gapwatch series submit").contains("--base=VERSION").contains("--server=URL");
    }
}
