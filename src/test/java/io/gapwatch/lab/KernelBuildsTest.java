package io.gapwatch.lab;

import io.gapwatch.client.BuildRecipe;
import io.gapwatch.client.PatchFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Kernel builds up to the compiler, on a small git tree standing in for an unpacked source (the real build is
 * LabPatchSeriesTest's): patches go in with git am semantics, one named by position and subject when it does not
 * apply; the lab's config asks for what the guest's JVM needs.
 */
class KernelBuildsTest {
    @TempDir
    Path home;

    @Test
    void a_patch_that_does_not_apply_is_named_by_its_position_and_subject_and_its_predecessors_stay_applied() throws Exception {
        Path tree = sourceTree("line one\nline two\nline three\n");
        String good = patch("1/2", "KVM: x86/xen: the second line, reworded", " line one", "-line two", "+line 2", " line three");
        String bad = patch("2/2", "KVM: x86/xen: a change to a line that is not there", " line one", "-line four", "+line 4", " line three");
        List<KernelBuilds.Progress> progress = new ArrayList<>();

        assertThatThrownBy(() -> new KernelBuilds(home).build(BuildRecipe.of("6.12.117", List.of(good, bad), ""), progress::add))
                .isInstanceOfSatisfying(PatchDoesNotApplyException.class, e -> {
                    assertThat(e.position()).isEqualTo(2);
                    assertThat(e.subject()).isEqualTo("KVM: x86/xen: a change to a line that is not there");
                    assertThat(e.getMessage()).startsWith("patch 2 (KVM: x86/xen: a change to a line that is not there) does not apply");
                    assertThat(e.log()).isRegularFile();
                    assertThat(e.logTail(60)).contains("applied patch 1: KVM: x86/xen: the second line, reworded");
                });

        assertThat(Files.readString(tree.resolve("arch/x86/kvm/xen.c"))).isEqualTo("line one\nline 2\nline three\n");
        assertThat(tree.resolve(".git/rebase-apply")).doesNotExist();
        assertThat(progress).extracting(KernelBuilds.Progress::step).containsExactly("applying 2 patches");
    }

    @Test
    void the_next_recipe_starts_from_the_tree_at_its_longest_prefix_applied_before_and_the_base_is_the_base() throws Exception {
        Path tree = sourceTree("line one\nline two\nline three\n");
        String p1 = patch("1/2", "first", "-line one", "+line 1", " line two", " line three");
        String p2 = patch("2/2", "second", " line 1", " line two", "-line three", "+line 3");
        KernelBuilds builds = new KernelBuilds(home);

        // No kernel Makefile in this tree: each build gets as far as configuring, after its patches are in.
        assertThatThrownBy(() -> builds.build(BuildRecipe.of("6.12.117", List.of(p1, p2), ""), p -> { }))
                .isInstanceOf(KernelBuildException.class).hasMessageContaining("make tinyconfig failed");
        assertThat(Files.readString(tree.resolve("arch/x86/kvm/xen.c"))).isEqualTo("line 1\nline two\nline 3\n");

        assertThatThrownBy(() -> builds.build(BuildRecipe.of("6.12.117", List.of(p1), ""), p -> { }))
                .isInstanceOf(KernelBuildException.class)
                .satisfies(e -> assertThat(((KernelBuildException) e).logTail(200)).contains("tree at patch 1 (applied before)"));
        assertThat(Files.readString(tree.resolve("arch/x86/kvm/xen.c"))).isEqualTo("line 1\nline two\nline three\n");

        assertThatThrownBy(() -> builds.build(new BuildRecipe("6.12.117", List.of(), ""), p -> { }))
                .isInstanceOf(KernelBuildException.class)
                .satisfies(e -> assertThat(((KernelBuildException) e).logTail(200)).contains("tree at the base"));
        assertThat(Files.readString(tree.resolve("arch/x86/kvm/xen.c"))).isEqualTo("line one\nline two\nline three\n");
    }

    @Test
    void the_fixture_series_reads_as_three_patches_in_order_with_their_subjects() throws Exception {
        List<String> texts = PatchFiles.read(Path.of("src/test/resources/patches/steal-3ms"));
        BuildRecipe recipe = BuildRecipe.of("6.12.117", texts, "");

        assertThat(recipe.patches()).extracting(BuildRecipe.Patch::subject).containsExactly(
                "KVM: x86/xen: explain why run_delay while running is booked as runnable",
                "KVM: x86/xen: account the world switch out of runnable as steal time",
                "KVM: Documentation: say how a migrated vCPU's gap becomes steal time");
        assertThat(PatchFiles.splitMbox(String.join("", texts))).containsExactlyElementsOf(texts);
        assertThat(texts.get(1)).contains("+\t\tdelta_ns += 3 * NSEC_PER_MSEC;");
    }

    @Test
    void the_lab_config_asks_for_what_the_guests_jvm_and_the_probe_need() {
        Map<String, String> config = KernelBuilds.assignments(KernelBuilds.labConfig());

        // Without futexes HotSpot starts and then waits forever; the rest is the probe's KVM and its run_delay.
        assertThat(config).containsEntry("CONFIG_FUTEX", "y").containsEntry("CONFIG_KVM_XEN", "y")
                .containsEntry("CONFIG_KVM_AMD", "y").containsEntry("CONFIG_SCHEDSTATS", "y")
                .containsEntry("CONFIG_BLK_DEV_INITRD", "y").containsEntry("CONFIG_SERIAL_8250_CONSOLE", "y")
                .containsEntry("CONFIG_LOCALVERSION_AUTO", "n");
        assertThat(KernelBuilds.configKey()).matches("[0-9a-f]{12}");
        assertThat(KernelBuilds.assignments("# CONFIG_MODULES is not set\nCONFIG_LOCALVERSION=\"-gw-x\"\n"))
                .containsExactly(Map.entry("CONFIG_MODULES", "n"), Map.entry("CONFIG_LOCALVERSION", "\"-gw-x\""));
    }

    @Test
    void a_lab_build_is_known_by_its_name_and_progress_reads_as_objects_of_expected() {
        assertThat(KernelBuilds.isBuiltRelease("6.12.117-gw-76712a664a1f")).isTrue();
        assertThat(KernelBuilds.isBuiltRelease("6.12.117+deb12-amd64")).isFalse();
        assertThat(KernelBuilds.isBuiltRelease("6.12.117-gw-../../x")).isFalse();
        assertThat(new KernelBuilds.Progress("6.12.117-gw-76712a664a1f", "compiling", 812, 2345).message())
                .isEqualTo("building 6.12.117-gw-76712a664a1f: compiling, 812/2345 objects");
        assertThat(new KernelBuilds.Progress("6.12.117-gw-76712a664a1f", "compiling", 12, 0).message())
                .isEqualTo("building 6.12.117-gw-76712a664a1f: compiling, 12 objects");
    }

    /** An unpacked source as KernelBuilds leaves it: a git repository, its first commit tagged. */
    private Path sourceTree(String xen) throws Exception {
        Path tree = home.resolve("lab/sources/6.12.117/tree");
        Files.createDirectories(tree.resolve("arch/x86/kvm"));
        Files.writeString(tree.resolve("arch/x86/kvm/xen.c"), xen);
        git(tree, "init", "-q");
        git(tree, "add", "-A");
        git(tree, "commit", "-q", "-m", "base");
        git(tree, "tag", "gapwatch-base");
        return tree;
    }

    private static String patch(String n, String subject, String... hunk) {
        return """
                From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
                From: Ada Tester <ada@example.org>
                Date: Fri, 27 Nov 2026 16:00:00 +0000
                Subject: [PATCH %s] %s

                ---
                diff --git a/arch/x86/kvm/xen.c b/arch/x86/kvm/xen.c
                --- a/arch/x86/kvm/xen.c
                +++ b/arch/x86/kvm/xen.c
                @@ -1,3 +1,3 @@
                %s
                --\u0020
                2.39.5
                """.formatted(n, subject, String.join("\n", hunk));
    }

    private static void git(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@t"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
    }
}
