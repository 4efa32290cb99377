package io.gapwatch.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import tools.jackson.databind.JsonNode;

import java.util.concurrent.Callable;

@Command(name = "schedules", mixinStandardHelpOptions = true, sortOptions = false,
        description = "The schedules (cron expressions that start sweeps), with their next due time and last fire.")
final class SchedulesCommand implements Callable<Integer> {
    @ParentCommand
    ClientCli cli;
    @Mixin
    ClientCli.ConnectionOptions connection;

    @Option(names = "--format", defaultValue = "text", description = "text or json (default ${DEFAULT-VALUE})")
    ClientCli.Format format;

    @Override
    public Integer call() {
        if (format.isReport()) {
            throw new IllegalArgumentException("--format " + format.id() + ": schedules have no report; use text or json");
        }
        JsonNode schedules = cli.client(connection).get("/api/v1/schedules");
        if (format == ClientCli.Format.JSON) {
            cli.out.println(schedules);
            return ClientCli.EXIT_PASS;
        }
        Table t = new Table("SCHEDULE", "NAME", "CRON", "TIME ZONE", "ENABLED", "NEXT FIRE", "LAST FIRE", "KERNELS");
        for (JsonNode s : schedules) {
            JsonNode last = s.path("lastFire");
            JsonNode kernels = s.path("matrix").path("kernels");
            t.row(s.path("id").asLong(), s.path("name").asString(), s.path("cron").asString(), s.path("timeZone").asString(),
                    s.path("enabled").asBoolean() ? "yes" : "no", RunText.text(s.path("nextFireAt")),
                    last.isObject() ? RunText.text(last.path("firedAt")) + " " + RunText.text(last.path("outcome")) : "-",
                    kernels.isArray() ? kernels.size() + " named" : "all served");
        }
        t.print(cli.out);
        return ClientCli.EXIT_PASS;
    }
}
