package io.gapwatch.bench;

import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.SystemHostClock;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.VerdictRules;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * K agents over real HTTP, each in a loop of the whole queue cycle: create a run pinned to itself (as a client
 * would), lease it (the long-poll call), acknowledge it with the first heartbeat (as the agent does, which marks
 * it RUNNING), execute the sim probe (1 iteration, 1 ms gap) and deliver the result.
 */
final class QueueBench {
    static final String KERNEL = SimKernel.KERNEL_RELEASE;

    record Result(int agents, double seconds, long cycles, double cyclesPerSecond, Latencies create, Latencies lease,
                  Latencies heartbeat, Latencies result) {
        Map<String, Object> json() {
            return Map.of("agents", agents, "seconds", Latencies.round(seconds), "cycles", cycles,
                    "cyclesPerSecond", Latencies.round(cyclesPerSecond), "createMs", create.summary(),
                    "leaseMs", lease.summary(), "heartbeatMs", heartbeat.summary(), "resultMs", result.summary());
        }
    }

    /** An agent registered for the benchmark, with the agent's own client. */
    record BenchAgent(long id, String name, String secret, ServerClient client) {
    }

    static List<BenchAgent> register(Api admin, Path home, String prefix, int count, List<TargetInfo> targets)
            throws Exception {
        String enrollment = admin.postOk("/api/v1/tokens", Map.of("role", "enrollment", "name", prefix))
                .path("token").asString();
        List<BenchAgent> agents = new ArrayList<>();
        Files.createDirectories(home);
        for (int i = 0; i < count; i++) {
            String name = prefix + "-" + i;
            Credentials credentials = new Credentials(home.resolve(name + ".secret"), enrollment);
            ServerClient client = new ServerClient(admin.base(), credentials);
            ServerClient.Registered r = client.register(name, "bench", "bench", targets);
            credentials.enrolled(r.secret());
            agents.add(new BenchAgent(r.id(), name, r.secret(), client));
        }
        return agents;
    }

    static Result run(Api admin, Path home, int k, Duration duration) throws Exception {
        TargetInfo sim = new TargetInfo("sim", KERNEL, null, null);
        List<BenchAgent> agents = register(admin, home, "queue" + k, k, List.of(sim));
        Latencies create = new Latencies(), lease = new Latencies(), heartbeat = new Latencies(), result = new Latencies();
        AtomicLong cycles = new AtomicLong();
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        for (BenchAgent agent : agents) {
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        cycle(admin, agent, create, lease, heartbeat, result);
                        cycles.incrementAndGet();
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            }, agent.name());
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!failures.isEmpty()) {
            throw new IllegalStateException("queue benchmark: " + failures.size() + " agents failed, first: " + failures.get(0),
                    failures.get(0));
        }
        return new Result(k, seconds, cycles.get(), cycles.get() / seconds, create, lease, heartbeat, result);
    }

    private static void cycle(Api admin, BenchAgent agent, Latencies create, Latencies lease, Latencies heartbeat,
                              Latencies result) throws Exception {
        long t0 = System.nanoTime();
        admin.postOk("/api/v1/runs", Map.of("variant", "clock-realtime", "gapMs", 1, "iterations", 1,
                "target", Map.of("agent", agent.name(), "backend", "sim")));
        long t1 = System.nanoTime();
        ServerClient.LeaseMessage l = agent.client().lease(agent.id(), Duration.ofSeconds(20))
                .orElseThrow(() -> new IllegalStateException(agent.name() + ": no lease within 20 s for its own queued run"));
        long t2 = System.nanoTime();
        agent.client().heartbeat(l.token(), 0, null);
        long t3 = System.nanoTime();
        ProbeReport report = execute(l.run());
        long t4 = System.nanoTime();
        agent.client().result(l.token(), report);
        long t5 = System.nanoTime();
        create.add(t1 - t0);
        lease.add(t2 - t1);
        heartbeat.add(t3 - t2);
        result.add(t5 - t4);
    }

    /** The sim backend, as the agent runs it (LocalExecutor): a fresh model per run. */
    static ProbeReport execute(ServerClient.Order order) {
        SystemHostClock clock = new SystemHostClock();
        try (SimKernel kernel = new SimKernel(clock, SimFaults.none(), new java.util.Random(), order.kernelRelease())) {
            return new Probe(kernel, clock).run(new ProbeRequest(order.variant(), order.gapMs(), order.iterations(),
                    new VerdictRules(VerdictRules.DEFAULT_TOLERANCE_NS, order.strict())));
        }
    }
}
