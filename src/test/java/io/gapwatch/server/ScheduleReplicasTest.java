package io.gapwatch.server;

import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.server.agents.AgentRegistration;
import io.gapwatch.server.agents.AgentService;
import io.gapwatch.server.agents.Target;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.auth.Role;
import io.gapwatch.server.schedules.ScheduleFire;
import io.gapwatch.server.schedules.ScheduleFireRepository;
import io.gapwatch.server.schedules.ScheduleFirer;
import io.gapwatch.server.schedules.ScheduleRequest;
import io.gapwatch.server.schedules.ScheduleService;
import io.gapwatch.server.schedules.ScheduleView;
import io.gapwatch.server.support.ManualClock;
import io.gapwatch.server.support.TestDatabase;
import io.gapwatch.server.sweeps.MatrixRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server replicas on one database, their clock in the test's hand (no sleeping through minutes): a schedule
 * fires exactly once per due time however the replicas race, and a due time missed while every server was down
 * fires once at the next start.
 */
class ScheduleReplicasTest {
    /** Each test has a database of its own, so its clock may start where the test likes. */
    private static final Instant START = Instant.parse("2026-11-25T12:00:00Z");
    private static final MatrixRequest ONE_RUN = new MatrixRequest(List.of(SimKernel.KERNEL_RELEASE), null,
            List.of("clock-realtime"), List.of(10), 1, 1, false);

    /** A server without HTTP, on the given database, whose every clock reading is {@code clock}'s. */
    private static ConfigurableApplicationContext replica(String url, ManualClock clock) {
        return new SpringApplicationBuilder(GapwatchServer.class)
                .initializers(ctx -> ((GenericApplicationContext) ctx).registerBean("manualClock", ServerClock.class,
                        () -> clock, bd -> bd.setPrimary(true)))
                .run("--spring.datasource.url=" + url, "--spring.datasource.username=" + TestDatabase.user(),
                        "--spring.datasource.password=" + TestDatabase.password(), "--spring.main.web-application-type=none",
                        // only the test fires, except for the one round every replica makes as it starts
                        "--gapwatch.schedules.check-interval=1h", "--gapwatch.sweeps.check-interval=1h",
                        "--gapwatch.reaper-interval=1h", "--logging.level.root=WARN");
    }

