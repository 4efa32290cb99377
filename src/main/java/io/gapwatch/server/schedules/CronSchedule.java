package io.gapwatch.server.schedules;

import org.springframework.scheduling.support.CronExpression;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * A standard 5-field cron expression (minute hour day-of-month month day-of-week) in a time zone, evaluated by
 * Spring's {@link CronExpression} (which wants a seconds field first: we prepend "0"). Due times follow the zone's
 * wall clock, daylight saving included.
 */
public record CronSchedule(String expression, ZoneId zone, CronExpression cron) {

    /** Thrown for an expression or a zone that cannot be used; says which and why. */
    public static final class InvalidCronException extends IllegalArgumentException {
        private final String field;

        InvalidCronException(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    public static CronSchedule parse(String expression, String timeZone) {
        if (expression == null || expression.isBlank()) {
            throw new InvalidCronException("cron", "is required: 5 fields, minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"");
        }
        String[] fields = expression.trim().split("\\s+");
        if (fields.length != 5) {
            throw new InvalidCronException("cron", "must have 5 fields (minute hour day-of-month month day-of-week), '"
                    + expression + "' has " + fields.length);
        }
        CronExpression cron;
        try {
            cron = CronExpression.parse("0 " + String.join(" ", fields));
        } catch (IllegalArgumentException e) {
            throw new InvalidCronException("cron", "'" + expression + "' is not a valid cron expression: " + e.getMessage());
        }
        ZoneId zone;
        try {
            zone = ZoneId.of(timeZone == null ? "UTC" : timeZone);
        } catch (DateTimeException e) {
            throw new InvalidCronException("timeZone", "'" + timeZone + "' is not a time zone; use a region like UTC or Europe/Berlin");
        }
        CronSchedule schedule = new CronSchedule(String.join(" ", fields), zone, cron);
        if (schedule.nextAfter(Instant.parse("2000-01-01T00:00:00Z")) == null) {
            throw new InvalidCronException("cron", "'" + expression + "' never fires");
        }
        return schedule;
    }

    /** The first due time strictly after {@code t}; null if there is none. */
    public Instant nextAfter(Instant t) {
        ZonedDateTime next = cron.next(t.atZone(zone));
        return next == null ? null : next.toInstant();
    }

    /**
     * The latest due time at or before {@code now}, starting from a due time {@code due} that is not after it:
     * every fire missed while no server ran collapses into this one.
     */
    public Instant latestDue(Instant due, Instant now) {
        Instant latest = due;
        for (Instant next = nextAfter(due); next != null && !next.isAfter(now); next = nextAfter(next)) {
            latest = next;
        }
        return latest;
    }
}
