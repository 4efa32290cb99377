package io.gapwatch.client;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The name of a built kernel: one rule, shared by server, agent and CLI (contract of issue 16). */
class BuildRecipeTest {
    static final String P1 = """
            From 1111111111111111111111111111111111111111 Mon Sep 17 00:00:00 2001
            From: A Developer <a@example.org>
            Subject: [PATCH 1/2] KVM: x86/xen: say why the runstate is
             updated here
            
            body
            """;
    static final String P2 = """
            From 2222222222222222222222222222222222222222 Mon Sep 17 00:00:00 2001
            Subject: [PATCH v2 2/2] [RFC] KVM: x86/xen: book the gap
            
            ---
            """;

    @Test
    void the_release_is_the_first_12_hex_digits_of_sha256_over_the_versioned_rule() throws Exception {
        BuildRecipe recipe = BuildRecipe.of("6.12.117", List.of(P1, P2), "CONFIG_X=y\n");

        String expected = sha256("gapwatch-build-v1\n6.12.117\nCONFIG_X=y\n\n" + sha256(P1) + "\n" + sha256(P2) + "\n");

        assertThat(recipe.release()).isEqualTo("6.12.117-gw-" + expected.substring(0, 12));
    }

    @Test
    void the_base_alone_follows_the_same_rule_with_no_patches() throws Exception {
        BuildRecipe base = new BuildRecipe("6.12.117", List.of(), null);

        assertThat(base.release()).isEqualTo("6.12.117-gw-" + sha256("gapwatch-build-v1\n6.12.117\n\n").substring(0, 12));
        assertThat(base.release()).matches("6\\.12\\.117-gw-[0-9a-f]{12}");
    }

    @Test
    void every_byte_of_a_patch_and_of_the_fragment_changes_the_name_and_nothing_else_does() {
        BuildRecipe recipe = BuildRecipe.of("6.12.117", List.of(P1, P2), "");

        assertThat(BuildRecipe.of("6.12.117", List.of(P1, P2), "").release()).isEqualTo(recipe.release());
        assertThat(BuildRecipe.of("6.12.117", List.of(P1, P2 + " "), "").release()).isNotEqualTo(recipe.release());
        assertThat(BuildRecipe.of("6.12.117", List.of(P2, P1), "").release()).isNotEqualTo(recipe.release());
        assertThat(BuildRecipe.of("6.12.117", List.of(P1, P2), "CONFIG_X=y").release()).isNotEqualTo(recipe.release());
        assertThat(BuildRecipe.of("6.12.116", List.of(P1, P2), "").release()).isNotEqualTo(recipe.release());
    }

    @Test
    void a_prefix_is_the_recipe_of_the_first_k_patches_and_zero_is_the_base() {
        BuildRecipe recipe = BuildRecipe.of("6.12.117", List.of(P1, P2), "CONFIG_X=y");

        assertThat(recipe.prefix(2)).isEqualTo(recipe);
        assertThat(recipe.prefix(1)).isEqualTo(BuildRecipe.of("6.12.117", List.of(P1), "CONFIG_X=y"));
        assertThat(recipe.prefix(0).release()).isEqualTo(new BuildRecipe("6.12.117", List.of(), "CONFIG_X=y").release());
        assertThatThrownBy(() -> recipe.prefix(3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void the_subject_is_the_unfolded_header_without_patch_tags() {
        assertThat(BuildRecipe.subjectOf(P1)).isEqualTo("KVM: x86/xen: say why the runstate is updated here");
        assertThat(BuildRecipe.subjectOf(P2)).isEqualTo("KVM: x86/xen: book the gap");
        assertThat(BuildRecipe.subjectOf("\ndiff --git a/x b/x\n")).isEqualTo("diff --git a/x b/x");
        assertThat(BuildRecipe.of("6.12.117", List.of(P1, P2), "").patches())
                .extracting(BuildRecipe.Patch::position, BuildRecipe.Patch::subject)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1, "KVM: x86/xen: say why the runstate is updated here"),
                        org.assertj.core.groups.Tuple.tuple(2, "KVM: x86/xen: book the gap"));
    }

    @Test
    void a_base_is_a_version_and_positions_count_from_one_in_order() {
        assertThatThrownBy(() -> new BuildRecipe("main; rm -rf /", List.of(), "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BuildRecipe("6.12.117", List.of(new BuildRecipe.Patch(2, "s", "t")), ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(BuildRecipe.builderKernel("6.12.117")).isEqualTo("build:6.12.117");
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
