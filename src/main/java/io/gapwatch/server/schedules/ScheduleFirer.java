package io.gapwatch.server.schedules;

import io.gapwatch.server.ServerClock;
import io.gapwatch.server.sweeps.Sweep;
import io.gapwatch.server.sweeps.SweepService;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.UnservableTargetException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Fires due schedules, on every server replica, without a leader: each fire locks its schedule row (SKIP LOCKED),
 * claims (schedule, due time) in schedule_fires, starts the sweep and moves the next due time on, all in one
 * transaction. Two replicas never fire one due time twice; a due time missed while no server ran is fired once,
 * at the next start, for the latest of the missed due times.
 */
@Component
public class ScheduleFirer {
    private static final Logger log = LoggerFactory.getLogger(ScheduleFirer.class);

    private final ScheduleRepository schedules;
    private final ScheduleFireRepository fires;
    private final SweepService sweeps;
    private final ServerClock clock;
    private final TransactionTemplate tx;

    public ScheduleFirer(ScheduleRepository schedules, ScheduleFireRepository fires, SweepService sweeps, ServerClock clock,
                         TransactionTemplate tx) {
        this.schedules = schedules;
        this.fires = fires;
        this.sweeps = sweeps;
        this.clock = clock;
        this.tx = tx;
    }

    /** Fires every schedule due by the server clock's now; returns the fires this call made. */
    public List<ScheduleFire> fireDue() {
        List<ScheduleFire> fired = new ArrayList<>();
        Optional<ScheduleFire> fire;
        while ((fire = tx.execute(s -> fireNext())).isPresent()) {
            fired.add(fire.get());
        }
        return fired;
    }

    private Optional<ScheduleFire> fireNext() {
        Instant now = clock.now();
        return schedules.lockNextDue(now).map(schedule -> {
            CronSchedule cron = schedule.cronSchedule();
            Instant due = cron.latestDue(schedule.nextFireAt(), now);
            schedules.setNextFire(schedule.id(), cron.nextAfter(now));
            if (!fires.claim(schedule.id(), due, now)) {
                log.warn("schedule {} had already fired for {}", schedule.name(), due);
                return new ScheduleFire(schedule.id(), due, now, null, "already fired");
            }
            Long sweepId = null;
            String outcome;
            try {
                Sweep sweep = sweeps.start(sweeps.plan(schedule.matrix()), schedule.baseline(), schedule.id(), due);
                sweepId = sweep.id();
                outcome = "started sweep " + sweep.id();
            } catch (UnservableTargetException | InvalidRequestException e) {
                // nothing was written for the sweep: the fire is kept, saying why there is no sweep
                outcome = "no sweep: " + e.getMessage();
            }
            if (!due.equals(schedule.nextFireAt())) {
                outcome += " (due times from " + schedule.nextFireAt() + " to " + due + " passed while no server ran: fired once)";
            }
            log.info("schedule {} fired for {}: {}", schedule.name(), due, outcome);
            return fires.recordOutcome(schedule.id(), due, sweepId, outcome);
        });
    }

    @Scheduled(fixedDelayString = "${gapwatch.schedules.check-interval:10s}")
    void poll() {
        try {
            fireDue();
        } catch (RuntimeException e) {
            log.warn("schedules: {}", e.getMessage()); // e.g. the database is down; the next round retries
        }
    }
}
