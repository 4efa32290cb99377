package io.gapwatch.agent;

import com.sun.net.httpserver.HttpServer;
import io.gapwatch.probe.ProbeReport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent's own few metrics (spool depth, probe duration, last lease), which the server cannot know:
 * served at {@code /metrics} on {@code --metrics-port} when asked for. Plain Java: the agent has no Spring.
 */
public final class AgentMetrics implements AutoCloseable {
    private static final Duration[] PROBE_BUCKETS = {Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300)};

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicLong lastLeaseEpochMillis = new AtomicLong();
    private HttpServer server;

    AgentMetrics(Spool spool) {
        Gauge.builder("gapwatch.agent.spool.depth", spool, AgentMetrics::depth)
                .description("results spooled on disk, not yet delivered to the server").register(registry);
        Gauge.builder("gapwatch.agent.last.lease.timestamp", lastLeaseEpochMillis, ms -> ms.get() / 1000.0)
                .description("when this agent last got a lease (Unix time; 0: never since it started)")
                .baseUnit("seconds").register(registry);
    }

    void leased() {
        lastLeaseEpochMillis.set(Instant.now().toEpochMilli());
    }

    /** How long one run's probe took here (all its iterations), by backend, variant and verdict. */
    void probed(ProbeReport report, Duration took) {
        Timer.builder("gapwatch.agent.probe.duration").description("wall time of one run's probe on this agent")
                .serviceLevelObjectives(PROBE_BUCKETS)
                .tag("backend", report.target().backend()).tag("variant", report.variant().id())
                .tag("verdict", report.verdict().name()).register(registry).record(took);
    }

    /** The Prometheus text exposition of these metrics. */
    public String scrape() {
        return registry.scrape();
    }

    /** Serves {@code /metrics} on the given loopback-or-any address until closed; returns the bound port. */
    public synchronized int serve(InetSocketAddress address) throws IOException {
        server = HttpServer.create(address, 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = scrape().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
        }
        registry.close();
    }

    private static double depth(Spool spool) {
        try {
            return spool.depth();
        } catch (IOException e) {
            return Double.NaN;
        }
    }
}