    private static void registerSimAgent(ConfigurableApplicationContext server) {
        server.getBean(AgentService.class).register(new Caller.TokenHolder(0, "test enrollment", Role.ENROLLMENT),
                new AgentRegistration("sim-1", "h1", "t", List.of(new Target("sim", SimKernel.KERNEL_RELEASE, "simulated", null, 0x1ff))));
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void two_replicas_racing_fire_each_due_time_exactly_once() throws Exception {
        String url = TestDatabase.createDatabase("schedule_replicas");
        ManualClock clock = new ManualClock(START);
        ExecutorService racers = Executors.newFixedThreadPool(2);
        try (ConfigurableApplicationContext a = replica(url, clock); ConfigurableApplicationContext b = replica(url, clock)) {
            registerSimAgent(a);
            ScheduleView schedule = a.getBean(ScheduleService.class)
                    .create(new ScheduleRequest("every-5-min", "*/5 * * * *", "UTC", ONE_RUN, null, true));
            assertThat(schedule.nextFireAt()).isEqualTo(Instant.parse("2026-11-25T12:05:00Z"));
            List<ScheduleFirer> firers = List.of(a.getBean(ScheduleFirer.class), b.getBean(ScheduleFirer.class));
            ScheduleFireRepository fires = a.getBean(ScheduleFireRepository.class);

            List<ScheduleFire> fired = Collections.synchronizedList(new ArrayList<>());
            int dueTimes = 12;
            for (int i = 0; i < dueTimes; i++) {
                clock.advance(Duration.ofMinutes(5)); // exactly the next due time
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> rounds = new ArrayList<>();
                for (ScheduleFirer firer : firers) {
                    rounds.add(racers.submit(() -> {
                        go.await();
                        for (int round = 0; round < 3; round++) {
                            fired.addAll(firer.fireDue());
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> round : rounds) {
                    round.get(2, TimeUnit.MINUTES);
                }
                // a replica's own polling round may hold the schedule (the racers skip it): wait for its fire
                Instant due = START.plus(Duration.ofMinutes(5L * (i + 1)));
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (fires.forSchedule(schedule.id()).stream().noneMatch(f -> f.dueAt().equals(due))) {
                    assertThat(System.nanoTime()).as("due time " + due + " is fired by a replica").isLessThan(deadline);
                    Thread.sleep(20);
                }
            }

            List<ScheduleFire> stored = fires.forSchedule(schedule.id());
            System.out.printf("schedule replicas: 2 replicas x 3 rounds x %d due times: %d fires made by the racers, %d stored%n",
                    dueTimes, fired.size(), stored.size());
            assertThat(fired).extracting(ScheduleFire::dueAt).as("no due time fired twice").doesNotHaveDuplicates();
            assertThat(stored).extracting(ScheduleFire::dueAt).containsExactlyElementsOf(
                    java.util.stream.IntStream.rangeClosed(1, dueTimes)
                            .mapToObj(k -> START.plus(Duration.ofMinutes(5L * k))).toList());
            assertThat(stored).allSatisfy(f -> assertThat(f.sweepId()).as(f.outcome()).isNotNull());
            JdbcClient jdbc = a.getBean(JdbcClient.class);
            assertThat(jdbc.sql("SELECT count(DISTINCT due_at) FROM sweeps WHERE schedule_id = :id").param("id", schedule.id())
                    .query(Long.class).single()).isEqualTo(dueTimes);
            assertThat(jdbc.sql("SELECT count(*) FROM sweeps WHERE schedule_id = :id").param("id", schedule.id())
                    .query(Long.class).single()).isEqualTo(dueTimes);
        } finally {
            racers.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void a_due_time_missed_while_every_server_was_down_fires_once_at_the_next_start() throws InterruptedException {
        String url = TestDatabase.createDatabase("schedule_missed");
        ManualClock clock = new ManualClock(START);
        long id;
        try (ConfigurableApplicationContext before = replica(url, clock)) {
            registerSimAgent(before);
            id = before.getBean(ScheduleService.class)
                    .create(new ScheduleRequest("nightly-test", "0 2 * * *", "UTC", ONE_RUN, null, true)).id();
        }
        clock.advance(Duration.ofDays(3)); // the nights of the 26th, 27th and 28th pass with no server running

        try (ConfigurableApplicationContext after = replica(url, clock)) {
            ScheduleFireRepository fires = after.getBean(ScheduleFireRepository.class);
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (fires.forSchedule(id).isEmpty()) {
                assertThat(System.nanoTime()).as("the restarted server fires the missed schedule as it starts").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(after.getBean(ScheduleFirer.class).fireDue()).as("nothing is left to fire").isEmpty();

            List<ScheduleFire> stored = fires.forSchedule(id);
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).dueAt()).isEqualTo(Instant.parse("2026-11-28T02:00:00Z"));
            assertThat(stored.get(0).firedAt()).isEqualTo(Instant.parse("2026-11-28T12:00:00Z"));
            assertThat(stored.get(0).sweepId()).isNotNull();
            assertThat(stored.get(0).outcome()).contains("fired once");
            assertThat(after.getBean(ScheduleService.class).get(id).nextFireAt()).isEqualTo(Instant.parse("2026-11-29T02:00:00Z"));
        }
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void the_shipped_nightly_schedule_waits_disabled_and_a_fire_without_targets_starts_no_sweep() {
        String url = TestDatabase.createDatabase("schedule_shipped");
        ManualClock clock = new ManualClock(START);
        try (ConfigurableApplicationContext server = replica(url, clock)) {
            ScheduleService schedules = server.getBean(ScheduleService.class);
            ScheduleView nightly = schedules.list().get(0);
            assertThat(nightly.name()).isEqualTo("nightly");
            assertThat(nightly.cron()).isEqualTo("0 2 * * *");
            assertThat(nightly.enabled()).isFalse();
            assertThat(nightly.nextFireAt()).isNull();
            assertThat(nightly.baseline().previousSweep()).isTrue();
            assertThat(nightly.matrix().kernels()).as("every kernel the agents serve").isNull();

            ScheduleView enabled = schedules.update(nightly.id(), new ScheduleRequest(null, null, null, null, null, true));
            assertThat(enabled.nextFireAt()).isEqualTo(Instant.parse("2026-11-26T02:00:00Z"));
            clock.advance(Duration.ofDays(1));
            List<ScheduleFire> fired = server.getBean(ScheduleFirer.class).fireDue();

            assertThat(fired).hasSize(1);
            assertThat(fired.get(0).sweepId()).isNull();
            assertThat(fired.get(0).outcome()).contains("no sweep: no registered agent serves any kernel");
            assertThat(server.getBean(JdbcClient.class).sql("SELECT count(*) FROM sweeps").query(Long.class).single()).isZero();
        }
    }
}
