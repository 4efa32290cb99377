package io.gapwatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "runs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs, newest first, as a table (or --format json).")
final class RunsCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Option(names = "--kernel", description = "only runs on this kernel release")
    String kernel;
    @Option(names = "--variant", description = "only this variant")
    String variant;
    @Option(names = "--verdict", description = "only PASS, FAIL, SKIP or ERROR")
    String verdict;
    @Option(names = "--state", description = "only QUEUED, LEASED, RUNNING, COMPLETED or CANCELLED")
    String state;
    @Option(names = "--agent", description = "only runs of this agent")
    String agent;
    @Option(names = "--sweep", description = "only the runs of this sweep")
    Long sweep;
    @Option(names = "--limit", defaultValue = "20", description = "at most this many (1..500, default ${DEFAULT-VALUE})")
    int limit;
    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": reports are of one run (gapwatch show RUN) "
                    + "or a sweep (gapwatch export)");
        }
        Map<String, Object> q = new LinkedHashMap<>();
        q.put("kernel", kernel);
        q.put("variant", variant);
        q.put("verdict", verdict);
        q.put("state", state);
        q.put("agent", agent);
        q.put("sweep", sweep);
        q.put("size", limit);
        return cli.printList(connection, "/api/v1/runs", q, format, RunText.table(), RunText::row, "runs");
    }
}
