package io.gapwatch.server.sweeps;

import io.gapwatch.server.ServerClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.util.List;

/**
 * Completes sweeps whose runs have all ended and announces each with a {@link SweepCompleted}, after the commit.
 * A sweep ends however its last run does (a result, a lease given up, a cancelled run), on whichever server,
 * so this looks at the database rather than at one server's calls.
 */
@Component
public class SweepCompletion {
    private static final Logger log = LoggerFactory.getLogger(SweepCompletion.class);

    private final SweepRepository sweeps;
    private final ServerClock clock;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;

    public SweepCompletion(SweepRepository sweeps, ServerClock clock, TransactionTemplate tx, ApplicationEventPublisher events) {
        this.sweeps = sweeps;
        this.clock = clock;
        this.tx = tx;
        this.events = events;
    }

    /** Completes the finished sweeps and publishes their events; returns their ids. */
    public List<Long> completeFinished() {
        List<Long> completed = tx.execute(s -> sweeps.completeFinished(clock.now()));
        for (long id : completed) {
            try {
                events.publishEvent(new SweepCompleted(id));
            } catch (RuntimeException e) {
                // one listener's failure must not keep the other sweeps' events from being published
                log.warn("a listener of SweepCompleted({}) failed: {}", id, e.toString());
            }
        }
        return completed;
    }

    @Scheduled(fixedDelayString = "${gapwatch.sweeps.check-interval:1s}")
    void poll() {
        try {
            completeFinished();
        } catch (RuntimeException e) {
            log.warn("sweep completion: {}", e.getMessage()); // e.g. the database is down; the next round retries
        }
    }
}
