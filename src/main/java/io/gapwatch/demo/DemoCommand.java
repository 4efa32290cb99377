package io.gapwatch.demo;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.agent.TargetExecutor;
import io.gapwatch.cli.GapwatchHome;
import io.gapwatch.cli.Json;
import io.gapwatch.cli.Options;
import io.gapwatch.cli.SecretFile;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.server.EmbeddedDatabase;
import io.gapwatch.server.GapwatchServer;
import io.gapwatch.server.auth.Secrets;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code gapwatch demo}: embedded PostgreSQL + server + a local agent in one process. Runs a first batch
 * (each variant on the sim target), prints a summary, then the ready line, and serves until interrupted.
 */
public final class DemoCommand {
    public static final String HELP = """
            Usage: gapwatch demo [--port N]
              Embedded PostgreSQL (data under $GAPWATCH_HOME/pgdata, kept across restarts) + server + a local agent.
              Runs each variant once on the sim target, prints a summary, starts a schedule sweeping a series of
              simulated kernels with a planted fault every 5 minutes (sweeps, a regression, a bisection), then
              serves until Ctrl-C.

              --port N    HTTP port (default 8080)
            """;
    static final String AGENT_NAME = "demo-local";
    private static final Duration BATCH_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration AGENT_STOP_TIMEOUT = Duration.ofSeconds(30);

    private DemoCommand() {
    }

    public static int main(String[] args, PrintStream out) throws InterruptedException {
        Options o = Options.parse("demo", args, Set.of("port"), Set.of("help"));
        if (o.has("help")) {
            out.print(HELP);
            return 0;
        }
        int port = o.getInt("port", 8080, 1, 65535);
        Path home = GapwatchHome.path();
        out.println("gapwatch demo: starting PostgreSQL (data in " + home.resolve("pgdata") + "), server and a local agent ...");

        out.println("gapwatch demo: PostgreSQL runs with fsync off, for speed: results survive a crash of gapwatch,"
                + " not of this machine (gapwatch server keeps fsync on)");
        Consumer<String> say = line -> {
            out.println("gapwatch demo: " + line);
            out.flush();
        };

        String adminToken = SecretFile.readOrCreate(home.resolve("demo.token"), () -> Secrets.generate("gw_a_")).value();
        EmbeddedDatabase db = EmbeddedDatabase.start(home, EmbeddedDatabase.Durability.FAST, say);
        Map<String, Object> properties = new HashMap<>(db.springProperties());
        properties.put("gapwatch.security.admin-token", adminToken);
        properties.put("logging.level.root", "WARN");
        ConfigurableApplicationContext context;
        try {
            context = GapwatchServer.start(new String[]{"--server.port=" + port}, properties);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        String base = "http://127.0.0.1:" + port;

        // the model first: a run asking only for backend sim goes to an agent's first target that serves it
        List<TargetExecutor> executors = new ArrayList<>(AgentCommand.executors("sim", Options.parse("demo", new String[0], Set.of(), Set.of())));
        executors.addAll(SimSeriesDemo.executors());
        if (AgentCommand.kvmUsable()) {
            executors.addAll(AgentCommand.executors("kvm", Options.parse("demo", new String[0], Set.of(), Set.of())));
        }
        DemoClient client = new DemoClient(base, adminToken);
        Credentials credentials = new Credentials(home.resolve("agents").resolve(AGENT_NAME + ".secret"), null);
        if (!credentials.enrolled()) {
            credentials = new Credentials(home.resolve("agents").resolve(AGENT_NAME + ".secret"),
                    client.post("/api/v1/tokens", Map.of("role", "enrollment", "name", AGENT_NAME), 201).path("token").asString());
        }
        Agent agent = new Agent(AGENT_NAME, new ServerClient(URI.create(base + "/"), credentials), credentials,
                new Spool(home.resolve("spool").resolve(AGENT_NAME)), executors, line -> { });
        Thread agentThread = new Thread(agent, "demo-agent");
        agentThread.start();

        // A stop goes in order, one line each: the agent (no request of its in flight), the server, the database.
        Path demoUrl = home.resolve("demo.url");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            forget(demoUrl);
            agent.stop();
            try {
                agentThread.join(AGENT_STOP_TIMEOUT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            say.accept(agentThread.isAlive() ? "agent " + AGENT_NAME + " did not stop within " + AGENT_STOP_TIMEOUT
                    + "; its lease will expire and its run go to the next agent" : "agent " + AGENT_NAME + " stopped");
            context.close();
            say.accept("server stopped");
            db.close();
            say.accept("PostgreSQL stopped (data kept in " + db.dataDirectory() + ")");
        }, "demo-stop"));

        client.awaitAgent(AGENT_NAME, Duration.ofSeconds(30));
        List<JsonNode> batch = new ArrayList<>();
        for (Variant v : Variant.values()) {
            batch.add(client.post("/api/v1/runs", Map.of("variant", v.id(), "gapMs", 10, "iterations", 3,
                    "target", Map.of("kernel", SimKernel.KERNEL_RELEASE, "agent", AGENT_NAME)), 201));
        }
        List<JsonNode> finished = new ArrayList<>();
        for (JsonNode run : batch) {
            finished.add(client.awaitFinished(run.get("id").asLong(), BATCH_TIMEOUT));
        }
        out.print(summary(finished));
        out.print(SimSeriesDemo.intro(client.startSimSeries(), base, home.resolve("demo.token").toString()));
        out.println("The admin token is in " + home.resolve("demo.token") + ". Try:");
        out.println("  curl -s -H \"Authorization: Bearer $(cat " + home.resolve("demo.token") + ")\" " + base + "/api/v1/runs");
        out.println("  (OpenAPI: " + base + "/swagger-ui.html; roles and tokens: README.md)");
        // the client commands find the running demo here (and its token in demo.token); gone when the demo stops
        write(demoUrl, base + "\n");
        out.println("  gapwatch runs    (the command line finds this demo and its token by itself)");
        // the token rides in the fragment, which a browser never sends; the page moves it to the tab's session storage
        out.println("Open in a browser (signs it in): " + base + "/#token=" + adminToken);
        out.println("gapwatch ready at " + base);
        out.flush();
        return -1; // keep serving until interrupted; the shutdown hook stops everything

    }

