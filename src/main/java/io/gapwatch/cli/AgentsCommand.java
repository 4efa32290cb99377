package io.gapwatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "agents", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The registered agents and the targets (kernel, backend) each serves.")
final class AgentsCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": agents have no report; use text or json");
        }
        JsonNode agents = cli.client(connection).get("/api/v1/agents");
        if (format == ClientCli.Format.JSON) {
            cli.out.println(agents);
            return ClientCli.EXIT_PASS;
        }
        Table t = new Table("AGENT", "NAME", "HOST", "VERSION", "LAST SEEN", "TARGETS");
        for (JsonNode a : agents) {
            List<String> targets = new ArrayList<>();
            for (JsonNode target : a.path("targets")) {
                targets.add(target.path("kernelRelease").asString() + " (" + target.path("backend").asString()
                        + (target.path("accelerator").isString() ? ", " + target.path("accelerator").asString() : "") + ")");
            }
            t.row(a.path("id").asLong(), a.path("name").asString(), RunText.text(a.path("hostname")),
                    RunText.text(a.path("version")), RunText.text(a.path("lastSeenAt")), String.join(", ", targets));
        }
        t.print(cli.out);
        return ClientCli.EXIT_PASS;
    }
}
