package io.gapwatch.server.schedules;

import io.gapwatch.server.ServerClock;
import io.gapwatch.server.sweeps.Baseline;
import io.gapwatch.server.sweeps.Matrix;
import io.gapwatch.server.sweeps.Sweep;
import io.gapwatch.server.sweeps.SweepService;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.FieldProblem;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.NotFoundException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Creating, reading, changing, deleting and triggering schedules. Firing them when due is {@link ScheduleFirer}'s. */
@Service
public class ScheduleService {
    private static final int MAX_NAME = 200;

    private final ScheduleRepository schedules;
    private final ScheduleFireRepository fires;
    private final SweepService sweeps;
    private final ServerClock clock;

    public ScheduleService(ScheduleRepository schedules, ScheduleFireRepository fires, SweepService sweeps, ServerClock clock) {
        this.schedules = schedules;
        this.fires = fires;
        this.sweeps = sweeps;
        this.clock = clock;
    }

    @Transactional
    public ScheduleView create(ScheduleRequest r) {
        List<FieldProblem> problems = new ArrayList<>();
        if (r.name() == null) {
            problems.add(new FieldProblem("name", "is required"));
        }
        checkName(r.name(), problems);
        CronSchedule cron = cron(r.cron(), r.timeZone() == null ? "UTC" : r.timeZone(), problems);
        Matrix matrix = sweeps.matrix(r.matrix(), problems);
        Baseline baseline = r.baseline() == null ? null : r.baseline().toBaseline("baseline", problems);
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        boolean enabled = !Boolean.FALSE.equals(r.enabled());
        Instant now = clock.now();
        Schedule created = schedules.insert(r.name(), cron.expression(), cron.zone().getId(), matrix, baseline, enabled,
                enabled ? cron.nextAfter(now) : null, now).orElseThrow(() -> nameTaken(r.name()));
        return ScheduleView.of(created, null);
    }

    public ScheduleView get(long id) {
        Schedule s = schedules.find(id).orElseThrow(() -> notFound(id));
        return ScheduleView.of(s, fires.last(id).orElse(null));
    }

    public List<ScheduleView> list() {
        return schedules.list().stream().map(s -> ScheduleView.of(s, fires.last(s.id()).orElse(null))).toList();
    }

    /**
     * Changes what the request names. A change of cron, time zone or enabled sets the next due time afresh from
     * now: no fire is made up for the past.
     */
    @Transactional
    public ScheduleView update(long id, ScheduleRequest r) {
        Schedule s = schedules.lock(id).orElseThrow(() -> notFound(id));
        List<FieldProblem> problems = new ArrayList<>();
        checkName(r.name(), problems);
        String cronText = r.cron() != null ? r.cron() : s.cron();
        String zone = r.timeZone() != null ? r.timeZone() : s.timeZone();
        CronSchedule cron = cron(cronText, zone, problems);
        Matrix matrix = r.matrix() != null ? sweeps.matrix(r.matrix(), problems) : s.matrix();
        Baseline baseline = r.baseline() != null ? r.baseline().toBaseline("baseline", problems) : s.baseline();
        if (!problems.isEmpty()) {
            throw new InvalidRequestException(problems);
        }
        boolean enabled = r.enabled() != null ? r.enabled() : s.enabled();
        Instant now = clock.now();
        boolean timingChanged = r.cron() != null || r.timeZone() != null || enabled != s.enabled();
        Instant next = !enabled ? null : timingChanged || s.nextFireAt() == null ? cron.nextAfter(now) : s.nextFireAt();
        Schedule changed = new Schedule(id, r.name() != null ? r.name() : s.name(), cron.expression(), cron.zone().getId(),
                matrix, baseline, enabled, next, s.createdAt(), now);
        if (!schedules.update(changed)) {
            throw nameTaken(changed.name());
        }
        return get(id);
    }

    @Transactional
    public void delete(long id) {
        if (!schedules.delete(id)) {
            throw notFound(id);
        }
    }

    /** Fires the schedule now, whether enabled or not, and returns the sweep; its due times are not touched. */
    @Transactional
    public Sweep trigger(long id) {
        Schedule s = schedules.find(id).orElseThrow(() -> notFound(id));
        return sweeps.start(sweeps.plan(s.matrix()), s.baseline(), s.id(), null);
    }

    private static CronSchedule cron(String cron, String zone, List<FieldProblem> problems) {
        try {
            return CronSchedule.parse(cron, zone);
        } catch (CronSchedule.InvalidCronException e) {
            problems.add(new FieldProblem(e.field(), e.getMessage()));
            return null;
        }
    }

    private static void checkName(String name, List<FieldProblem> problems) {
        if (name != null && (name.isBlank() || name.length() > MAX_NAME || name.chars().anyMatch(Character::isISOControl))) {
            problems.add(new FieldProblem("name", "must be 1.." + MAX_NAME + " characters without control characters"));
        }
    }

    private static ConflictException nameTaken(String name) {
        return new ConflictException("a schedule named '" + name + "' exists already");
    }

    static NotFoundException notFound(long id) {
        return new NotFoundException("schedule " + id + " does not exist");
    }
}