    static String summary(List<JsonNode> runs) {
        StringBuilder s = new StringBuilder();
        s.append("\nFirst batch (sim backend: a model of the kernel, not a kernel result)\n");
        s.append(String.format(Locale.ROOT, "%-5s %-15s %-16s %-8s %-8s %-11s %-14s %s%n",
                "RUN", "VARIANT", "KERNEL", "VERDICT", "EXPECTED", "AS EXPECTED", "STEAL ms (avg)", "IN BRACKET"));
        for (JsonNode r : runs) {
            JsonNode ms = r.path("measurements");
            double steal = 0;
            int within = 0;
            for (JsonNode m : ms) {
                steal += m.path("stealDeltaNs").asLong() / 1e6;
                within += m.path("withinBracket").asBoolean() ? 1 : 0;
            }
            String avg = ms.isEmpty() ? "-" : String.format(Locale.ROOT, "%.3f", steal / ms.size());
            String asExpected = r.path("asExpected").isNull() ? "-" : r.path("asExpected").asBoolean() ? "yes" : "NO";
            s.append(String.format(Locale.ROOT, "%-5d %-15s %-16s %-8s %-8s %-11s %-14s %s%n",
                    r.path("id").asLong(), r.path("variant").asString(), r.path("target").path("kernelRelease").asString(),
                    r.path("verdict").asString(), r.path("expectedVerdict").asString(), asExpected, avg,
                    ms.isEmpty() ? "-" : within + "/" + ms.size()));
            if (!r.path("skipReason").isNull()) {
                s.append("      skip: ").append(r.path("skipReason").asString()).append('\n');
            }
            if (!r.path("error").isNull()) {
                s.append("      error: ").append(r.path("error").asString()).append('\n');
            }
        }
        return s.append('\n').toString();
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void forget(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a stale demo.url only makes the CLI say the demo is unreachable
        }
    }

    /** The few API calls the demo makes of its own server, as its admin. */
    private static final class DemoClient {
        private final String base;
        private final String token;
        private final HttpClient http = HttpClient.newHttpClient();

        DemoClient(String base, String token) {
            this.base = base;
            this.token = token;
        }

        void awaitAgent(String name, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (JsonNode a : get("/api/v1/agents")) {
                    if (name.equals(a.path("name").asString())) {
                        return;
                    }
                }
                Thread.sleep(100);
            }
            throw new IllegalStateException("the local agent did not register within " + timeout);
        }

        JsonNode post(String path, Map<String, Object> body, int expected) {
            return send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token)
                    .POST(HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body))).build(), expected);
        }

        /** Creates the sim series schedule unless a former start did, and fires it now: the sweep it started. */
        JsonNode startSimSeries() {
            JsonNode existing = null;
            for (JsonNode s : get("/api/v1/schedules")) {
                if (SimSeriesDemo.SCHEDULE.equals(s.path("name").asString())) {
                    existing = s;
                }
            }
            long id = existing != null ? existing.path("id").asLong()
                    : post("/api/v1/schedules", SimSeriesDemo.schedule(), 201).path("id").asLong();
            return post("/api/v1/schedules/" + id + "/trigger", Map.of(), 201);
        }

        JsonNode awaitFinished(long id, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                JsonNode run = get("/api/v1/runs/" + id);
                String state = run.path("state").asString();
                if (state.equals("COMPLETED") || state.equals("CANCELLED") || System.nanoTime() > deadline) {
                    return run;
                }
                Thread.sleep(100);
            }
        }

        private JsonNode get(String path) {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token)
                    .GET().build(), 200);
        }

        private JsonNode send(HttpRequest request, int expected) {
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != expected) {
                    throw new IllegalStateException(request.method() + " " + request.uri() + " answered " + r.statusCode() + ": " + r.body());
                }
                return Json.MAPPER.readTree(r.body());
            } catch (IOException e) {
                throw new IllegalStateException(request.uri() + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
