package io.gapwatch.server;

import io.gapwatch.cli.GapwatchHome;
import io.gapwatch.cli.Options;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/** {@code gapwatch server}: the control plane, on an external PostgreSQL or the embedded default. */
public final class ServerCommand {
    public static final String HELP = """
            Usage: gapwatch server [--port N]
              The control plane: REST API (/api/v1, OpenAPI at /v3/api-docs, Swagger UI at /swagger-ui.html),
              lease queue, metrics (/actuator/prometheus).

              --port N    HTTP port (default 8080, or $GAPWATCH_PORT)

            Database: GAPWATCH_DB_URL (jdbc:postgresql://host:5432/db), GAPWATCH_DB_USER, GAPWATCH_DB_PASSWORD;
            without GAPWATCH_DB_URL an embedded PostgreSQL runs with its data under $GAPWATCH_HOME/pgdata
            (password in $GAPWATCH_HOME/db.password, loopback only, fsync on). On a new database the bootstrap
            admin token is written to $GAPWATCH_HOME/admin.token (mode 0600).
            Any Spring property can be given as --name=value.
            """;

    private ServerCommand() {
    }

    public static int main(String[] args, PrintStream out) {
        if (args.length > 0 && args[0].equals("--help")) {
            out.print(HELP);
            return 0;
        }
        Options o = Options.parse("server", ownOptions(args), Set.of("port"), Set.of());
        Map<String, Object> properties = new HashMap<>();
        List<String> springArgs = new ArrayList<>(List.of(springArgs(args)));
        if (o.has("port")) {
            springArgs.add("--server.port=" + o.getInt("port", 8080, 0, 65535));
        }
        Consumer<String> say = line -> {
            out.println("gapwatch: " + line);
            out.flush();
        };
        String dbUrl = System.getenv("GAPWATCH_DB_URL");
        EmbeddedDatabase db = dbUrl == null || dbUrl.isBlank()
                ? EmbeddedDatabase.start(GapwatchHome.path(), EmbeddedDatabase.Durability.DURABLE, say)
                : null;
        if (db != null) {
            properties.putAll(db.springProperties());
        }
        ConfigurableApplicationContext context;
        try {
            context = GapwatchServer.start(springArgs.toArray(String[]::new), properties);
        } catch (RuntimeException e) {
            if (db != null) {
                db.close();
            }
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();
            say.accept("server stopped");
            if (db != null) {
                db.close();
                say.accept("PostgreSQL stopped (data kept in " + db.dataDirectory() + ")");
            }
        }, "gapwatch-stop"));
        return -1; // keep serving until SIGTERM or Ctrl-C
    }

    /** Our own options are --port; everything of the form --spring.x=y goes to Spring. */
    static String[] ownOptions(String[] args) {
        return java.util.Arrays.stream(args).filter(a -> !a.startsWith("--") || !a.contains(".")).toArray(String[]::new);
    }

    static String[] springArgs(String[] args) {
        return java.util.Arrays.stream(args).filter(a -> a.startsWith("--") && a.contains(".")).toArray(String[]::new);
    }
}
