package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Queue a run: N iterations of one variant at one gap on a target.",
                "With --wait, follow it (progress on stderr) and exit with the kselftest code of its verdict:",
                "0 as the variant expects (clock-frozen failing counts), 1 not as expected or ERROR, 4 SKIP.",
                "Ctrl-C while waiting stops waiting; the run is not cancelled."})
final class RunCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Option(names = "--variant", required = true, description = "clock-realtime, clock-frozen or clock-guest")
    String variant;
    @Option(names = "--kernel", description = "the kernel release to run on (a target some agent serves)")
    String kernel;
    @Option(names = "--backend", description = "kvm, lab or sim")
    String backend;
    @Option(names = "--agent", description = "the agent to run on")
    String agent;
    @Option(names = "--gap-ms", defaultValue = "10", description = "the migration gap in ms (default ${DEFAULT-VALUE})")
    int gapMs;
    @Option(names = "--iterations", defaultValue = "5", description = "probes in the run (default ${DEFAULT-VALUE})")
    int iterations;
    @Option(names = "--strict", description = "an iteration outside its accuracy bracket fails the run")
    boolean strict;
    @Option(names = "--wait", description = "follow the run until it ends; exit with its kselftest code")
    boolean await;
    @Option(names = "--format", defaultValue = "text",
            description = "text, json, or (with --wait) the run's report as ktap, junit or kcidb (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() throws InterruptedException {
        if (format.isReport() && !await) {
            throw new IllegalArgumentException("--format " + format.id() + " is the report of a finished run: add --wait");
        }
        GapwatchClient client = cli.client(connection);
        Map<String, Object> target = new LinkedHashMap<>();
        putIfSet(target, "kernel", kernel);
        putIfSet(target, "backend", backend);
        putIfSet(target, "agent", agent);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("variant", variant);
        body.put("gapMs", gapMs);
        body.put("iterations", iterations);
        body.put("strict", strict);
        body.put("target", target);
        JsonNode run = client.post("/api/v1/runs", body);
        long id = run.path("id").asLong();
        if (!await) {
            if (format == ClientCli.Format.JSON) {
                cli.out.println(run);
            } else {
                cli.out.println("run " + id + " queued: " + variant + " at " + gapMs + " ms, " + iterations
                        + " iterations (gapwatch show " + id + "; gapwatch run ... --wait to follow it)");
            }
            return ClientCli.EXIT_PASS;
        }
        JsonNode finished = await(cli, client, id);
        ShowCommand.print(cli, client, finished, format, null);
        return RunText.exitCode(finished);
    }

    /** Polls the run until it ends, drawing progress on stderr. */
    static JsonNode await(ClientCli cli, GapwatchClient client, long id) throws InterruptedException {
        Progress progress = new Progress(cli.err, cli.terminal);
        long start = System.nanoTime();
        try (Waiting ignored = new Waiting(cli.err, "run " + id, "gapwatch show " + id)) {
            while (true) {
                JsonNode run = client.get("/api/v1/runs/" + id);
                progress.show(progressLine(run), iteration(run), (System.nanoTime() - start) / 1e9);
                if (RunText.finished(run)) {
                    progress.end();
                    return run;
                }
                Waiting.pause();
            }
        }
    }

    static String progressLine(JsonNode run) {
        StringBuilder s = new StringBuilder("run ").append(run.path("id").asLong()).append(": ").append(run.path("state").asString());
        JsonNode target = run.path("target");
        if (run.path("state").asString().equals("RUNNING") || run.path("state").asString().equals("LEASED")) {
            s.append(" on ").append(RunText.text(target.path("kernelRelease"))).append(" (")
                    .append(RunText.text(target.path("backend"))).append(", agent ").append(RunText.text(target.path("agent"))).append(')');
        }
        if (run.path("verdict").isString()) {
            s.append(' ').append(run.path("verdict").asString()).append(" (expected ")
                    .append(run.path("expectedVerdict").asString()).append(')');
        }
        return s.toString();
    }

    /** ", iteration 3 of 5" while running: the one under way, from the agent's heartbeats ({@code iterationsDone}). */
    static String iteration(JsonNode run) {
        if (!run.path("state").asString().equals("RUNNING") || !run.path("iterationsDone").isNumber()) {
            return "";
        }
        int n = run.path("iterations").asInt();
        return ", iteration " + Math.min(run.path("iterationsDone").asInt() + 1, n) + " of " + n;
    }

    private static void putIfSet(Map<String, Object> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
