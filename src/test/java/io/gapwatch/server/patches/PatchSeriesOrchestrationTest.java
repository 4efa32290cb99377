package io.gapwatch.server.patches;

import io.gapwatch.cli.Json;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.server.agents.TargetRepository;
import io.gapwatch.server.runs.RunRepository;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimBuilder;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The patch series orchestration (submit, sweep base and full series, compare, bisect the prefixes, answer) over
 * the real HTTP API, against a test agent ({@link SimBuilder}) that registers a builder target
 * {@code build:6.12.117} and answers every leased run with the SIMULATED kernel (backend sim, labelled simulated
 * on every run and on the series): nothing is compiled or booted here. Its simulated kernel over-accounts 3 ms per
 * migration when the leased recipe contains the patch whose subject says so, and reports a BUILD error when the
 * recipe contains a patch whose subject says it does not compile: the orchestration must find those from the
 * numbers and errors alone. Kernels really built from the Debian source and booted are the lab test's (KernelLab).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.analysis.poll-interval=200ms", "gapwatch.sweeps.check-interval=200ms"})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatchSeriesOrchestrationTest {
    private static final String BASE = "6.12.117";
    private static final String OVER_ACCOUNTS = SimBuilder.OVER_ACCOUNTS;
    private static final String DOES_NOT_COMPILE = SimBuilder.DOES_NOT_COMPILE;
    private static final String NEEDS_THE_NEXT_PATCH = SimBuilder.NEEDS_THE_NEXT_PATCH;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "patch_series_orchestration");
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    RunRepository runs;
    @Autowired
    TargetRepository targets;
    Http http;
    SimBuilder builder;

    @BeforeAll
    void simulatedBuilder() {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        builder = new SimBuilder(http, "sim-builder", BASE);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void orchestration_bisects_a_simulated_series_to_the_patch_that_over_accounts() throws InterruptedException {
        List<String> patches = List.of(patch(1, "KVM: x86/xen: say why the runstate is updated here"),
                patch(2, "KVM: x86/xen: " + OVER_ACCOUNTS), patch(3, "KVM: x86/xen: reword a log message"));
        Http.Response submitted = http.post("/api/v1/series", body(patches, ""));
        assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
        long id = submitted.json().path("id").asLong();
        assertThat(submitted.location()).endsWith("/api/v1/series/" + id);
        BuildRecipe recipe = BuildRecipe.of(BASE, patches, "");
        assertThat(submitted.json().path("patches").get(1).path("subject").asString()).isEqualTo("KVM: x86/xen: " + OVER_ACCOUNTS);
        assertThat(submitted.json().path("patches").get(2).path("release").asString()).isEqualTo(recipe.release());

        JsonNode s = serveUntilAnswered(id, Duration.ofSeconds(220));

        assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("FOUND");
        assertThat(s.path("simulated").asBoolean()).isTrue();
        assertThat(s.path("comparison").asString()).startsWith("regression");
        JsonNode answer = s.path("answer");
        assertThat(answer.path("regression").asBoolean()).isTrue();
        assertThat(answer.path("firstBadPosition").asInt()).isEqualTo(2);
        assertThat(answer.path("firstBadSubject").asString()).isEqualTo("KVM: x86/xen: " + OVER_ACCOUNTS);
        assertThat(answer.path("release").asString()).isEqualTo(recipe.prefix(2).release());
        assertThat(steps(s)).containsExactly("good k=0 good", "bad k=3 bad", "midpoint k=1 good", "midpoint k=2 bad");
        // the sweep's two runs of each end are the bisection's first two steps, not run again: 4 + 2 x 2 runs in all
        List<Long> runIds = new ArrayList<>();
        for (JsonNode b : s.path("builds")) {
            assertThat(b.path("release").asString()).isEqualTo(recipe.prefix(b.path("position").asInt()).release());
            assertThat(b.path("runs")).as("runs on prefix %s", b.path("position")).hasSize(2);
            b.path("runs").forEach(r -> {
                runIds.add(r.path("id").asLong());
                assertThat(r.path("build").path("release").asString()).isEqualTo(b.path("release").asString());
            });
        }
        assertThat(runIds).hasSize(8).doesNotHaveDuplicates();
        assertThat(builder.built()).contains(recipe.release(), recipe.prefix(0).release(), recipe.prefix(1).release(),
                recipe.prefix(2).release());
        JsonNode run = http.get("/api/v1/runs/" + runIds.get(0)).json();
        assertThat(run.path("target").path("simulated").asBoolean()).isTrue();
        assertThat(run.path("build").path("seconds").asDouble()).isZero();
        assertThat(http.get("/api/v1/series/submitted?state=FOUND").json().path("items"))
                .anySatisfy(item -> assertThat(item.path("id").asLong()).isEqualTo(id));
        assertThat(http.get("/api/v1/series?kernel=" + recipe.release()).json().path("items").get(0).path("simulated")
                .asBoolean()).as("the measurement series of a built kernel, labelled simulated").isTrue();
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void a_prefix_that_does_not_build_is_stepped_around_and_the_first_bad_patch_is_still_found() throws InterruptedException {
        // prefix 2 ends with a patch that needs patch 3 to compile: the midpoint k=2 cannot be tested
        long id = submit(List.of(patch(1, "KVM: x86/xen: name the runstate helper"),
                patch(2, "KVM: x86/xen: call the new helper, which " + NEEDS_THE_NEXT_PATCH),
                patch(3, "KVM: x86/xen: add the helper"), patch(4, "KVM: x86/xen: " + OVER_ACCOUNTS)), "");

        JsonNode s = serveUntilAnswered(id, Duration.ofSeconds(220));

        assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("FOUND");
        assertThat(s.path("answer").path("firstBadPosition").asInt()).isEqualTo(4);
        assertThat(s.path("answer").path("firstBadOneOf")).isEmpty();
        assertThat(steps(s)).containsExactly("good k=0 good", "bad k=4 bad", "midpoint k=2 skipped", "midpoint k=1 good",
                "midpoint k=3 good");
        assertThat(s.path("steps").get(2).path("detail").asString()).contains("implicit declaration").contains("stepped around");
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void when_only_prefixes_that_do_not_build_are_left_the_answer_names_every_patch_the_first_bad_can_be()
            throws InterruptedException {
        long id = submit(List.of(patch(1, "KVM: x86/xen: name the runstate helper"),
                patch(2, "KVM: x86/xen: call the new helper, which " + NEEDS_THE_NEXT_PATCH),
                patch(3, "KVM: x86/xen: add the helper and " + OVER_ACCOUNTS), patch(4, "KVM: x86/xen: reword a log message")), "");

        JsonNode s = serveUntilAnswered(id, Duration.ofSeconds(220));

        assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("AMBIGUOUS");
        JsonNode answer = s.path("answer");
        assertThat(answer.path("regression").asBoolean()).isTrue();
        assertThat(answer.path("firstBadPosition").isNull()).isTrue();
        List<Integer> oneOf = new ArrayList<>();
        answer.path("firstBadOneOf").forEach(p -> oneOf.add(p.path("position").asInt()));
        assertThat(oneOf).containsExactly(2, 3);
        assertThat(s.path("reason").asString()).contains("one of patch 2, patch 3");
        assertThat(steps(s)).containsExactly("good k=0 good", "bad k=4 bad", "midpoint k=2 skipped", "midpoint k=1 good",
                "midpoint k=3 bad");
        JsonNode bisection = http.get("/api/v1/bisections/" + s.path("bisectionId").asLong()).json();
        assertThat(bisection.path("state").asString()).isEqualTo("AMBIGUOUS");
        assertThat(bisection.path("firstBad").isNull()).isTrue();
        assertThat(bisection.path("firstBadCandidates")).hasSize(2);
        assertThat(http.get("/api/v1/series/submitted?state=AMBIGUOUS").json().path("items"))
                .anySatisfy(item -> assertThat(item.path("id").asLong()).isEqualTo(id));
    }

    private static List<String> steps(JsonNode s) {
        List<String> steps = new ArrayList<>();
        s.path("steps").forEach(st -> steps.add(st.path("role").asString() + " k=" + st.path("position").asInt() + " "
                + st.path("verdict").asString()));
        return steps;
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void orchestration_answers_no_regression_for_a_harmless_simulated_series() throws InterruptedException {
        long id = submit(List.of(patch(1, "KVM: x86/xen: a comment on the runstate timer")), "CONFIG_KVM_XEN=y\n");

        JsonNode s = serveUntilAnswered(id, Duration.ofSeconds(170));

        assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("NO_REGRESSION");
        assertThat(s.path("answer").path("regression").asBoolean()).isFalse();
        assertThat(s.path("bisectionId").isNull()).isTrue();
        assertThat(s.path("steps")).isEmpty();
        assertThat(s.path("builds").get(0).path("runs")).hasSize(2);
        assertThat(s.path("builds").get(1).path("runs")).hasSize(2);
        assertThat(s.path("configFragment").asString()).isEqualTo("CONFIG_KVM_XEN=y\n");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void a_build_error_is_stored_once_not_retried_and_the_series_has_no_answer() throws InterruptedException {
        long id = submit(List.of(patch(1, "KVM: x86/xen: this " + DOES_NOT_COMPILE)), "");

        JsonNode s = serveUntilAnswered(id, Duration.ofSeconds(170));

        assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("FAILED");
        assertThat(s.path("reason").asString()).contains("the full series").contains("ERROR")
                .contains("patch 1 (KVM: x86/xen: this does not compile) does not apply");
        JsonNode failed = s.path("builds").get(1).path("runs").get(0);
        assertThat(failed.path("errorKind").asString()).isEqualTo("BUILD");
        JsonNode run = http.get("/api/v1/runs/" + failed.path("id").asLong()).json();
        assertThat(run.path("verdict").asString()).isEqualTo("ERROR");
        assertThat(run.path("attempts").asInt()).as("a BUILD error is not retried").isEqualTo(1);
        assertThat(run.path("events").toString()).doesNotContain("REQUEUED");
    }

    @Test
    void bad_submissions_name_their_field_and_create_nothing() {
        long before = count();
        String good = patch(1, "KVM: x86/xen: harmless");
        assertField("{\"base\":\"6.12.117\",\"patches\":[]}", "patches");
        assertField("{\"base\":\"6.12.117\"}", "patches");
        assertField("{\"base\":\"6.12.117\",\"patches\":[{\"text\":" + quote("From: a@b\n\ndiff --git a/x b/x\n") + "}]}",
                "patches[0].text");
        assertField("{\"base\":\"6.12.117\",\"patches\":[{\"text\":" + quote("Subject: [PATCH] no diff\n\njust words\n") + "}]}",
                "patches[0].text");
        assertField("{\"base\":\"6.12.117\",\"patches\":[{}]}", "patches[0].text");
        assertField("{\"base\":\"linux-6.12\",\"patches\":[{\"text\":" + quote(good) + "}]}", "base");
        assertField("{\"patches\":[{\"text\":" + quote(good) + "}]}", "base");
        assertField("{\"base\":\"6.12.117\",\"variant\":\"clock-sideways\",\"patches\":[{\"text\":" + quote(good) + "}]}", "variant");
        assertField("{\"base\":\"6.12.117\",\"iterations\":2,\"patches\":[{\"text\":" + quote(good) + "}]}", "iterations");
        assertField("{\"base\":\"6.12.117\",\"gapMs\":0,\"patches\":[{\"text\":" + quote(good) + "}]}", "gapMs");
        assertField("{\"base\":\"6.12.117\",\"configFragment\":\"rm -rf /\",\"patches\":[{\"text\":" + quote(good) + "}]}",
                "configFragment");
        String large = good + "+" + "x".repeat(4 * 1024 * 1024) + "\n";
        assertField("{\"base\":\"6.12.117\",\"patches\":[{\"text\":" + quote(large) + "}]}", "patches");
        Http.Response noBuilder = http.post("/api/v1/series", "{\"base\":\"6.1.1\",\"patches\":[{\"text\":" + quote(good) + "}]}");
        assertThat(noBuilder.status()).as(noBuilder.body()).isEqualTo(422);
        assertThat(noBuilder.json().path("field").asString()).isEqualTo("base");
        assertThat(count()).as("no series, patch, recipe or sweep was left by a refusal").isEqualTo(before);
        assertThat(http.get("/api/v1/series/424242").status()).isEqualTo(404);
        assertThat(http.get("/api/v1/series/submitted?state=LOST").json().path("field").asString()).isEqualTo("state");
        assertThat(http.as(http.newToken("viewer")).post("/api/v1/series", "{}").status()).isEqualTo(403);
    }

    @Test
    void a_builder_target_serves_only_kernels_whose_recipe_is_known() {
        Http.Response unknown = http.post("/api/v1/runs", """
                {"variant":"clock-realtime","target":{"kernel":"6.12.117-gw-000000000000"}}""");
        assertThat(unknown.status()).as("no recipe: nobody could build it").isEqualTo(422);
        Http.Response anyKernel = http.post("/api/v1/runs", """
                {"variant":"clock-realtime","target":{"agent":"sim-builder"}}""");
        assertThat(anyKernel.status()).as("a builder has no kernel of its own to run 'any kernel' on").isEqualTo(422);
        Http.Response everyKernel = http.post("/api/v1/sweeps", "{\"matrix\":{}}");
        assertThat(everyKernel.status()).as("'every served kernel' lists no build:<base> pseudo-kernel").isEqualTo(422);

        String patch = patch(1, "KVM: x86/xen: served");
        String release = BuildRecipe.of(BASE, List.of(patch), "").release();
        long builderId = jdbc.sql("SELECT id FROM agents WHERE name = 'sim-builder'").query(Long.class).single();
        assertThat(runs.agentsWithWork(List.of(builderId))).as("nothing queued yet").isEmpty();
        submit(List.of(patch), "");
        assertThat(targets.servedAmong(List.of(release, "6.12.117-gw-000000000000", "6.12.117"), null))
                .containsExactly(release);
        assertThat(targets.anyServes("sim-builder", release, "sim")).isTrue();
        assertThat(targets.anyServes("sim-builder", release, "lab")).isFalse();
        assertThat(runs.agentsWithWork(List.of(builderId))).as("the dispatcher wakes the builder for the series' runs")
                .containsExactly(builderId);
    }

    private long count() {
        return jdbc.sql("""
                        SELECT (SELECT count(*) FROM patch_series) + (SELECT count(*) FROM patch_series_patches)
                             + (SELECT count(*) FROM kernel_recipes) + (SELECT count(*) FROM sweeps)""")
                .query(Long.class).single();
    }

    private void assertField(String body, String field) {
        Http.Response r = http.post("/api/v1/series", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asString()).as(r.body()).isEqualTo(field);
    }

    private long submit(List<String> patches, String fragment) {
        Http.Response r = http.post("/api/v1/series", body(patches, fragment));
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().path("id").asLong();
    }

    private static String body(List<String> patches, String fragment) {
        return "{\"base\":\"" + BASE + "\",\"variant\":\"clock-realtime\",\"gapMs\":10,\"iterations\":10,"
                + "\"configFragment\":" + quote(fragment) + ",\"patches\":["
                + String.join(",", patches.stream().map(p -> "{\"text\":" + quote(p) + "}").toList()) + "]}";
    }

    private static String quote(String text) {
        return Json.MAPPER.writeValueAsString(text);
    }

    /** A small patch in git format-patch form. */
    static String patch(int n, String subject) {
        return "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
                + "From: Test Author <test@example.org>\n"
                + "Subject: [PATCH " + n + "/3] " + subject + "\n\n"
                + subject + ".\n---\n"
                + "diff --git a/arch/x86/kvm/xen.c b/arch/x86/kvm/xen.c\n"
                + "--- a/arch/x86/kvm/xen.c\n+++ b/arch/x86/kvm/xen.c\n"
                + "@@ -1,1 +1,2 @@\n /* line */\n+/* " + n + " */\n";
    }

    /**
     * Plays the builder agent until the series has an answer: each leased run is answered by the simulated kernel
     * of the lease's recipe (checked: the recipe names the leased kernel), relabelled to that kernel on backend sim.
     */
    private JsonNode serveUntilAnswered(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode s = http.get("/api/v1/series/" + id).json();
            if (!s.path("state").asString().equals("SWEEPING") && !s.path("state").asString().equals("BISECTING")) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("patch series " + id + " still " + s.path("state").asString() + " after "
                        + timeout + ": " + s);
            }
            builder.deliverNext(1);
        }
    }
}
