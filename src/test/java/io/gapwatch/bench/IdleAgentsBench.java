package io.gapwatch.bench;

import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.probe.TargetInfo;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * N agents connected and long-polling with nothing queued (each re-polls as soon as its poll ends, as the agent
 * does): the server's RSS, the database's committed transactions per second, and API latency meanwhile.
 */
final class IdleAgentsBench implements AutoCloseable {
    private static final Pattern WAITING = Pattern.compile("(?m)^gapwatch_lease_requests_waiting(?:\\{[^}]*})? ([0-9.]+)");

    private final Api admin;
    private final Peers.Cluster cluster;
    private final String database;
    private final long serverPid;
    private final Path home;
    private final ExecutorService callbacks = Executors.newFixedThreadPool(4);
    private final HttpClient http = HttpClient.newBuilder().executor(callbacks).build();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final List<long[]> failures = new ArrayList<>();
    private String enrollment;
    private int connected;

    IdleAgentsBench(Api admin, Peers.Cluster cluster, String database, long serverPid, Path home) {
        this.admin = admin;
        this.cluster = cluster;
        this.database = database;
        this.serverPid = serverPid;
        this.home = home;
    }

    /** Connects agents until {@code n} poll, waits until they have settled, then measures over {@code window}. */
    Map<String, Object> measure(int n, Duration window) throws Exception {
        if (enrollment == null) {
            enrollment = admin.postOk("/api/v1/tokens", Map.of("role", "enrollment", "name", "idle")).path("token").asString();
            Files.createDirectories(home);
        }
        ExecutorService registering = Executors.newFixedThreadPool(8);
        List<Future<ServerClient.Registered>> registered = new ArrayList<>();
        for (int i = connected; i < n; i++) {
            String name = "idle-" + i;
            registered.add(registering.submit(() -> new ServerClient(admin.base(), new Credentials(home.resolve(name + ".secret"), enrollment))
                    .register(name, "bench", "bench", List.of(new TargetInfo("sim", "sim:idle-model", null, null)))));
        }
        for (Future<ServerClient.Registered> f : registered) {
            ServerClient.Registered r = f.get();
            poll(r.id(), r.secret());
        }
        registering.shutdown();
        connected = n;
        Processes.await("the server's gauge to say all " + n + " agents' lease requests are waiting", Duration.ofMinutes(5),
                () -> waitingRequests() == n);
        // PostgreSQL reports a busy backend's commits up to 10 s late (PGSTAT_IDLE_INTERVAL): the enrollments'
        // must not be counted as the idle agents' cost
        Thread.sleep(11_000);
        long before = commits();
        long t0 = System.nanoTime();
        Latencies api = new Latencies();
        while (System.nanoTime() - t0 < window.toNanos()) {
            api.add(admin.get("/api/v1/runs?size=20").firstByteNs());
            Thread.sleep(500);
        }
        double tps = (commits() - before) / ((System.nanoTime() - t0) / 1e9);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("agents", n);
        out.put("serverRssMb", Processes.rssMb(serverPid, false));
        out.put("transactionsPerSecond", Latencies.round(tps));
        out.put("apiRunsMs", api.summary());
        synchronized (failures) {
            out.put("pollFailures", failures.size());
        }
        return out;
    }

    /** Lease requests parked at the server, waiting for work: its own gauge. */
    private int waitingRequests() throws IOException, InterruptedException {
        String metrics = http.send(HttpRequest.newBuilder(admin.base().resolve("/actuator/prometheus"))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = WAITING.matcher(metrics);
        return m.find() ? (int) Double.parseDouble(m.group(1)) : -1;
    }

    private void poll(long agentId, String secret) {
        if (stopped.get()) {
            return;
        }
        HttpRequest request = HttpRequest.newBuilder(admin.base().resolve("/api/v1/agents/" + agentId + "/lease?waitSeconds=20"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + secret)
                .POST(HttpRequest.BodyPublishers.noBody()).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() != 204) {
                synchronized (failures) {
                    failures.add(new long[]{agentId});
                }
            }
            poll(agentId, secret);
        });
    }

    private long commits() throws Exception {
        try (Connection c = cluster.connect(database); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() {
        stopped.set(true);
        callbacks.shutdownNow();
    }
}
