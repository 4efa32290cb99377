package io.gapwatch.server.support;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A real agent in this JVM serving a series of simulated kernels, as
 * {@code gapwatch agent --backend sim --sim-kernels ... --sim-faults-from ...} would: its runs are labelled
 * simulated like every sim run. {@link #close()} stops it.
 */
public final class SimAgent implements AutoCloseable {
    private final Agent agent;

    /**
     * @param options agent options after {@code --backend sim}, e.g. {@code --sim-kernels 6.12.100,6.12.111
     *                --sim-faults-from 6.12.111:extra-error-ns=3000000}
     */
    public SimAgent(Http admin, int port, Path home, String name, String... options) throws InterruptedException {
        Credentials credentials = new Credentials(home.resolve(name + ".secret"), admin.newToken("enrollment"));
        agent = new Agent(name, new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool-" + name)),
                AgentCommand.executors("sim", Options.parse("agent", options,
                        Set.of("sim-kernels", "sim-faults-from", "sim-faults"), Set.of())), line -> { });
        new Thread(agent, name).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!registered(admin, name)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("agent " + name + " did not register within 60 s");
            }
            Thread.sleep(50);
        }
    }

    private static boolean registered(Http admin, String name) {
        List<String> names = new ArrayList<>();
        admin.get("/api/v1/agents").json().forEach(a -> names.add(a.path("name").asString()));
        return names.contains(name);
    }

    @Override
    public void close() {
        agent.stop();
    }
}
