package io.gapwatch.server.schedules;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Standard 5-field cron in a time zone, through Spring's CronExpression. */
class CronScheduleTest {

    @Test
    void a_nightly_expression_is_due_at_two_every_night_in_its_zone() {
        CronSchedule utc = CronSchedule.parse("0 2 * * *", "UTC");
        assertThat(utc.nextAfter(Instant.parse("2026-11-25T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-26T02:00:00Z"));
        assertThat(utc.nextAfter(Instant.parse("2026-11-26T02:00:00Z"))).isEqualTo(Instant.parse("2026-11-27T02:00:00Z"));

        CronSchedule berlin = CronSchedule.parse("0 2 * * *", "Europe/Berlin");
        assertThat(berlin.nextAfter(Instant.parse("2026-11-25T12:00:00Z"))).isEqualTo(Instant.parse("2026-11-26T01:00:00Z"));
        // summer time: 02:00 in Berlin is 00:00 UTC
        assertThat(berlin.nextAfter(Instant.parse("2026-07-01T12:00:00Z"))).isEqualTo(Instant.parse("2026-07-02T00:00:00Z"));
    }

    @Test
    void every_missed_due_time_collapses_into_the_latest_one() {
        CronSchedule nightly = CronSchedule.parse("0 2 * * *", "UTC");
        Instant firstMissed = Instant.parse("2026-11-20T02:00:00Z");

        assertThat(nightly.latestDue(firstMissed, Instant.parse("2026-11-25T09:30:00Z"))).isEqualTo(Instant.parse("2026-11-25T02:00:00Z"));
        assertThat(nightly.latestDue(firstMissed, Instant.parse("2026-11-20T02:00:00Z"))).isEqualTo(firstMissed);
        assertThat(nightly.latestDue(firstMissed, Instant.parse("2026-11-21T01:59:59Z"))).isEqualTo(firstMissed);
    }

    @Test
    void ranges_steps_names_and_extra_spaces_are_understood() {
        CronSchedule s = CronSchedule.parse(" */15  9-17 * * MON-FRI ", "UTC");
        assertThat(s.expression()).isEqualTo("*/15 9-17 * * MON-FRI");
        // 2026-11-27 is a Friday: after 17:45 the next is Monday 09:00
        assertThat(s.nextAfter(Instant.parse("2026-11-27T17:45:00Z"))).isEqualTo(Instant.parse("2026-11-30T09:00:00Z"));
    }

    @Test
    void anything_but_five_valid_fields_in_a_real_zone_is_refused_naming_the_field() {
        assertThatThrownBy(() -> CronSchedule.parse("0 0 2 * * *", "UTC")).hasMessageContaining("5 fields")
                .extracting(e -> ((CronSchedule.InvalidCronException) e).field()).isEqualTo("cron");
        assertThatThrownBy(() -> CronSchedule.parse("@daily", "UTC")).hasMessageContaining("5 fields");
        assertThatThrownBy(() -> CronSchedule.parse("61 2 * * *", "UTC")).hasMessageContaining("not a valid cron expression");
        assertThatThrownBy(() -> CronSchedule.parse("0 2 30 2 *", "UTC")).hasMessageContaining("never fires");
        assertThatThrownBy(() -> CronSchedule.parse("", "UTC")).hasMessageContaining("is required");
        assertThatThrownBy(() -> CronSchedule.parse("0 2 * * *", "Mars/Olympus"))
                .extracting(e -> ((CronSchedule.InvalidCronException) e).field()).isEqualTo("timeZone");
    }
}
