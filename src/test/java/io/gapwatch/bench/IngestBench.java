package io.gapwatch.bench;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.TargetInfo;
import org.postgresql.PGConnection;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Results of 1,000 measurements each, delivered over HTTP as an agent delivers them (the JSON is made once, as a
 * spooled result is: the server's side is timed), against a plain COPY of the same rows into the same table: the
 * rows the results stored are copied out, deleted and copied back in.
 */
final class IngestBench {
    static final int MEASUREMENTS = 1000;

    record Result(int results, long measurements, double resultSeconds, double copySeconds) {
        double measurementsPerSecond() {
            return measurements / resultSeconds;
        }

        double copyRowsPerSecond() {
            return measurements / copySeconds;
        }

        Map<String, Object> json() {
            return Map.of("results", results, "measurementsPerResult", MEASUREMENTS,
                    "measurementsPerSecond", Latencies.round(measurementsPerSecond()),
                    "copyRowsPerSecond", Latencies.round(copyRowsPerSecond()),
                    "ratio", Latencies.round(measurementsPerSecond() / copyRowsPerSecond()));
        }
    }

    static Result run(Api admin, Peers.Cluster cluster, String database, Path home, int results) throws Exception {
        TargetInfo sim = new TargetInfo("sim", QueueBench.KERNEL, null, null);
        QueueBench.BenchAgent agent = QueueBench.register(admin, home, "ingest", 1, List.of(sim)).get(0);
        String report = null; // the agent's JSON of one sim run of 1,000 iterations, delivered for every run
        Api asAgent = admin.as(agent.secret());
        List<Long> runIds = new ArrayList<>();
        long resultNs = 0;
        int warmUp = 2; // the server's first results run cold (JIT): stored, not timed
        for (int i = 0; i < warmUp + results; i++) {
            long runId = admin.postOk("/api/v1/runs", Map.of("variant", "clock-realtime", "gapMs", 1,
                    "iterations", MEASUREMENTS, "target", Map.of("agent", agent.name(), "backend", "sim"))).path("id").asLong();
            var lease = agent.client().lease(agent.id(), Duration.ofSeconds(20)).orElseThrow();
            agent.client().heartbeat(lease.token(), 0, null);
            if (report == null) {
                report = Json.MAPPER.writeValueAsString(QueueBench.execute(lease.run()));
            }
            long t0 = System.nanoTime();
            Api.Timed stored = asAgent.post("/api/v1/leases/" + lease.token() + "/result", report);
            long t1 = System.nanoTime();
            if (stored.status() != 200) {
                throw new IllegalStateException("result of run " + runId + " answered " + stored.status() + ": " + stored.body());
            }
            if (i >= warmUp) {
                resultNs += t1 - t0;
                runIds.add(runId);
            }
        }
        String ids = runIds.stream().map(String::valueOf).collect(Collectors.joining(","));
        try (Connection c = cluster.connect(database); Statement s = c.createStatement()) {
            var copy = c.unwrap(PGConnection.class).getCopyAPI();
            ByteArrayOutputStream rows = new ByteArrayOutputStream();
            long copied = copy.copyOut("COPY (SELECT * FROM measurements WHERE run_id IN (" + ids + ")) TO STDOUT", rows);
            if (copied != (long) results * MEASUREMENTS) {
                throw new IllegalStateException("expected " + results * MEASUREMENTS + " stored measurements, found " + copied);
            }
            s.executeUpdate("DELETE FROM measurements WHERE run_id IN (" + ids + ")");
            long t0 = System.nanoTime();
            copy.copyIn("COPY measurements FROM STDIN", new ByteArrayInputStream(rows.toByteArray()));
            long copyNs = System.nanoTime() - t0;
            return new Result(results, copied, resultNs / 1e9, copyNs / 1e9);
        }
    }
}
