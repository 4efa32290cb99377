package io.gapwatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "regressions", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Regressions found after sweeps, newest first: what regressed, against what, and its bisection.")
final class RegressionsCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Option(names = "--state", description = "SUSPECTED, ACTIVE, DISMISSED, FIXED or ACKNOWLEDGED (default: all)")
    String state;
    @Option(names = "--limit", defaultValue = "50", description = "at most this many (1..500, default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": regressions are text or json");
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("state", state);
        q.put("size", limit);
        Table t = new Table("REGRESSION", "STATE", "KIND", "KERNEL", "VARIANT", "GAP", "BACKEND", "BASELINE", "LAST GOOD",
                "BISECTION", "SEEN", "REASON");
        return cli.printList(connection, "/api/v1/regressions", q, format, t, (table, r) -> {
            JsonNode b = r.path("bisection");
            table.row(r.path("id").asLong(), r.path("state").asString(), r.path("kind").asString(), r.path("kernel").asString(),
                    r.path("variant").asString(), r.path("gapMs").asInt() + " ms",
                    r.path("backend").asString() + (r.path("simulated").asBoolean() ? " (simulated)" : ""),
                    RunText.text(r.path("baselineKernel")), RunText.text(r.path("lastGoodKernel")),
                    b.isObject() ? b.path("id").asLong() + " " + b.path("state").asString()
                            + (b.path("firstBad").isString() ? ": first bad " + b.path("firstBad").asString() : "") : "-",
                    RunText.text(r.path("lastSeenAt")), RunText.text(r.path("reason")));
        }, "regressions");
    }
}
