package io.gapwatch.agent;

import io.gapwatch.probe.HostInfo;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.VerdictRules;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The worker loop: register the targets, lease a run, execute it while heartbeating, spool the result,
 * deliver it. Runs on one thread, which also executes the probes (vCPU ioctls are thread-bound); with
 * {@code parallel} above 1 (a lab agent booting several guests at once) each run executes on a worker
 * thread of its own, and the loop leases only while a slot is free.
 */
public final class Agent implements Runnable {
    private static final Duration LEASE_WAIT = Duration.ofSeconds(20);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final String name;
    private final ServerClient server;
    private final Credentials credentials;
    private final Spool spool;
    private final List<TargetExecutor> executors;
    private final Consumer<String> log;
    private final AgentMetrics metrics;
    private final int parallel;
    private volatile boolean running = true;
    private volatile Thread thread;
    private volatile String refusal;

    public Agent(String name, ServerClient server, Credentials credentials, Spool spool, List<TargetExecutor> executors,
                 Consumer<String> log) {
        this(name, server, credentials, spool, executors, log, 1);
    }

    /**
     * @param parallel how many runs execute at once, each on a thread of its own (a lab agent's guests: one
     *                 QEMU each); 1 executes on the agent's own thread, one run after the other
     */
    public Agent(String name, ServerClient server, Credentials credentials, Spool spool, List<TargetExecutor> executors,
                 Consumer<String> log, int parallel) {
        this.name = name;
        this.server = server;
        this.credentials = credentials;
        this.spool = spool;
        this.executors = List.copyOf(executors);
        this.log = log;
        this.metrics = new AgentMetrics(spool);
        this.parallel = parallel;
    }

    /** This agent's own metrics (spool depth, probe duration, last lease). */
    public AgentMetrics metrics() {
        return metrics;
    }

    /** Why the server refused this agent for good (revoked, or its name taken), if that is why it stopped. */
    public Optional<String> refusal() {
        return Optional.ofNullable(refusal);
    }

