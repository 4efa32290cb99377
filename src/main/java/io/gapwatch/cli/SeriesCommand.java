package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import io.gapwatch.client.PatchFiles;
import io.gapwatch.client.ProblemException;
import io.gapwatch.client.UnreachableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code gapwatch series submit|show|list}: test a patch series before it lands. Exit codes of submit --wait and
 * show: 0 the series does not regress against its base, 1 it regresses (the first bad patch is printed once the
 * bisection found it, or the patches it is one of when prefixes that did not build left it AMBIGUOUS), 3 no answer (the series FAILED: a build error, unstable runs; or the server refused or
 * could not be reached); 2 a usage error, as everywhere.
 */
@Command(name = "series", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Test a kernel patch series before it lands: the server has a builder agent build the base and the",
                "full series, sweeps both, compares them and, on a regression, bisects over the patches to the first bad one.",
                "Exit: 0 no regression, 1 regression (first bad patch named, or the patches it is one of when prefixes that",
                "did not build are left: AMBIGUOUS), 3 no answer (FAILED, refused, unreachable),",
                "2 usage error."},
        subcommands = {SeriesCommand.Submit.class, SeriesCommand.Show.class, SeriesCommand.ListSeries.class})
final class SeriesCommand implements Callable<Integer> {
    static final int EXIT_NO_REGRESSION = 0;
    static final int EXIT_REGRESSION = 1;
    static final int EXIT_NO_ANSWER = 3;

    @ParentCommand
    ClientCli cli;

    @Override
    public Integer call() {
        throw new UsageException("a subcommand is required: submit, show or list (gapwatch series --help)");
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Submit the patches in PATCHES (a directory: its *.patch files in name order; a file: each message",
                    "of an mbox, or the one patch of a git format-patch file) against the kernel source --base.",
                    "With --wait, follow it to the answer. Ctrl-C while waiting stops waiting; the series goes on."})
    static final class Submit implements Callable<Integer> {
        @ParentCommand
        SeriesCommand series;
        @Mixin
        ClientCli.ConnectionOptions connection;

        @Option(names = "--base", required = true, paramLabel = "VERSION", description = "the kernel source the patches apply to, e.g. 6.12.117")
        String base;
        @Option(names = "--patches", required = true, paramLabel = "DIR|FILE.mbox", description = "the patch series")
        Path patches;
        @Option(names = "--config-fragment", paramLabel = "FILE", description = "Kconfig lines on top of the lab's config")
        Path configFragment;
        @Option(names = "--variant", description = "the variant to sweep and compare (default: clock-realtime)")
        String variant;
        @Option(names = "--gap-ms", description = "the gap in ms (default: 10)")
        Integer gapMs;
        @Option(names = "--iterations", description = "iterations of each run (default: the server's confirmation iterations)")
        Integer iterations;
        @Option(names = "--wait", description = "follow the series until it has an answer")
        boolean await;
        @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
        ClientCli.Format format;

