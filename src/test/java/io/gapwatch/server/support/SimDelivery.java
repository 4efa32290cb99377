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
        JsonNode lease = agent.post("/api/v1/agents/" + agentId + "/lease?waitSeconds=5", "").json();
        JsonNode run = lease.path("run");
        if (run.isMissingNode()) {
            throw new IllegalStateException("no run to lease for agent " + agentId + ": " + lease);
        }
        ProbeReport report = execute(run.path("kernelRelease").asString(), Variant.fromId(run.path("variant").asString()), run.path("gapMs").asInt(),
                run.path("iterations").asInt(), faults);
        Http.Response r = agent.post("/api/v1/leases/" + lease.path("token").asLong() + "/result",
                Json.MAPPER.writeValueAsString(report));
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("result refused: " + r.status() + " " + r.body());
        }
        return lease;
    }

    private ProbeReport execute(String kernel, Variant variant, int gapMs, int iterations, String faults) {
        FakeHostClock clock = new FakeHostClock(1_000);
        return new Probe(new SimKernel(clock, SimFaults.parse(faults), random, kernel), clock)
                .run(new ProbeRequest(variant, gapMs, iterations, VerdictRules.defaults()));
    }
}