    public void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        Map<String, TargetExecutor> byTarget = new LinkedHashMap<>();
        List<TargetInfo> targets = new ArrayList<>();
        for (TargetExecutor e : executors) {
            for (TargetInfo t : e.targets()) {
                byTarget.put(key(t.backend(), t.kernelRelease()), e);
                targets.add(t);
            }
        }
        long backoffMs = 500;
        Long agentId = null;
        // A run holds a slot from its lease to its report; with one slot the loop's own thread executes it.
        Semaphore slots = new Semaphore(parallel);
        ExecutorService workers = parallel > 1 ? Executors.newFixedThreadPool(parallel, r -> {
            Thread t = new Thread(r, "agent-" + name + "-run");
            t.setDaemon(true);
            return t;
        }) : null;
        while (running) {
            boolean slot = false;
            try {
                if (agentId == null) {
                    ServerClient.Registered registered = server.register(name, HostInfo.hostname(), version(), targets);
                    if (registered.secret() != null) {
                        credentials.enrolled(registered.secret());
                    }
                    agentId = registered.id();
                    log.accept("agent " + name + " registered as " + agentId + " with " + targets.size() + " target(s): "
                            + targets.stream().map(t -> t.backend() + "/" + t.kernelRelease()).toList());
                }
                deliverSpooled();
                if (!slots.tryAcquire(1, TimeUnit.SECONDS)) {
                    continue; // every slot busy: lease nothing until a run ends
                }
                slot = true;
                Optional<ServerClient.LeaseMessage> lease = server.lease(agentId, LEASE_WAIT);
                backoffMs = 500;
                if (lease.isPresent()) {
                    metrics.leased();
                    slot = false; // the run releases it
                    dispatch(lease.get(), byTarget, slots, workers);
                }
            } catch (InterruptedException e) {
                // stop() interrupts the loop's wait for a slot; running is false by then
            } catch (ServerClient.ServerUnavailableException e) {
                log.accept("server unavailable (" + e.getMessage() + "); retrying in " + backoffMs + " ms");
                sleep(backoffMs);
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            } catch (ServerClient.RejectedException e) {
                if (e.agentRevoked()) {
                    refuse("agent " + name + " is revoked; stopping, and not enrolling again: " + e.getMessage());
                } else if (agentId == null && e.status() == 409) {
                    refuse("agent " + name + " cannot enroll: " + e.getMessage());
                } else if (e.status() == 404) {
                    agentId = null; // the server forgot us (new database): register again
                } else if (e.status() == 401 && credentials.enrolled()) {
                    // not revoked: the secret matches no agent (a new database, or an admin deleted this agent)
                    log.accept("the server no longer takes this agent's secret; enrolling again");
                    forgetSecret();
                    agentId = null;
                    sleep(backoffMs);
                } else {
                    log.accept(e.getMessage());
                    sleep(backoffMs);
                }
            } catch (IOException e) {
                log.accept("spool: " + e.getMessage());
                sleep(backoffMs);
            } finally {
                if (slot) {
                    slots.release();
                }
            }
        }
        if (workers != null) {
            workers.shutdownNow(); // a guest still running is killed by the lab, its report spooled as ERROR
        }
    }

    /** Executes the run on this thread (one slot) or on a worker; either way its slot is free once it is reported. */
    private void dispatch(ServerClient.LeaseMessage lease, Map<String, TargetExecutor> byTarget, Semaphore slots,
                          ExecutorService workers)
            throws IOException, ServerClient.ServerUnavailableException, ServerClient.RejectedException {
        if (workers == null) {
            try {
                execute(lease, byTarget);
            } finally {
                slots.release();
            }
            return;
        }
        workers.execute(() -> {
            try {
                execute(lease, byTarget);
            } catch (IOException | ServerClient.ServerUnavailableException | ServerClient.RejectedException e) {
                // the report is spooled before delivery: the loop delivers it later, or learns the agent is refused
                log.accept("run of lease " + lease.token() + ": " + e.getMessage());
            } finally {
                slots.release();
            }
        });
    }

    private void execute(ServerClient.LeaseMessage lease, Map<String, TargetExecutor> byTarget)
            throws IOException, ServerClient.ServerUnavailableException, ServerClient.RejectedException {
        ServerClient.Order order = lease.run();
        // A kernel to build goes to the builder target of its base, unless this agent offers that very kernel.
        TargetExecutor executor = byTarget.get(key(order.backend(), order.kernelRelease()));
        boolean build = executor == null && order.build() != null;
        if (build) {
            executor = byTarget.get(key(order.backend(), order.build().builderKernel()));
        }
        log.accept("run " + order.id() + ": " + order.variant() + " gap " + order.gapMs() + " ms x" + order.iterations()
                + " on " + order.backend() + "/" + order.kernelRelease() + " (lease " + lease.token() + ")");
        LeaseWatch watch = new LeaseWatch(lease.token());
        // The first heartbeat acknowledges the lease and marks the run RUNNING before any work starts; later
        // ones keep the lease alive and say how far the run has got. No work on a lease the server has not heard
        // acknowledged: it takes an unacknowledged lease back (at no cost), and the run would execute twice.
        if (!watch.acknowledge()) {
            return;
        }
        ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + lease.token());
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(1, lease.leaseSeconds() * 1000 / 3);
        heartbeats.scheduleAtFixedRate(watch::heartbeat, every, every, TimeUnit.MILLISECONDS);
        watch.progressTo(heartbeats);
        ProbeRequest request = new ProbeRequest(order.variant(), order.gapMs(), order.iterations(),
                new VerdictRules(VerdictRules.DEFAULT_TOLERANCE_NS, order.strict()));
        TargetInfo leased = new TargetInfo(order.backend(), order.kernelRelease(), null, null);
        // Heartbeats go on until the server has the result: a delivery that arrived after the lease expired (a slow
        // spool write or upload on a busy host) would be refused, and the run executed a second time.
        try {
            ProbeReport report;
            long started = System.nanoTime();
            try {
                report = executor == null
                        ? ProbeReport.infrastructureError(request, leased,
                        "agent " + name + " has no target " + order.backend() + "/" + order.kernelRelease())
                        : build ? executor.execute(target(executor, order.build().builderKernel()), request, order.build(), watch)
                        : executor.execute(target(executor, order.kernelRelease()), request, watch);
            } catch (RuntimeException e) {
                // executors are built never to throw; if one does, the agent broke, not the kernel: worth another attempt
                report = ProbeReport.infrastructureError(request, leased, "agent " + name + " failed executing the run: " + e);
            }
            metrics.probed(report, Duration.ofNanos(System.nanoTime() - started));
            spool.put(lease.token(), report);
            String lost = watch.lost;
            if (lost != null) {
                // kept on disk under refused/, never delivered: the server no longer wants it
                spool.refuse(lease.token(), lost);
                log.accept("run " + order.id() + ": stopped after " + report.measurements().size() + " of "
                        + order.iterations() + " iterations and discarded: " + lost);
                return;
            }
            log.accept("run " + order.id() + ": " + report.verdict()
                    + (report.skipReason() != null ? " (" + report.skipReason() + ")" : "")
                    + (report.error() != null ? " (" + report.error() + ")" : ""));
            watch.delivering();
            deliverSpooled();
        } finally {
            heartbeats.shutdownNow();
        }
    }

    /**
     * One lease as the agent holds it: heartbeats carry the iterations done, and a heartbeat the server refuses
     * (409: the run was cancelled or the lease expired) stops the probe before its next iteration.
     */
    private final class LeaseWatch implements Probe.Progress {
        private static final long PROGRESS_EVERY_NS = 1_000_000_000L;
        private final long token;
        private volatile int done;
        private volatile String preparing;
        private volatile String lost;
        private volatile boolean delivering;
        private volatile ScheduledExecutorService heartbeats;
        private volatile long lastBeat = System.nanoTime();

        LeaseWatch(long token) {
            this.token = token;
        }

        /** Progress is sent as it happens (at most once a second), off the probe's thread: the probe never waits on HTTP. */
        void progressTo(ScheduledExecutorService heartbeats) {
            this.heartbeats = heartbeats;
        }

        @Override
        public void iterationDone(int iterationsDone, int total) {
            done = iterationsDone;
            preparing = null;
            beatSoon();
        }

        private void beatSoon() {
            ScheduledExecutorService h = heartbeats;
            long now = System.nanoTime();
            if (h != null && now - lastBeat >= PROGRESS_EVERY_NS) {
                lastBeat = now; // one heartbeat queued at a time, even while the last one is still on its way
                try {
                    h.execute(this::heartbeat);
                } catch (java.util.concurrent.RejectedExecutionException finished) {
                    // the run is over; its last heartbeat has gone
                }
            }
        }

        @Override
        public void preparing(String message) {
            preparing = message;
            beatSoon();
        }

        @Override
        public boolean stopRequested() {
            return lost != null;
        }

        /** From here on a refused heartbeat may only mean the server already has the result: nothing to stop. */
        void delivering() {
            delivering = true;
        }

        /**
         * The first heartbeat, again until the server answers it, while it cannot be reached (a database outage
         * answers 503): true once accepted; false when it is refused (the lease went back to the queue meanwhile)
         * or the agent stops.
         */
        boolean acknowledge() {
            long backoffMs = 500;
            while (running) {
                lastBeat = System.nanoTime();
                try {
                    server.heartbeat(token, done, preparing);
                    return true;
                } catch (ServerClient.ServerUnavailableException e) {
                    log.accept("lease " + token + " not acknowledged yet (" + e.getMessage() + "); again in " + backoffMs + " ms");
                    sleep(backoffMs);
                    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
                } catch (ServerClient.RejectedException e) {
                    log.accept("lease " + token + " was taken back before it was acknowledged: " + e.getMessage()
                            + "; not running it");
                    return false;
                }
            }
            return false;
        }

        void heartbeat() {
            lastBeat = System.nanoTime();
            try {
                server.heartbeat(token, done, preparing);
            } catch (ServerClient.ServerUnavailableException e) {
                log.accept("heartbeat for lease " + token + " failed: " + e.getMessage());
            } catch (ServerClient.RejectedException e) {
                if (lost == null && !delivering) {
                    lost = "lease " + token + " is no longer ours (cancelled, or expired): " + e.getMessage();
                    log.accept(lost + "; stopping the run");
                }
            }
        }
    }

    private void refuse(String why) {
        refusal = why;
        running = false;
        log.accept(why);
    }

    private void forgetSecret() {
        try {
            credentials.forget();
        } catch (IOException e) {
            log.accept("cannot remove the agent secret: " + e.getMessage());
        }
    }

    private static TargetInfo target(TargetExecutor executor, String kernelRelease) {
        return executor.targets().stream()
                .filter(t -> t.kernelRelease().equals(kernelRelease)).findFirst().orElseThrow();
    }

    /** Delivers every spooled result; stops at the first outage and leaves the rest for later. */
    private synchronized void deliverSpooled() throws IOException, ServerClient.ServerUnavailableException, ServerClient.RejectedException {
        for (Spool.Entry entry : spool.pending()) {
            try {
                server.result(entry.token(), entry.report());
                spool.remove(entry.token());
            } catch (ServerClient.RejectedException e) {
                if (e.status() == 401) {
                    throw e; // this agent is refused, not its result: the result stays spooled
                }
                log.accept("result of lease " + entry.token() + " refused: " + e.getMessage());
                spool.refuse(entry.token(), e.getMessage());
            }
        }
    }

    private static String key(String backend, String kernel) {
        return backend + "|" + kernel;
    }

    private void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            if (!running) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String version() {
        String v = Agent.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
