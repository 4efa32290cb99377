package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.Json;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.UsageException;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.client.PatchFiles;
import io.gapwatch.server.support.Await;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The proof of issue 16 on real kernels: the fixture series steal-3ms (three patches against 6.12.117, the second
 * books 3 ms too much to RUNSTATE_runnable on each transition out of it) submitted to a server whose only agent is a
 * lab agent with {@code --build-source 6.12.117}. The agent builds each kernel the series needs from the Debian
 * source (the base from an empty object directory, the others incrementally in the same tree and object directory),
 * boots it under QEMU and runs the probe in it; the server sweeps the base and the full series, finds the
 * regression, and bisects it to patch 2 by its position and subject. Tagged "lab": runs in mvn verify after
 * packaging. Builds are kept in $GAPWATCH_HOME/lab: a second run reuses them (each build's time and whether it was
 * reused is printed, and is in the runs' {@code build}).
 */
@Tag("lab")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gapwatch.analysis.poll-interval=1s", "gapwatch.sweeps.check-interval=1s"})
class LabPatchSeriesTest {
    static final String BASE = "6.12.117";
    static final Path SERIES = Path.of("src/test/resources/patches/steal-3ms");

    /** A database of its own: no other test class's agent may lease these runs. */
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.registerOwn(registry, "lab_patch_series");
    }

    @LocalServerPort
    int port;
    @TempDir
    Path home;

    @Test
    @Timeout(value = 240, unit = TimeUnit.MINUTES) // four kernel builds (one cold) and eight boots on a busy 2-core machine
    void the_fixture_series_is_bisected_to_patch_2_on_kernels_built_from_the_debian_source() throws Exception {
        List<TargetExecutor> executors;
        try {
            executors = AgentCommand.executors("lab", Options.parse("agent",
                    new String[]{"--build-source", BASE}, Set.of("build-source"), Set.of()));
        } catch (UsageException e) {
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true and the lab agent cannot start: " + e.getMessage());
            }
            Assumptions.abort(e.getMessage());
            return;
        }
        assertThat(executors.get(0).targets()).extracting(t -> t.kernelRelease()).containsExactly("build:" + BASE);
        List<String> texts = PatchFiles.read(SERIES);
        BuildRecipe recipe = BuildRecipe.of(BASE, texts, "");
        Http http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Credentials credentials = new Credentials(home.resolve("lab.secret"), http.newToken("enrollment"));
        Agent agent = new Agent("lab-builder", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")), executors, System.out::println);
        Thread thread = new Thread(agent, "lab-builder");
        thread.start();
        long started = System.nanoTime();
        try {
            // a series whose base no registered agent builds is refused (422): the agent must have registered first
            Await.until("the builder agent to register", Duration.ofMinutes(10),
                    () -> !http.get("/api/v1/agents").json().isEmpty(), () -> "no agent");
            Http.Response submitted = http.post("/api/v1/series", Json.MAPPER.writeValueAsString(Map.of(
                    "base", BASE, "patches", texts.stream().map(t -> Map.of("text", t)).toList())));
            assertThat(submitted.status()).as(submitted.body()).isEqualTo(201);
            long id = submitted.json().path("id").asLong();

            JsonNode s = awaitAnswer(http, id, Duration.ofMinutes(230));

            printBuildsAndRuns(http, s, started);
            assertThat(s.path("state").asString()).as(s.toString()).isEqualTo("FOUND");
            assertThat(s.path("simulated").asBoolean()).as("kernels built and booted, not simulated").isFalse();
            assertThat(s.path("comparison").asString()).as(s.toString()).startsWith("regression");
            JsonNode answer = s.path("answer");
            assertThat(answer.path("regression").asBoolean()).isTrue();
            assertThat(answer.path("firstBadPosition").asInt()).as(answer.toString()).isEqualTo(2);
            assertThat(answer.path("firstBadSubject").asString())
                    .isEqualTo("KVM: x86/xen: account the world switch out of runnable as steal time");
            assertThat(answer.path("release").asString()).isEqualTo(recipe.prefix(2).release());

            // The base: every run PASS, most iterations within the bracket (the guest cannot see the real host stall
            // QEMU, which books such a stall as steal: one iteration now and then on a loaded machine) and a median
            // error under 1.5 ms; its kernel really is the base's build.
            JsonNode base = build(s, 0);
            assertThat(base.path("release").asString()).isEqualTo(recipe.prefix(0).release());
            for (JsonNode r : base.path("runs")) {
                JsonNode run = http.get("/api/v1/runs/" + r.path("id").asLong()).json();
                assertThat(run.path("verdict").asString()).as(run.toString()).isEqualTo("PASS");
                assertThat(run.path("target").path("kernelRelease").asString()).isEqualTo(recipe.prefix(0).release());
                assertThat(run.path("target").path("backend").asString()).isEqualTo("lab");
                List<JsonNode> measurements = new ArrayList<>();
                run.path("measurements").forEach(measurements::add);
                assertThat(measurements).isNotEmpty().filteredOn(m -> m.path("withinBracket").asBoolean())
                        .as("iterations within the bracket: " + run).hasSizeGreaterThan(measurements.size() / 2);
                assertThat(Math.abs(medianErrorNs(run))).as("|median errorNs| of run " + run).isLessThan(1_500_000L);
            }
            // The full series passes the seed's bound: only the accuracy measure sees patch 2, an error of some
            // 5-6 ms (3 ms booked on each of the transitions out of runnable) where the base's is under 1 ms. How many
            // iterations fall outside the bracket depends on the machine's load (the bracket widens with the host's
            // run delay: 5 of 10 on a loaded one), so the error is what is held to a bound here.
            for (JsonNode r : build(s, 3).path("runs")) {
                JsonNode run = http.get("/api/v1/runs/" + r.path("id").asLong()).json();
                assertThat(run.path("verdict").asString()).as(run.toString()).isEqualTo("PASS");
                assertThat(medianErrorNs(run)).as("median errorNs of run " + run).isGreaterThan(2_500_000L);
            }
        } finally {
            agent.stop();
            thread.join(60_000);
        }
    }

    private static long medianErrorNs(JsonNode run) {
        List<Long> errors = new ArrayList<>();
        run.path("measurements").forEach(m -> errors.add(m.path("errorNs").asLong()));
        assertThat(errors).as("errorNs of run " + run.path("id")).isNotEmpty();
        return errors.stream().sorted().toList().get(errors.size() / 2);
    }

    /** Polls the series until it leaves SWEEPING and BISECTING, printing each change of state. */
    private static JsonNode awaitAnswer(Http http, long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (true) {
            JsonNode s = http.get("/api/v1/series/" + id).json();
            String state = s.path("state").asString();
            String now = state + " " + s.path("steps").size() + " steps";
            if (!now.equals(last)) {
                System.out.println("series " + id + ": " + now);
                last = now;
            }
            if (!state.equals("SWEEPING") && !state.equals("BISECTING")) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("patch series " + id + " has no answer (still " + state + ") after " + timeout
                        + ": " + s);
            }
            Thread.sleep(2000);
        }
    }

    private static JsonNode build(JsonNode series, int position) {
        for (JsonNode b : series.path("builds")) {
            if (b.path("position").asInt() == position) {
                return b;
            }
        }
        throw new AssertionError("no build of prefix " + position + " in " + series);
    }

    /** What the README's figures come from: each build's time (or reuse), each run's errorNs, the whole test's time. */
    private static void printBuildsAndRuns(Http http, JsonNode s, long started) {
        List<String> lines = new ArrayList<>();
        for (JsonNode b : s.path("builds")) {
            for (JsonNode r : b.path("runs")) {
                JsonNode run = http.get("/api/v1/runs/" + r.path("id").asLong()).json();
                JsonNode build = run.path("build");
                double meanErrorMs = 0;
                int n = 0;
                for (JsonNode m : run.path("measurements")) {
                    meanErrorMs += m.path("errorNs").asLong() / 1e6;
                    n++;
                }
                lines.add(String.format(Locale.ROOT, "k=%d %s run %d %s mean errorNs %.3f ms (n=%d); build %s",
                        b.path("position").asInt(), b.path("release").asString(), run.path("id").asLong(),
                        run.path("verdict").asString(), n == 0 ? 0 : meanErrorMs / n, n,
                        build.path("reused").asBoolean() ? "reused"
                                : String.format(Locale.ROOT, "%.1f s", build.path("seconds").asDouble())));
            }
        }
        lines.forEach(l -> System.out.println("lab patch series: " + l));
        System.out.printf(Locale.ROOT, "lab patch series: answered in %.1f min%n", (System.nanoTime() - started) / 6e10);
    }
}
