package io.gapwatch.cli;

import io.gapwatch.client.Connection;
import io.gapwatch.client.GapwatchClient;
import io.gapwatch.client.ProblemException;
import io.gapwatch.client.UnreachableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * The client commands of the launcher (run, sweep, runs, show, agents, compare, regressions, bisect, schedules,
 * export, series): thin, they parse with picocli (typed options, {@code --help} on every command, usage errors as exit 2)
 * and call the REST API through {@link GapwatchClient}. Exit codes are kselftest's: 0 pass, 1 fail, 4 skip;
 * 2 a usage error; 1 also when the server refuses (its problem detail and field are printed, never a stack trace).
 */
@Command(name = "gapwatch", mixinStandardHelpOptions = false,
        subcommands = {RunCommand.class, SweepCommand.class, RunsCommand.class, ShowCommand.class, AgentsCommand.class,
                CompareCommand.class, RegressionsCommand.class, BisectCommand.class, SchedulesCommand.class,
                ExportCommand.class, SeriesCommand.class})
public final class ClientCli {
    /** The commands this class answers for; the launcher hands them over. */
    public static final Set<String> COMMANDS = Set.of("run", "sweep", "runs", "show", "agents", "compare", "regressions",
            "bisect", "schedules", "export", "series");
    public static final int EXIT_PASS = 0;
    public static final int EXIT_FAIL = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_SKIP = 4;

    final PrintStream out;
    final PrintStream err;
    final Map<String, String> env;
    final Path home;
    final boolean terminal;

    ClientCli(PrintStream out, PrintStream err, Map<String, String> env, Path home, boolean terminal) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.home = home;
        this.terminal = terminal;
    }

    /** As the launcher runs it: this process's streams and environment; progress only when stderr is a terminal. */
    public static int main(String[] args) {
        return execute(args, System.out, System.err, System.getenv(), GapwatchHome.path(), Terminal.stderrIsTerminal());
    }

    public static int execute(String[] args, PrintStream out, PrintStream err, Map<String, String> env, Path home,
                              boolean terminal) {
        CommandLine cli = new CommandLine(new ClientCli(out, err, env, home, terminal))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String command = "gapwatch " + commandLine.getCommandName();
            if (e instanceof ProblemException p) {
                err.println(command + ": " + p.getMessage() + (p.field() == null ? "" : " (field: " + p.field() + ")"));
                return EXIT_FAIL;
            }
            if (e instanceof UnreachableException) {
                err.println(command + ": " + e.getMessage());
                return EXIT_FAIL;
            }
            if (e instanceof IllegalArgumentException || e instanceof UsageException) {
                err.println(command + ": " + e.getMessage());
                return EXIT_USAGE;
            }
            throw e;
        });
        int exit = cli.execute(args);
        out.flush();
        err.flush();
        return exit;
    }

    GapwatchClient client(ConnectionOptions options) {
        return new GapwatchClient(Connection.resolve(options.server, options.token, env, home));
    }

    /**
     * One page of a list endpoint, newest first: its items as JSON, or a row of {@code table} for each and a last
     * line saying how many of how many there are ("20 of 312 runs").
     */
    int printList(ConnectionOptions connection, String path, Map<String, Object> query, Format format, Table table,
                  BiConsumer<Table, JsonNode> row, String what) {
        JsonNode page = client(connection).get(path + GapwatchClient.query(query));
        if (format == Format.JSON) {
            out.println(page.path("items"));
            return EXIT_PASS;
        }
        page.path("items").forEach(item -> row.accept(table, item));
        table.print(out);
        out.printf("%d of %d %s%n", page.path("items").size(), page.path("total").asLong(), what);
        return EXIT_PASS;
    }

    /** {@code ?format=ktap&origin=o} for a report endpoint. */
    static String reportQuery(Format format, String origin) {
        Map<String, Object> q = new java.util.LinkedHashMap<>();
        q.put("format", format.id());
        q.put("origin", origin);
        return GapwatchClient.query(q);
    }

    /** --server and --token, on every client command. */
    static final class ConnectionOptions {
        @CommandLine.Option(names = "--server", paramLabel = "URL",
                description = "the gapwatch server (default: $GAPWATCH_SERVER, else the running demo's address "
                        + "from $GAPWATCH_HOME/demo.url, else http://127.0.0.1:8080)")
        String server;
        @CommandLine.Option(names = "--token", paramLabel = "T",
                description = "an API token (default: $GAPWATCH_TOKEN, else the demo's admin token "
                        + "from $GAPWATCH_HOME/demo.token when talking to the demo)")
        String token;
    }

    /** How a command prints what it got. */
    enum Format {
        TEXT, JSON, KTAP, JUNIT, KCIDB;

        boolean isReport() {
            return this == KTAP || this == JUNIT || this == KCIDB;
        }

        String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
