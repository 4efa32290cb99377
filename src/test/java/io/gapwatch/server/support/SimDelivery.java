package io.gapwatch.server.support;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.FakeHostClock;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.VerdictRules;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Random;

/**
 * A test acting as a sim agent over the real agent protocol, one run at a time: queue a run for a kernel,
 * lease it, execute the simulated kernel (with the faults asked for, on a fake host clock, so no gap is slept)
 * and report. The measurements are the sim model's, labelled simulated like any sim run.
 */
public final class SimDelivery {
    private final Http admin;
    private final Http agent;
    private final long agentId;
    private final Random random = new Random(11);

    /** Enrolls an agent named {@code name} serving the given sim kernels ("sim:6.12.107", ...). */
    public SimDelivery(Http admin, String name, List<String> kernels) {
        this.admin = admin;
        String targets = String.join(",", kernels.stream()
                .map(k -> "{\"backend\":\"sim\",\"kernelRelease\":\"" + k + "\"}").toList());
        JsonNode registered = admin.as(admin.newToken("enrollment"))
                .post("/api/v1/agents", "{\"name\":\"" + name + "\",\"targets\":[" + targets + "]}").json();
        agentId = registered.path("id").asLong();
        agent = admin.as(registered.path("secret").asString());
    }

    /** One run of {@code iterations} on {@code kernel}, executed with {@code faults}; returns the run's id. */
    public long run(String kernel, Variant variant, int gapMs, int iterations, String faults) {
        long runId = admin.post("/api/v1/runs", "{\"variant\":\"" + variant.id() + "\",\"gapMs\":" + gapMs
                + ",\"iterations\":" + iterations + ",\"target\":{\"kernel\":\"" + kernel + "\",\"backend\":\"sim\"}}")
                .json().path("id").asLong();
        deliverNext(faults);
        return runId;
    }

    /** Leases the oldest run queued for this agent and reports it executed with {@code faults}. */
    public JsonNode deliverNext(String faults) {
        return deliverNext(5, null, run -> execute(run, faults))
                .orElseThrow(() -> new IllegalStateException("no run to lease for agent " + agentId));
    }

    /**
     * Leases the oldest run queued for this agent, waiting up to {@code waitSeconds}, first acknowledges it with a
     * heartbeat saying {@code progress} (unless null), as an agent building a kernel does, and reports what
     * {@code execute} makes of the lease's run; returns the lease, or empty when none came.
     */
    public java.util.Optional<JsonNode> deliverNext(int waitSeconds, String progress,
                                                    java.util.function.Function<JsonNode, ProbeReport> execute) {
        Http.Response leased = agent.post("/api/v1/agents/" + agentId + "/lease?waitSeconds=" + waitSeconds, "");
        if (leased.status() == 204) {
            return java.util.Optional.empty();
        }
        JsonNode lease = leased.json();
        JsonNode run = lease.path("run");
        if (run.isMissingNode()) {
            throw new IllegalStateException("lease refused for agent " + agentId + ": " + leased.status() + " " + lease);
        }
        if (progress != null) {
            Http.Response beat = agent.post("/api/v1/leases/" + lease.path("token").asLong() + "/heartbeat",
                    "{\"iterationsDone\":0,\"progress\":" + Json.MAPPER.writeValueAsString(progress) + "}");
            if (beat.status() != 200) {
                throw new IllegalStateException("heartbeat refused: " + beat.status() + " " + beat.body());
            }
        }
        Http.Response r = agent.post("/api/v1/leases/" + lease.path("token").asLong() + "/result",
                Json.MAPPER.writeValueAsString(execute.apply(run)));
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("result refused: " + r.status() + " " + r.body());
        }
        return java.util.Optional.of(lease);
    }

    /**
     * The report of the simulated kernel {@code kernel} ("sim:...") for a leased run (its variant, gap and
     * iterations), with {@code faults}.
     */
    public ProbeReport execute(String kernel, JsonNode run, String faults) {
        return execute(kernel, Variant.fromId(run.path("variant").asString()), run.path("gapMs").asInt(),
                run.path("iterations").asInt(), faults);
    }

    private ProbeReport execute(JsonNode run, String faults) {
        return execute(run.path("kernelRelease").asString(), run, faults);
    }

    private ProbeReport execute(String kernel, Variant variant, int gapMs, int iterations, String faults) {
        FakeHostClock clock = new FakeHostClock(1_000);
        return new Probe(new SimKernel(clock, SimFaults.parse(faults), random, kernel), clock)
                .run(new ProbeRequest(variant, gapMs, iterations, VerdictRules.defaults()));
    }
}
