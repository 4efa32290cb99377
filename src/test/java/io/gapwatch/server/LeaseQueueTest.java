package io.gapwatch.server;

import io.gapwatch.probe.ErrorKind;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.VerdictRules;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.server.agents.AgentRegistration;
import io.gapwatch.server.agents.AgentService;
import io.gapwatch.server.agents.Target;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.auth.Role;
import io.gapwatch.server.leases.Lease;
import io.gapwatch.server.leases.LeaseService;
import io.gapwatch.server.runs.CreateRunRequest;
import io.gapwatch.server.runs.RunEvent;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.runs.RunState;
import io.gapwatch.server.runs.RunView;
import io.gapwatch.server.support.ManualClock;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import io.gapwatch.server.web.ConflictException;
import io.gapwatch.server.web.ForbiddenException;
import io.gapwatch.server.web.InvalidRequestException;
import io.gapwatch.server.web.UnservableTargetException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lease queue against a real PostgreSQL, with the queue's clock in the test's hand: no sleeping. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "gapwatch.lease-duration=30s", "gapwatch.max-attempts=2", "gapwatch.reaper-interval=1h"})
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LeaseQueueTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @TestConfiguration
    static class Clock {
        @Bean
        @Primary
        ManualClock manualClock() {
            return new ManualClock();
        }
    }

    @Autowired
    ManualClock clock;
    @Autowired
    RunService runs;
    @Autowired
    AgentService agents;
    @Autowired
    LeaseService leases;
    @Autowired
    JdbcClient jdbc;
    @Autowired
    MeterRegistry meters;

    Caller.AgentCaller simAgent;
    Caller.AgentCaller labAgent;
    final Caller enroller = new Caller.TokenHolder(0, "test enrollment", Role.ENROLLMENT);

    @BeforeEach
    void registerAgents() {
        Tables.truncateAll(jdbc);
        simAgent = new Caller.AgentCaller(agents.register(enroller, new AgentRegistration("sim-1", "h1", "t",
                List.of(new Target("sim", SimKernel.KERNEL_RELEASE, "simulated", null, 0x1ff)))).id(), "sim-1");
        labAgent = new Caller.AgentCaller(agents.register(enroller, new AgentRegistration("lab-1", "h2", "t",
                List.of(new Target("lab", "6.12.117+deb12-amd64", "QEMU TCG", "tcg", null),
                        new Target("lab", "6.1.0-56-amd64", "QEMU TCG", "tcg", null)))).id(), "lab-1");
    }

    private long queue(String variant, String kernel, String backend) {
        return runs.create(new CreateRunRequest(variant, 10, 2, false,
                new CreateRunRequest.TargetRequest(null, kernel, backend))).id();
    }

    private Lease lease(Caller.AgentCaller agent) throws InterruptedException {
        return leases.leaseNow(agent, agent.agentId())
                .orElseThrow(() -> new AssertionError("no lease for agent " + agent.name()));
    }

    private static ProbeReport simReport(Variant variant, int iterations) {
        return SimReports.of(variant, 10, iterations);
    }

    @Test
    void a_run_is_leased_only_by_an_agent_with_a_matching_target() throws InterruptedException {
        long forB = queue("clock-realtime", "6.1.0-56-amd64", null);
        long sim = queue("clock-realtime", null, "sim");

        assertThat(leases.leaseNow(simAgent, simAgent.agentId())).hasValueSatisfying(l -> assertThat(l.run().id()).isEqualTo(sim));
        Lease lab = lease(labAgent);
        assertThat(lab.run().id()).isEqualTo(forB);
        assertThat(lab.run().kernelRelease()).isEqualTo("6.1.0-56-amd64");
        assertThat(leases.leaseNow(labAgent, labAgent.agentId())).isEmpty();
    }

    /**
     * The run that waited longest goes first, also when its row was written after younger ones (a requeued run
     * is rewritten, so PostgreSQL's physical order then puts it last): only the ORDER BY of the lease query
     * makes this pass.
     */
    @Test
    void the_oldest_queued_run_is_leased_first_even_when_it_was_requeued_after_younger_ones_were_queued()
            throws InterruptedException {
        long oldest = queue("clock-realtime", null, "sim");
        assertThat(lease(simAgent).run().id()).isEqualTo(oldest);
        long younger = queue("clock-realtime", null, "sim");
        long youngest = queue("clock-realtime", null, "sim");
        clock.advance(Duration.ofSeconds(31));
        leases.reap();
        assertThat(runs.get(oldest).state()).isEqualTo(RunState.QUEUED);
        // with fresh statistics PostgreSQL scans a table this small in physical order, not through an index
        // that happens to be in id order: the order is then the query's ORDER BY or nothing
        jdbc.sql("ANALYZE runs, targets").update();

        List<Long> order = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            leases.leaseNow(simAgent, simAgent.agentId()).ifPresent(l -> order.add(l.run().id()));
        }
        assertThat(order).as("runs in the order they were leased").containsExactly(oldest, younger, youngest);
    }

    @Test
    void an_agent_may_not_lease_for_another_nor_touch_another_agents_lease() throws InterruptedException {
        queue("clock-realtime", null, "sim");
        assertThatThrownBy(() -> leases.leaseNow(labAgent, simAgent.agentId())).isInstanceOf(ForbiddenException.class);
        Lease lease = lease(simAgent);

        assertThatThrownBy(() -> leases.heartbeat(labAgent, lease.token(), null, null)).isInstanceOf(ForbiddenException.class);
        assertThatThrownBy(() -> leases.report(labAgent, lease.token(), simReport(Variant.CLOCK_REALTIME, 2)))
                .isInstanceOf(ForbiddenException.class).hasMessageContaining("belongs to agent sim-1");
    }

    @Test
    void a_target_no_agent_serves_is_refused_when_the_run_is_created() {
        assertThatThrownBy(() -> queue("clock-realtime", "5.10.0-0-amd64", null))
                .isInstanceOf(UnservableTargetException.class).hasMessageContaining("5.10.0-0-amd64");
    }

    @Test
    void every_lease_gets_a_new_fencing_token_and_a_heartbeat_extends_it_on_the_server_clock() throws InterruptedException {
        queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        assertThat(lease.expiresAt()).as("until acknowledged, the lease-ack timeout").isEqualTo(clock.now().plusSeconds(15));

        clock.advance(Duration.ofSeconds(10));
        assertThat(leases.heartbeat(simAgent, lease.token(), null, null)).isEqualTo(clock.now().plusSeconds(30));
        assertThat(runs.get(lease.run().id()).state()).isEqualTo(RunState.RUNNING);

        clock.advance(Duration.ofSeconds(29));
        leases.reap();
        assertThat(runs.get(lease.run().id()).state()).isEqualTo(RunState.RUNNING);
    }

    @Test
    void an_expired_lease_is_requeued_and_the_late_result_of_its_old_token_is_refused() throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease first = lease(simAgent);
        leases.heartbeat(simAgent, first.token(), 0, null);

        clock.advance(Duration.ofSeconds(31));
        leases.reap();
        RunView requeued = runs.get(id);
        assertThat(requeued.state()).isEqualTo(RunState.QUEUED);
        assertThat(requeued.attempts()).isEqualTo(1);

        Lease second = lease(simAgent);
        assertThat(second.token()).isNotEqualTo(first.token());
        assertThatThrownBy(() -> leases.heartbeat(simAgent, first.token(), null, null)).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> leases.report(simAgent, first.token(), simReport(Variant.CLOCK_REALTIME, 2)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("not current");

        leases.report(simAgent, second.token(), simReport(Variant.CLOCK_REALTIME, 2));
        RunView done = runs.get(id);
        assertThat(done.verdict()).isEqualTo(Verdict.PASS);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.measurements()).hasSize(2);
        assertThat(done.events()).extracting(RunEvent::kind).containsExactly(RunEvent.Kind.CREATED,
                RunEvent.Kind.LEASED, RunEvent.Kind.LEASE_EXPIRED, RunEvent.Kind.REQUEUED, RunEvent.Kind.LEASED,
                RunEvent.Kind.RESULT_ACCEPTED);
    }

    @Test
    void a_result_after_expiry_but_before_the_reaper_ran_is_refused_too() throws InterruptedException {
        queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        clock.advance(Duration.ofSeconds(31));

        assertThatThrownBy(() -> leases.report(simAgent, lease.token(), simReport(Variant.CLOCK_REALTIME, 2)))
                .isInstanceOf(ConflictException.class).hasMessageContaining("expired");
    }

    @Test
    void a_heartbeat_after_expiry_but_before_the_reaper_ran_is_refused_and_does_not_revive_the_lease()
            throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        leases.heartbeat(simAgent, lease.token(), 0, null); // acknowledged: the run is RUNNING
        clock.advance(Duration.ofSeconds(31)); // expired on the server clock; the reaper (every hour here) has not run

        assertThatThrownBy(() -> leases.heartbeat(simAgent, lease.token(), 0, null)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("not current");
        leases.reap();
        RunView requeued = runs.get(id);
        assertThat(requeued.state()).isEqualTo(RunState.QUEUED);
        assertThat(requeued.events()).extracting(RunEvent::kind).contains(RunEvent.Kind.LEASE_EXPIRED, RunEvent.Kind.REQUEUED);
    }

    @Test
    void a_run_whose_leases_expire_max_attempts_times_ends_as_error_with_the_reason() throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        for (int attempt = 1; attempt <= 2; attempt++) {
            leases.heartbeat(simAgent, lease(simAgent).token(), 0, null);
            clock.advance(Duration.ofSeconds(31));
            leases.reap();
        }
        RunView run = runs.get(id);
        assertThat(run.state()).isEqualTo(RunState.COMPLETED);
        assertThat(run.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(run.error()).contains("lease expired 2 times").contains("sim-1");
        assertThat(leases.leaseNow(simAgent, simAgent.agentId())).isEmpty();
    }

    @Test
    void the_same_result_delivered_twice_is_stored_once() throws InterruptedException {
        long id = queue("clock-frozen", null, "sim");
        Lease lease = lease(simAgent);
        ProbeReport report = simReport(Variant.CLOCK_FROZEN, 2);

        leases.report(simAgent, lease.token(), report);
        leases.report(simAgent, lease.token(), report);

        assertThat(jdbc.sql("SELECT count(*) FROM measurements WHERE run_id = :id").param("id", id)
                .query(Long.class).single()).isEqualTo(2);
        RunView run = runs.get(id);
        assertThat(run.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(run.asExpected()).isTrue();
    }

    @Test
    void a_result_for_a_cancelled_run_is_refused_and_an_incomplete_pass_is_invalid() throws InterruptedException {
        long cancelled = queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        runs.cancel(cancelled);
        assertThatThrownBy(() -> leases.report(simAgent, lease.token(), simReport(Variant.CLOCK_REALTIME, 2)))
                .isInstanceOf(ConflictException.class);

        queue("clock-realtime", null, "sim");
        Lease next = lease(simAgent);
        assertThatThrownBy(() -> leases.report(simAgent, next.token(), simReport(Variant.CLOCK_REALTIME, 1)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("needs all 2 iterations");
    }

    @Test
    void a_fail_ended_by_the_kernel_refusing_a_restore_is_stored_with_its_reason_and_the_iterations_before_it()
            throws InterruptedException {
        long id = queue("clock-frozen", null, "sim");
        Lease lease = lease(simAgent);
        ProbeRequest request = new ProbeRequest(Variant.CLOCK_FROZEN, 10, 2, VerdictRules.defaults());
        String refusal = "the kernel refused the saved runstate in iteration 2 (KVM_XEN_VCPU_SET_ATTR(RUNSTATE_DATA) "
                + "failed: EINVAL (22)): its kvmclock, as restored, is earlier than the runstate's state_entry_time";
        ProbeReport measuredOne = simReport(Variant.CLOCK_FROZEN, 1);

        leases.report(simAgent, lease.token(), ProbeReport.refused(request, measuredOne.target(),
                measuredOne.clockPath(), refusal, measuredOne.measurements()));

        RunView run = runs.get(id);
        assertThat(run.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(run.asExpected()).isTrue();
        assertThat(run.error()).isEqualTo(refusal);
        assertThat(run.errorKind()).isNull();
        assertThat(run.measurements()).hasSize(1);
    }

    @Test
    void a_result_naming_another_kernel_or_backend_than_the_leased_target_is_refused_counted_and_not_stored()
            throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        ProbeReport honest = simReport(Variant.CLOCK_REALTIME, 2);
        double refusedBefore = refused("target-mismatch");

        assertThatThrownBy(() -> leases.report(simAgent, lease.token(),
                naming(honest, new TargetInfo("sim", "6.12.117+deb12-amd64", "simulated", null))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("target.kernelRelease");
        assertThatThrownBy(() -> leases.report(simAgent, lease.token(),
                naming(honest, new TargetInfo("kvm", SimKernel.KERNEL_RELEASE, "Intel", null))))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("target.backend");

        assertThat(refused("target-mismatch")).isEqualTo(refusedBefore + 2);
        RunView stillOpen = runs.get(id);
        assertThat(stillOpen.state()).isEqualTo(RunState.LEASED);
        assertThat(stillOpen.measurements()).isEmpty();

        leases.report(simAgent, lease.token(), honest);
        RunView done = runs.get(id);
        assertThat(done.verdict()).isEqualTo(Verdict.PASS);
        assertThat(done.target().kernelRelease()).isEqualTo(SimKernel.KERNEL_RELEASE);
        assertThat(done.target().backend()).isEqualTo("sim");
        assertThat(meters.find("gapwatch.runs.completed").tag("kernel", "6.12.117+deb12-amd64").counter()).isNull();
    }

    private double refused(String reason) {
        return meters.get("gapwatch.results.refused").tag("reason", reason).counter().count();
    }

    private static ProbeReport naming(ProbeReport r, TargetInfo target) {
        return r.withTarget(target);
    }

    private static ProbeReport infrastructureError(String why) {
        return ProbeReport.infrastructureError(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()),
                new TargetInfo("sim", SimKernel.KERNEL_RELEASE, null, null), why);
    }

    @Test
    void an_infrastructure_error_is_retried_up_to_max_attempts_and_every_attempt_stays_in_the_events()
            throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease first = lease(simAgent);
        leases.heartbeat(simAgent, first.token(), 0, null);

        leases.report(simAgent, first.token(), infrastructureError("the guest did not finish within 120 s"));
        RunView requeued = runs.get(id);
        assertThat(requeued.state()).isEqualTo(RunState.QUEUED);
        assertThat(requeued.verdict()).isNull();
        assertThat(requeued.attempts()).isEqualTo(1);

        Lease second = lease(simAgent);
        leases.heartbeat(simAgent, second.token(), 0, null);
        leases.report(simAgent, second.token(), infrastructureError("QEMU exited with 1"));
        RunView done = runs.get(id);
        assertThat(done.state()).isEqualTo(RunState.COMPLETED);
        assertThat(done.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(done.errorKind()).isEqualTo(ErrorKind.INFRASTRUCTURE);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.events()).extracting(RunEvent::kind).containsExactly(RunEvent.Kind.CREATED,
                RunEvent.Kind.LEASED, RunEvent.Kind.INFRASTRUCTURE_ERROR, RunEvent.Kind.REQUEUED,
                RunEvent.Kind.LEASED, RunEvent.Kind.INFRASTRUCTURE_ERROR, RunEvent.Kind.GAVE_UP, RunEvent.Kind.RESULT_ACCEPTED);
        assertThat(done.events()).filteredOn(e -> e.kind() == RunEvent.Kind.INFRASTRUCTURE_ERROR)
                .extracting(RunEvent::detail).satisfiesExactly(
                        d -> assertThat(d).contains("attempt 1 of 2").contains("did not finish"),
                        d -> assertThat(d).contains("attempt 2 of 2").contains("QEMU exited"));
        assertThatThrownBy(() -> leases.report(simAgent, first.token(), simReport(Variant.CLOCK_REALTIME, 2)))
                .isInstanceOf(ConflictException.class);
    }

    @Test
    void a_kernel_fail_a_skip_and_a_harness_error_are_final_and_never_re_run() throws InterruptedException {
        long frozen = queue("clock-frozen", null, "sim");
        Lease lease = lease(simAgent);
        leases.report(simAgent, lease.token(), simReport(Variant.CLOCK_FROZEN, 2));

        long guest = queue("clock-guest", null, "sim");
        lease = lease(simAgent);
        leases.report(simAgent, lease.token(), simReport(Variant.CLOCK_GUEST, 2));

        long broken = queue("clock-realtime", null, "sim");
        lease = lease(simAgent);
        leases.report(simAgent, lease.token(), ProbeReport.broken(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2,
                VerdictRules.defaults()), new TargetInfo("sim", SimKernel.KERNEL_RELEASE, null, null),
                "phase RESTORE: KVM_SET_CLOCK: EINVAL", List.of()));

        assertThat(runs.get(frozen).verdict()).isEqualTo(Verdict.FAIL);
        assertThat(runs.get(guest).verdict()).isEqualTo(Verdict.SKIP);
        RunView error = runs.get(broken);
        assertThat(error.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(error.errorKind()).isEqualTo(ErrorKind.HARNESS);
        for (long id : new long[]{frozen, guest, broken}) {
            assertThat(runs.get(id).state()).isEqualTo(RunState.COMPLETED);
            assertThat(runs.get(id).attempts()).isEqualTo(1);
        }
        assertThat(runs.get(frozen).errorKind()).isNull();
        assertThat(leases.leaseNow(simAgent, simAgent.agentId())).isEmpty();
    }

    @Test
    void a_heartbeat_says_what_the_run_waits_for_until_its_iterations_start() throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);

        leases.heartbeat(simAgent, lease.token(), 0, "building 6.12.117-gw-0123456789ab: 1234/5678 objects");
        assertThat(runs.get(id).progress()).isEqualTo("building 6.12.117-gw-0123456789ab: 1234/5678 objects");
        leases.heartbeat(simAgent, lease.token(), 1, null);
        assertThat(runs.get(id).progress()).as("iterations run: nothing is waited for").isNull();
        assertThatThrownBy(() -> leases.heartbeat(simAgent, lease.token(), 1, "x".repeat(501)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("progress");
    }

    @Test
    void heartbeats_say_how_far_the_run_has_got_and_an_impossible_count_is_refused() throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        Lease lease = lease(simAgent);
        assertThat(runs.get(id).iterationsDone()).isZero();

        leases.heartbeat(simAgent, lease.token(), 1, null);
        assertThat(runs.get(id).iterationsDone()).isEqualTo(1);
        leases.heartbeat(simAgent, lease.token(), null, null);
        assertThat(runs.get(id).iterationsDone()).isEqualTo(1);
        assertThatThrownBy(() -> leases.heartbeat(simAgent, lease.token(), 3, null))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("iterationsDone");

        leases.report(simAgent, lease.token(), simReport(Variant.CLOCK_REALTIME, 2));
        assertThat(runs.get(id).iterationsDone()).isEqualTo(2);
    }

    @Test
    void a_lease_never_acknowledged_returns_to_the_queue_without_costing_an_attempt() throws InterruptedException {
        long id = queue("clock-realtime", null, "sim");
        for (int ghost = 1; ghost <= 3; ghost++) {
            lease(simAgent); // handed to a long poll whose agent had already given up: no heartbeat follows
            clock.advance(Duration.ofSeconds(16));
            leases.reap();
            RunView back = runs.get(id);
            assertThat(back.state()).isEqualTo(RunState.QUEUED);
            assertThat(back.attempts()).isZero();
        }

        Lease real = lease(simAgent);
        leases.heartbeat(simAgent, real.token(), 0, null);
        leases.report(simAgent, real.token(), simReport(Variant.CLOCK_REALTIME, 2));
        RunView done = runs.get(id);
        assertThat(done.verdict()).isEqualTo(Verdict.PASS);
        assertThat(done.attempts()).isEqualTo(1);
        assertThat(done.events()).filteredOn(e -> e.kind() == RunEvent.Kind.LEASE_EXPIRED).hasSize(3)
                .allSatisfy(e -> assertThat(e.detail()).contains("never acknowledged"));
    }
}
