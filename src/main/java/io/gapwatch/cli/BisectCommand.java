package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "bisect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Find the first bad kernel between GOOD and BAD (one series, Debian version order): both ends are",
                "verified, every midpoint is run twice, every step is stored. With --wait, follow it and print the",
                "steps; exit 0 when the first bad kernel was FOUND, or is one of a few (AMBIGUOUS: the kernels between",
                "could not be tested, as with git bisect skip), or the range is clean (the bad kernel verified good),",
                "1 when the bisection FAILED otherwise.",
                "Ctrl-C while waiting stops waiting; the bisection goes on."})
final class BisectCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Parameters(index = "0", paramLabel = "GOOD", description = "a kernel known good")
    String good;
    @Parameters(index = "1", paramLabel = "BAD", description = "a later kernel of the same series known bad")
    String bad;
    @Option(names = "--variant", required = true, description = "the variant that regressed")
    String variant;
    @Option(names = "--gap-ms", description = "the gap in ms (default: 10)")
    Integer gapMs;
    @Option(names = "--backend", description = "kvm, lab or sim (default: the one an agent serves both kernels on)")
    String backend;
    @Option(names = "--iterations", description = "iterations of each run (default: the server's confirmation iterations)")
    Integer iterations;
    @Option(names = "--wait", description = "follow the bisection until it ends")
    boolean await;
    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() throws InterruptedException {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": a bisection is text or json");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("good", good);
        body.put("bad", bad);
        body.put("variant", variant);
        if (gapMs != null) {
            body.put("gapMs", gapMs);
        }
        if (backend != null) {
            body.put("backend", backend);
        }
        if (iterations != null) {
            body.put("iterations", iterations);
        }
        GapwatchClient client = cli.client(connection);
        JsonNode bisection = client.post("/api/v1/bisections", body);
        long id = bisection.path("id").asLong();
        if (await) {
            bisection = await(client, id);
        }
        if (format == ClientCli.Format.JSON) {
            cli.out.println(bisection);
        } else {
            print(bisection);
        }
        if (!await) {
            return ClientCli.EXIT_PASS;
        }
        return found(bisection) || clean(bisection) ? ClientCli.EXIT_PASS : ClientCli.EXIT_FAIL;
    }

    private static boolean found(JsonNode b) {
        return b.path("state").asString().equals("FOUND") || b.path("state").asString().equals("AMBIGUOUS");
    }

    /** The server ends a bisection FAILED when its bad end verifies good: nothing regressed, which is an answer too. */
    static boolean clean(JsonNode b) {
        if (!b.path("state").asString().equals("FAILED")) {
            return false;
        }
        for (JsonNode s : b.path("steps")) {
            if (s.path("role").asString().equals("bad") && s.path("verdict").asString().equals("good")) {
                return true;
            }
        }
        return false;
    }

    private JsonNode await(GapwatchClient client, long id) throws InterruptedException {
        Progress progress = new Progress(cli.err, cli.terminal);
        long start = System.nanoTime();
        try (Waiting ignored = new Waiting(cli.err, "bisection " + id, "GET /api/v1/bisections/" + id)) {
            while (true) {
                JsonNode b = client.get("/api/v1/bisections/" + id);
                JsonNode steps = b.path("steps");
                JsonNode last = steps.isEmpty() ? null : steps.get(steps.size() - 1);
                String state = "bisection " + id + ": " + b.path("state").asString() + ", " + steps.size() + " steps"
                        + (last == null ? "" : ", last " + last.path("kernel").asString() + " "
                        + (last.path("verdict").isString() ? last.path("verdict").asString() : "running"));
                progress.show(state, "", (System.nanoTime() - start) / 1e9);
                if (!b.path("state").asString().equals("RUNNING")) {
                    progress.end();
                    return b;
                }
                Waiting.pause();
            }
        }
    }

    private void print(JsonNode b) {
        cli.out.printf("bisection %d: %s, %s at %d ms on %s%s, between %s (good) and %s (bad)%n", b.path("id").asLong(),
                b.path("state").asString(), b.path("variant").asString(), b.path("gapMs").asInt(), b.path("backend").asString(),
                b.path("simulated").asBoolean() ? " (sim backend: a model, not a kernel result)" : "",
                b.path("good").asString(), b.path("bad").asString());
        if (clean(b)) {
            cli.out.println("  clean: the bad kernel " + b.path("bad").asString() + " verified good, nothing to bisect");
        }
        if (b.path("firstBad").isString()) {
            cli.out.println("  first bad kernel: " + b.path("firstBad").asString() + " (last good "
                    + RunText.text(b.path("lastGood")) + ")");
        }
        if (!b.path("firstBadCandidates").isEmpty()) {
            List<String> candidates = new ArrayList<>();
            b.path("firstBadCandidates").forEach(k -> candidates.add(k.asString()));
            cli.out.println("  first bad kernel is one of: " + String.join(", ", candidates));
        }
        if (b.path("reason").isString()) {
            cli.out.println("  " + b.path("reason").asString());
        }
        Table t = new Table("STEP", "KERNEL", "ROLE", "RUNS", "VERDICT", "DETAIL");
        for (JsonNode s : b.path("steps")) {
            t.row(s.path("step").asInt(), s.path("kernel").asString(), s.path("role").asString(),
                    s.path("runId").asLong() + ", " + s.path("verifyRunId").asLong(), RunText.text(s.path("verdict")),
                    RunText.text(s.path("detail")));
        }
        if (!t.isEmpty()) {
            t.print(cli.out);
        }
    }
}
