package io.gapwatch.server;

import io.gapwatch.probe.ClockPath;
import io.gapwatch.probe.FakeHostClock;
import io.gapwatch.probe.Probe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.ProbeRequest;
import io.gapwatch.probe.Variant;
import io.gapwatch.probe.Verdict;
import io.gapwatch.probe.VerdictRules;
import io.gapwatch.probe.sim.SimFaults;
import io.gapwatch.probe.sim.SimKernel;
import io.gapwatch.server.agents.AgentRegistration;
import io.gapwatch.server.agents.AgentService;
import io.gapwatch.server.agents.Target;
import io.gapwatch.server.auth.Caller;
import io.gapwatch.server.auth.Role;
import io.gapwatch.server.leases.Lease;
import io.gapwatch.server.leases.LeaseService;
import io.gapwatch.server.runs.CreateRunRequest;
import io.gapwatch.server.runs.RunService;
import io.gapwatch.server.runs.RunView;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What the probe records about how it measured survives the database: the clock path, an unknown run_delay. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "gapwatch.reaper-interval=1h")
@DirtiesContext // closed after the class: no reaper of its own runs on the shared database during later test classes
class ProbeResultStorageTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @Autowired
    RunService runs;
    @Autowired
    AgentService agents;
    @Autowired
    LeaseService leases;
    @Autowired
    JdbcClient jdbc;

    @Test
    void a_pre_5_16_run_keeps_its_clock_path_and_an_unreadable_run_delay_stays_null() throws InterruptedException {
        Tables.truncateAll(jdbc);
        Caller enroller = new Caller.TokenHolder(0, "test enrollment", Role.ENROLLMENT);
        Caller.AgentCaller agent = new Caller.AgentCaller(agents.register(enroller, new AgentRegistration("sim-515", "h",
                "t", List.of(new Target("sim", SimKernel.KERNEL_RELEASE_PRE_5_16, "simulated", null, 0xf)))).id(), "sim-515");
        long id = runs.create(new CreateRunRequest("clock-realtime", 10, 2, false,
                new CreateRunRequest.TargetRequest(null, SimKernel.KERNEL_RELEASE_PRE_5_16, "sim"))).id();
        Lease lease = leases.leaseNow(agent, agent.agentId())
                .orElseThrow(() -> new AssertionError("no lease for the 5.15 sim agent"));
        FakeHostClock clock = new FakeHostClock(1_000);
        clock.hideRunDelay();
        ProbeReport report = new Probe(new SimKernel(clock, SimFaults.parse("pre-5.16")), clock)
                .run(new ProbeRequest(Variant.CLOCK_REALTIME, 10, 2, VerdictRules.defaults()));

        leases.report(agent, lease.token(), report);

        RunView run = runs.get(id);
        assertThat(run.verdict()).isEqualTo(Verdict.PASS);
        assertThat(run.clockPath()).isEqualTo(ClockPath.ELAPSED_MONOTONIC);
        assertThat(run.measurements()).hasSize(2).allSatisfy(m -> assertThat(m.hostRunDelayNs()).isNull());
        assertThat(jdbc.sql("SELECT count(*) FROM measurements WHERE run_id = :id AND host_run_delay_ns IS NULL")
                .param("id", id).query(Long.class).single()).isEqualTo(2);
    }
}
