package io.gapwatch.cli;

import io.gapwatch.client.GapwatchClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.Callable;

@Command(name = "show", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"One run: target, verdict, every measurement and the clock path.",
                "Exit code: the kselftest code of its verdict once it has one (0 as expected, 1 not, 4 SKIP)."})
final class ShowCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Parameters(paramLabel = "RUN", description = "the run's id")
    long id;
    @Option(names = "--format", defaultValue = "text", description = "text, json, ktap, junit or kcidb (default ${DEFAULT-VALUE})")
    ClientCli.Format format;
    @Option(names = "--origin", description = "KCIDB origin for --format kcidb (default: the server's)")
    String origin;

    @Override
    public Integer call() {
        GapwatchClient client = cli.client(connection);
        JsonNode run = client.get("/api/v1/runs/" + id);
        print(cli, client, run, format, origin);
        return RunText.finished(run) ? RunText.exitCode(run) : ClientCli.EXIT_PASS;
    }

    static void print(ClientCli cli, GapwatchClient client, JsonNode run, ClientCli.Format format, String origin) {
        switch (format) {
            case TEXT -> RunText.details(run, cli.out);
            case JSON -> cli.out.println(run);
            default -> cli.out.print(client.getText("/api/v1/runs/" + run.path("id").asLong() + "/report"
                    + ClientCli.reportQuery(format, origin)));
        }
    }
}
