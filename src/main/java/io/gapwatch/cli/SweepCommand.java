package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start a sweep: every kernel x variant x gap, --repeats runs per cell.",
                "With --wait, follow it (runs done / total, verdict counts so far, on stderr), then print the",
                "kernel x variant grid and exit 0 when every cell is as its variant expects, 1 when one is not or",
                "broke (ERROR), 4 when all skipped. Ctrl-C while waiting stops waiting; the sweep is not cancelled."})
final class SweepCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @ArgGroup(multiplicity = "1")
    Kernels kernels;
    @Option(names = "--backend", description = "kvm, lab or sim (default: any backend serving the kernel)")
    String backend;
    @Option(names = "--variants", split = ",", description = "variants (default: clock-realtime,clock-frozen)")
    List<String> variants;
    @Option(names = "--gaps-ms", split = ",", description = "migration gaps in ms (default: 10)")
    List<Integer> gapsMs;
    @Option(names = "--iterations", description = "probes per run (default: 5)")
    Integer iterations;
    @Option(names = "--repeats", description = "runs per cell (default: 1)")
    Integer repeats;
    @Option(names = "--strict", description = "an iteration outside its accuracy bracket fails its run")
    boolean strict;
    @Option(names = "--baseline", paramLabel = "KERNEL", description = "compare the results with this kernel's series")
    String baseline;
    @Option(names = "--wait", description = "follow the sweep until every run ended; exit with its kselftest code")
    boolean await;
    @Option(names = "--format", defaultValue = "text",
            description = "text, json, or (with --wait) the sweep's report as ktap, junit or kcidb (default ${DEFAULT-VALUE})")
    ClientCli.Format format;
    @Option(names = "--origin", description = "KCIDB origin for --format kcidb (default: the server's)")
    String origin;

    static final class Kernels {
        @Option(names = "--kernels", split = ",", required = true, description = "kernel releases, comma-separated")
        List<String> names;
        @Option(names = "--all", required = true, description = "every kernel a registered agent serves")
        boolean all;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (format.isReport() && !await) {
            throw new IllegalArgumentException("--format " + format.id() + " is the report of a finished sweep: add --wait");
        }
        Map<String, Object> matrix = new LinkedHashMap<>();
        if (!kernels.all) {
            matrix.put("kernels", kernels.names);
        }
        putIfSet(matrix, "backend", backend);
        putIfSet(matrix, "variants", variants);
        putIfSet(matrix, "gapsMs", gapsMs);
        putIfSet(matrix, "iterations", iterations);
        putIfSet(matrix, "repeats", repeats);
        matrix.put("strict", strict);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("matrix", matrix);
        if (baseline != null) {
            body.put("baseline", Map.of("kernel", baseline));
        }
        GapwatchClient client = cli.client(connection);
        JsonNode sweep = client.post("/api/v1/sweeps", body);
        long id = sweep.path("id").asLong();
        for (JsonNode cell : sweep.path("unserved")) {
            cli.err.println("gapwatch sweep: no agent serves " + cell.path("kernel").asString() + " / "
                    + cell.path("variant").asString() + " / " + cell.path("gapMs").asInt() + " ms: left out");
        }
        if (!await) {
            if (format == ClientCli.Format.JSON) {
                cli.out.println(sweep);
            } else {
                cli.out.println("sweep " + id + " started: " + sweep.path("progress").path("runs").asLong() + " runs on "
                        + sweep.path("kernels").size() + " kernels (gapwatch runs --sweep " + id + "; --wait to follow it)");
            }
            return ClientCli.EXIT_PASS;
        }
        JsonNode finished = await(cli, client, id);
        switch (format) {
            case TEXT -> grid(finished, cli);
            case JSON -> cli.out.println(finished);
            default -> cli.out.print(client.getText("/api/v1/sweeps/" + id + "/report" + ClientCli.reportQuery(format, origin)));
        }
        return exitCode(finished);
    }

    static JsonNode await(ClientCli cli, GapwatchClient client, long id) throws InterruptedException {
        Progress progress = new Progress(cli.err, cli.terminal);
        long start = System.nanoTime();
        try (Waiting ignored = new Waiting(cli.err, "sweep " + id, "gapwatch runs --sweep " + id)) {
            while (true) {
                JsonNode sweep = client.get("/api/v1/sweeps/" + id);
                progress.show(progressLine(sweep), "", (System.nanoTime() - start) / 1e9);
                if (!sweep.path("state").asString().equals("RUNNING")) {
                    progress.end();
                    return sweep;
                }
                Waiting.pause();
            }
        }
    }

    static String progressLine(JsonNode sweep) {
        JsonNode p = sweep.path("progress");
        long total = p.path("runs").asLong();
        long done = p.path("byState").path("COMPLETED").asLong() + p.path("byState").path("CANCELLED").asLong();
        StringBuilder s = new StringBuilder("sweep ").append(sweep.path("id").asLong()).append(": ")
                .append(sweep.path("state").asString()).append(", ").append(done).append(" of ").append(total).append(" runs done");
        StringBuilder verdicts = new StringBuilder();
        p.path("byVerdict").properties().forEach(e -> verdicts.append(verdicts.isEmpty() ? "" : ", ")
                .append(e.getValue().asLong()).append(' ').append(e.getKey()));
        if (!verdicts.isEmpty()) {
            s.append(" (").append(verdicts).append(')');
        }
        return s.toString();
    }

    /** Rows: kernels; columns: variant at gap; a cell: its verdict, "!" when not the one its variant expects. */
    static void grid(JsonNode sweep, ClientCli cli) {
        Set<String> columns = new LinkedHashSet<>();
        Map<String, Map<String, String>> rows = new LinkedHashMap<>();
        for (JsonNode cell : sweep.path("outcome")) {
            String column = cell.path("variant").asString() + " " + cell.path("gapMs").asInt() + "ms";
            columns.add(column);
            String verdict = cell.path("verdict").isString() ? cell.path("verdict").asString() : "-";
            if (cell.path("asExpected").isBoolean() && !cell.path("asExpected").asBoolean()) {
                verdict += "!";
            }
            if (cell.path("runs").asLong() > 1) {
                verdict += " (" + cell.path("finished").asLong() + "/" + cell.path("runs").asLong() + ")";
            }
            rows.computeIfAbsent(cell.path("kernel").asString(), k -> new LinkedHashMap<>()).put(column, verdict);
        }
        String[] headers = new String[columns.size() + 1];
        headers[0] = "KERNEL";
        int i = 1;
        for (String c : columns) {
            headers[i++] = c.toUpperCase(java.util.Locale.ROOT);
        }
        Table t = new Table(headers);
        rows.forEach((kernel, cells) -> {
            Object[] row = new Object[columns.size() + 1];
            row[0] = kernel;
            int j = 1;
            for (String c : columns) {
                row[j++] = cells.getOrDefault(c, "-");
            }
            t.row(row);
        });
        cli.out.println("sweep " + sweep.path("id").asLong() + ": " + sweep.path("state").asString()
                + (sweep.path("simulated").asBoolean() ? " (sim backend: a model, not a kernel result)" : ""));
        t.print(cli.out);
        cli.out.println("! = not the verdict its variant expects (clock-frozen is the negative control: FAIL expected)");
    }

    static int exitCode(JsonNode sweep) {
        boolean anyRun = false;
        boolean allSkipped = true;
        for (JsonNode cell : sweep.path("outcome")) {
            String verdict = cell.path("verdict").isString() ? cell.path("verdict").asString() : null;
            if (verdict == null) {
                continue; // a cell without runs that ended (cancelled sweep)
            }
            anyRun = true;
            if (verdict.equals("ERROR") || (cell.path("asExpected").isBoolean() && !cell.path("asExpected").asBoolean())) {
                return ClientCli.EXIT_FAIL;
            }
            allSkipped &= verdict.equals("SKIP");
        }
        if (!sweep.path("state").asString().equals("COMPLETED") || !anyRun) {
            return ClientCli.EXIT_FAIL;
        }
        return allSkipped ? ClientCli.EXIT_SKIP : ClientCli.EXIT_PASS;
    }

    private static void putIfSet(Map<String, Object> map, String key, Object value) {
        if (value != null) {
            map.put(key, value);
        }
    }
}