        @Override
        public Integer call() throws InterruptedException {
            ClientCli cli = series.cli;
            if (format.isReport()) {
                throw new IllegalArgumentException("--format " + format.id() + ": a series is text or json");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("base", base);
            body.put("patches", read(patches).stream().map(text -> Map.of("text", text)).toList());
            if (configFragment != null) {
                body.put("configFragment", readText(configFragment));
            }
            if (variant != null) {
                body.put("variant", variant);
            }
            if (gapMs != null) {
                body.put("gapMs", gapMs);
            }
            if (iterations != null) {
                body.put("iterations", iterations);
            }
            return series.answering(() -> {
                GapwatchClient client = cli.client(connection);
                JsonNode s = client.post("/api/v1/series", body);
                long id = s.path("id").asLong();
                cli.err.println("patch series " + id + " submitted: GET /api/v1/series/" + id);
                if (!await) {
                    series.print(s, format);
                    return EXIT_NO_REGRESSION;
                }
                s = series.await(client, id);
                series.print(s, format);
                return exit(s);
            });
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One patch series: patches, builds, runs, steps, answer.")
    static final class Show implements Callable<Integer> {
        @ParentCommand
        SeriesCommand series;
        @Mixin
        ClientCli.ConnectionOptions connection;
        @Parameters(paramLabel = "ID", description = "the series id")
        long id;
        @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
        ClientCli.Format format;

        @Override
        public Integer call() throws InterruptedException {
            if (format.isReport()) {
                throw new IllegalArgumentException("--format " + format.id() + ": a series is text or json");
            }
            return series.answering(() -> {
                JsonNode s = series.cli.client(connection).get("/api/v1/series/" + id);
                series.print(s, format);
                return exit(s);
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Submitted patch series, newest first.")
    static final class ListSeries implements Callable<Integer> {
        @ParentCommand
        SeriesCommand series;
        @Mixin
        ClientCli.ConnectionOptions connection;
        @Option(names = "--state", description = "SWEEPING, BISECTING, NO_REGRESSION, FOUND, AMBIGUOUS or FAILED (default: all)")
        String state;
        @Option(names = "--limit", defaultValue = "20", description = "at most this many (1..100, default ${DEFAULT-VALUE})")
        int limit;
        @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
        ClientCli.Format format;

        @Override
        public Integer call() {
            if (format.isReport()) {
                throw new IllegalArgumentException("--format " + format.id() + ": series are text or json");
            }
            ClientCli cli = series.cli;
            Map<String, Object> q = new LinkedHashMap<>();
            q.put("state", state);
            q.put("size", limit);
            Table t = new Table("SERIES", "STATE", "BASE", "PATCHES", "VARIANT", "GAP", "ANSWER", "CREATED");
            return cli.printList(connection, "/api/v1/series/submitted", q, format, t, (table, s) ->
                    table.row(s.path("id").asLong(), s.path("state").asString(), s.path("base").asString(),
                            s.path("patches").size(), s.path("variant").asString(), s.path("gapMs").asInt() + " ms",
                            answer(s), s.path("createdAt").asString()), "patch series");
        }
    }

    /** What a series exits with once it has an answer, or not. */
    static int exit(JsonNode s) {
        return switch (s.path("state").asString()) {
            case "NO_REGRESSION" -> EXIT_NO_REGRESSION;
            case "FOUND", "AMBIGUOUS", "BISECTING" -> EXIT_REGRESSION;
            case "SWEEPING" -> EXIT_NO_REGRESSION; // no answer yet: show says so, nothing failed
            default -> EXIT_NO_ANSWER;
        };
    }

    interface Call {
        int run() throws InterruptedException;
    }

    /** A refusal or an unreachable server is no answer (3), not a regression (1). */
    int answering(Call call) throws InterruptedException {
        try {
            return call.run();
        } catch (ProblemException p) {
            cli.err.println("gapwatch series: " + p.getMessage() + (p.field() == null ? "" : " (field: " + p.field() + ")"));
            return EXIT_NO_ANSWER;
        } catch (UnreachableException e) {
            cli.err.println("gapwatch series: " + e.getMessage());
            return EXIT_NO_ANSWER;
        }
    }

    JsonNode await(GapwatchClient client, long id) throws InterruptedException {
        Progress progress = new Progress(cli.err, cli.terminal);
        long start = System.nanoTime();
        try (Waiting ignored = new Waiting(cli.err, "patch series " + id, "GET /api/v1/series/" + id)) {
            while (true) {
                JsonNode s = client.get("/api/v1/series/" + id);
                ProgressLine line = progressLine(s);
                progress.show(line.state(), line.detail(), (System.nanoTime() - start) / 1e9);
                String state = s.path("state").asString();
                if (!state.equals("SWEEPING") && !state.equals("BISECTING")) {
                    progress.end();
                    return s;
                }
                Waiting.pause();
            }
        }
    }

    /**
     * The state line, e.g. "patch series 4: BISECTING, 5 of 6 runs ended; running: run 31 on patch 1
     * (6.12.117-gw-…)", and the detail a terminal shows after it: what a running run waits for (its kernel's
     * build, which changes every second: a CI log gets a line per state, not per object built).
     */
    record ProgressLine(String state, String detail) {
    }

    static ProgressLine progressLine(JsonNode s) {
        int runs = 0;
        int ended = 0;
        List<String> running = new ArrayList<>();
        List<String> waitingFor = new ArrayList<>();
        for (JsonNode build : s.path("builds")) {
            for (JsonNode run : build.path("runs")) {
                runs++;
                String state = run.path("state").asString();
                if (state.equals("COMPLETED") || state.equals("CANCELLED")) {
                    ended++;
                } else if (state.equals("LEASED") || state.equals("RUNNING")) {
                    running.add("run " + run.path("id").asLong() + " on " + prefix(build.path("position").asInt())
                            + " (" + build.path("release").asString() + ")");
                    if (run.path("progress").isString()) {
                        waitingFor.add(run.path("progress").asString());
                    }
                }
            }
        }
        return new ProgressLine("patch series " + s.path("id").asLong() + ": " + s.path("state").asString() + ", " + ended
                + " of " + runs + " runs ended" + (running.isEmpty() ? "" : "; running: " + String.join(", ", running)),
                waitingFor.isEmpty() ? "" : ": " + String.join(", ", waitingFor));
    }

    private static String prefix(int k) {
        return k == 0 ? "the base" : "patch " + k;
    }

    static String answer(JsonNode s) {
        JsonNode a = s.path("answer");
        if (!a.isObject()) {
            return s.path("state").asString().equals("BISECTING") ? "regression; bisecting" : "-";
        }
        if (!a.path("regression").asBoolean()) {
            return "no regression";
        }
        if (!a.path("firstBadOneOf").isEmpty()) {
            List<String> oneOf = new ArrayList<>();
            a.path("firstBadOneOf").forEach(p -> oneOf.add(p.path("position").asInt() + " (" + p.path("subject").asString() + ")"));
            return "first bad patch is one of " + String.join(", ", oneOf) + " of " + s.path("patches").size()
                    + ": the prefixes between could not be built";
        }
        return "first bad patch " + a.path("firstBadPosition").asInt() + "/" + s.path("patches").size() + ": "
                + a.path("firstBadSubject").asString();
    }

    void print(JsonNode s, ClientCli.Format format) {
        if (format == ClientCli.Format.JSON) {
            cli.out.println(s);
            return;
        }
        cli.out.printf("patch series %d: %s, %d patches on %s, %s at %d ms%s%n", s.path("id").asLong(),
                s.path("state").asString(), s.path("patches").size(), s.path("base").asString(),
                s.path("variant").asString(), s.path("gapMs").asInt(),
                s.path("simulated").asBoolean() ? " (sim backend: a model, not a kernel result)" : "");
        if (s.path("comparison").isString()) {
            cli.out.println("  full series against the base: " + s.path("comparison").asString());
        }
        cli.out.println("  answer: " + answer(s));
        JsonNode a = s.path("answer");
        if (a.path("release").isString()) {
            cli.out.println("  first bad kernel: " + a.path("release").asString());
        }
        if (s.path("reason").isString()) {
            cli.out.println("  " + (s.path("state").asString().equals("FAILED") ? "failed" : "why") + ": "
                    + s.path("reason").asString());
        }
        Table patchTable = new Table("K", "PATCH", "KERNEL", "RUNS", "BUILD");
        List<String> subjects = new ArrayList<>();
        subjects.add("(the base " + s.path("base").asString() + ")");
        s.path("patches").forEach(p -> subjects.add(p.path("subject").asString()));
        for (JsonNode b : s.path("builds")) {
            int k = b.path("position").asInt();
            List<String> runs = new ArrayList<>();
            String build = "-";
            for (JsonNode r : b.path("runs")) {
                runs.add(r.path("id").asLong() + " " + (r.path("verdict").isString() ? r.path("verdict").asString()
                        : r.path("state").asString()));
                JsonNode built = r.path("build");
                if (built.isObject()) {
                    build = built.path("reused").asBoolean() && build.equals("-") ? "reused"
                            : built.path("reused").asBoolean() ? build
                            : String.format(java.util.Locale.ROOT, "%.0f s", built.path("seconds").asDouble());
                }
            }
            patchTable.row(k, k < subjects.size() ? subjects.get(k) : "?", b.path("release").asString(),
                    runs.isEmpty() ? "-" : String.join(", ", runs), build);
        }
        patchTable.print(cli.out);
        Table steps = new Table("STEP", "ROLE", "K", "RUNS", "VERDICT", "DETAIL");
        for (JsonNode st : s.path("steps")) {
            steps.row(st.path("step").asInt(), st.path("role").asString(), st.path("position").asInt(),
                    st.path("runId").asLong() + ", " + st.path("verifyRunId").asLong(), RunText.text(st.path("verdict")),
                    RunText.text(st.path("detail")));
        }
        if (!steps.isEmpty()) {
            steps.print(cli.out);
        }
    }

    /** The patch texts of a directory or an mbox file, exactly as written ({@link PatchFiles}). */
    static List<String> read(Path source) {
        try {
            return PatchFiles.read(source);
        } catch (IOException e) {
            throw new UsageException("gapwatch series submit: --patches " + source + ": " + e.getMessage());
        }
    }

    static String readText(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("gapwatch series: cannot read " + file + ": " + e.getMessage());
        }
    }
}
