package io.gapwatch.server.support;

import io.gapwatch.cli.Json;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A test agent over the real agent protocol ({@link SimDelivery}) with one builder target {@code build:<base>},
 * answering every leased run of a built kernel with the SIMULATED kernel: backend sim, labelled simulated like every
 * sim run; nothing is compiled or booted, the build it reports takes 0 s. What the simulated kernel does is read from
 * the lease's recipe (checked to name the leased kernel): it over-accounts 3 ms per migration once the recipe holds a
 * patch whose subject contains {@link #OVER_ACCOUNTS}, and reports a BUILD error for a recipe holding a patch whose
 * subject contains {@link #DOES_NOT_COMPILE}, or ending with one whose subject contains {@link #NEEDS_THE_NEXT_PATCH}
 * (a patch that compiles only with the one after it, as happens inside real series).
 */
public final class SimBuilder implements AutoCloseable {
    public static final String OVER_ACCOUNTS = "book 3 ms more to RUNSTATE_runnable";
    public static final String DOES_NOT_COMPILE = "does not compile";
    public static final String NEEDS_THE_NEXT_PATCH = "compiles only with the next patch";

    private final SimDelivery agent;
    private final Set<String> built = ConcurrentHashMap.newKeySet();
    private volatile Thread serving;

    public SimBuilder(Http admin, String name, String base) {
        agent = new SimDelivery(admin, name, List.of(BuildRecipe.builderKernel(base)));
    }

    /** Leases and answers the next run, waiting up to {@code waitSeconds}; empty when none came. */
    public Optional<JsonNode> deliverNext(int waitSeconds) {
        return agent.deliverNext(waitSeconds, "building (simulated)", this::simulate);
    }

    /** Answers runs on a thread of its own until {@link #close()}. */
    public void serveInBackground() {
        serving = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                deliverNext(1);
            }
        }, "sim-builder");
        serving.setDaemon(true);
        serving.start();
    }

    /** The kernels whose recipe a lease handed over. */
    public Set<String> built() {
        return built;
    }

    private ProbeReport simulate(JsonNode run) {
        String release = run.path("kernelRelease").asString();
        BuildRecipe recipe = Json.MAPPER.treeToValue(run.path("build"), BuildRecipe.class);
        assertThat(recipe).as("the lease of %s carries its recipe", release).isNotNull();
        assertThat(recipe.release()).as("the lease's recipe names the leased kernel").isEqualTo(release);
        ProbeReport.Build build = new ProbeReport.Build(release, 0, !built.add(release), null);
        TargetInfo target = new TargetInfo("sim", release, "simulated", null);
        for (BuildRecipe.Patch p : recipe.patches()) {
            if (p.subject().contains(DOES_NOT_COMPILE)) {
                return buildFailed(run, target, build, "patch " + p.position() + " (" + p.subject() + ") does not apply");
            }
        }
        BuildRecipe.Patch last = recipe.patches().isEmpty() ? null : recipe.patches().get(recipe.patches().size() - 1);
        if (last != null && last.subject().contains(NEEDS_THE_NEXT_PATCH)) {
            return buildFailed(run, target, build,
                    "patch " + last.position() + " (" + last.subject() + "): error: implicit declaration");
        }
        boolean overAccounts = recipe.patches().stream().anyMatch(p -> p.subject().contains(OVER_ACCOUNTS));
        return agent.execute("sim:" + release, run, overAccounts ? "extra-error-ns=3000000" : "")
                .withTarget(target).withBuild(build);
    }

    private static ProbeReport buildFailed(JsonNode run, TargetInfo target, ProbeReport.Build build, String error) {
        return ProbeReport.buildFailed(new ProbeRequest(Variant.fromId(run.path("variant").asString()),
                run.path("gapMs").asInt(), run.path("iterations").asInt(), VerdictRules.defaults()), target,
                error + " (simulated build)", build);
    }

    @Override
    public void close() throws InterruptedException {
        Thread t = serving;
        if (t != null) {
            t.interrupt();
            t.join();
        }
    }
}
