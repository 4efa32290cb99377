package io.gapwatch.server.leases;

import io.gapwatch.server.GapwatchProperties;
import io.gapwatch.server.ServerClock;
import io.gapwatch.server.agents.AgentRepository;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.runs.QueueSignal;
import io.gapwatch.server.runs.RunRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.context.request.async.DeferredResult;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Where lease requests wait when no work is queued for their agent (with work, they lease on their own thread):
 * parked as async requests (no servlet thread, no database work each),
 * answered by one dispatcher thread per server. The dispatcher wakes on a queue notification, on a newly
 * parked request, or every {@code queuePollInterval}; then one query finds which waiting agents have work,
 * and only those lease. Waiting agents' last_seen_at is refreshed in one statement per interval.
 */
@Component
class LeaseDispatcher implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(LeaseDispatcher.class);

    /** A parked long poll of one agent. */
    private record Waiter(Caller.AgentCaller agent, DeferredResult<ResponseEntity<Lease>> result) {
    }

    private final ConcurrentMap<Long, Waiter> waiters = new ConcurrentHashMap<>();
    private final LeaseService leases;
    private final RunRepository runs;
    private final AgentRepository agents;
    private final QueueSignal signal;
    private final ServerClock clock;
    private final TransactionTemplate tx;
    private final long pollMillis;
    private volatile boolean running;
    private Thread thread;

    LeaseDispatcher(LeaseService leases, RunRepository runs, AgentRepository agents, QueueSignal signal,
                    ServerClock clock, TransactionTemplate tx, GapwatchProperties properties, MeterRegistry meters) {
        this.leases = leases;
        this.runs = runs;
        this.agents = agents;
        this.signal = signal;
        this.clock = clock;
        this.tx = tx;
        this.pollMillis = properties.queuePollInterval().toMillis();
        Gauge.builder("gapwatch.lease.requests.waiting", waiters, Map::size)
                .description("agents' lease requests parked on this server, waiting for work").register(meters);
    }

    /**
     * Answers a long poll: with a lease at once, on the request's own thread, when work is queued for the agent
     * (one transaction; the dispatcher thread would otherwise hand out leases one after another), else parked
     * until one of the agent's targets has work, or 204 after {@code wait}. An agent polls once at a time, so a
     * newer request of the same agent answers the older one with 204 (the agent gave up on it: it must not get a
     * lease).
     */
    DeferredResult<ResponseEntity<Lease>> leaseOrPark(Caller.AgentCaller agent, Duration wait) {
        Waiter older = waiters.remove(agent.agentId());
        if (older != null) {
            older.result().setResult(ResponseEntity.noContent().build());
        }
        Optional<Lease> now;
        try {
            now = leases.leaseNow(agent, agent.agentId());
        } catch (DataAccessException | TransactionException e) {
            // e.g. the database is down: the request waits like a parked one, and the dispatcher retries
            log.debug("lease on the request's thread: {}; parked", e.getMessage());
            now = Optional.empty();
        }
        if (now.isPresent()) {
            DeferredResult<ResponseEntity<Lease>> leased = new DeferredResult<>();
            leased.setResult(ResponseEntity.ok(now.get()));
            return leased;
        }
        return park(agent, wait);
    }

    private DeferredResult<ResponseEntity<Lease>> park(Caller.AgentCaller agent, Duration wait) {
        DeferredResult<ResponseEntity<Lease>> result = new DeferredResult<>(wait.toMillis(), ResponseEntity.noContent().build());
        Waiter waiter = new Waiter(agent, result);
        result.onCompletion(() -> waiters.remove(agent.agentId(), waiter));
        Waiter older = waiters.put(agent.agentId(), waiter);
        if (older != null) {
            older.result().setResult(ResponseEntity.noContent().build());
        }
        signal.wake();
        return result;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::dispatch, "lease-dispatcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops before the web server drains its requests: every waiting agent gets its 204 now. */
    @Override
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2000); // a dispatch in flight finishes before the connection pool closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waiters.values().forEach(w -> w.result().setResult(ResponseEntity.noContent().build()));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void dispatch() {
        long seen = 0;
        long lastTouch = System.nanoTime();
        boolean warned = false;
        while (running) {
            try {
                seen = signal.awaitChange(seen, pollMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (waiters.isEmpty()) {
                continue;
            }
            try {
                leaseToWaitersWithWork();
                if (System.nanoTime() - lastTouch >= pollMillis * 1_000_000L) {
                    List<Long> waiting = List.copyOf(waiters.keySet());
                    tx.executeWithoutResult(s -> agents.touchAll(waiting, clock.now()));
                    lastTouch = System.nanoTime();
                }
                warned = false;
            } catch (RuntimeException e) {
                if (running && !warned) {
                    log.warn("lease dispatcher: {}; waiting agents keep waiting", e.getMessage()); // e.g. the database is down
                    warned = true;
                }
            }
        }
    }

    private void leaseToWaitersWithWork() {
        for (Long agentId : runs.agentsWithWork(List.copyOf(waiters.keySet()))) {
            Waiter waiter = waiters.get(agentId);
            if (waiter == null || waiter.result().isSetOrExpired()) {
                continue;
            }
            Optional<Lease> lease = leases.leaseNow(waiter.agent(), agentId);
            if (lease.isPresent() && !waiter.result().setResult(ResponseEntity.ok(lease.get()))) {
                // the request ended meanwhile: the lease is never acknowledged and returns to the queue for free
                log.debug("lease {} went to a request that had ended", lease.get().token());
            }
        }
    }
}
