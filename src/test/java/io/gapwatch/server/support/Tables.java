package io.gapwatch.server.support;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Every test starts from empty tables (the shipped nightly schedule included). */
public final class Tables {
    private Tables() {
    }

    /**
     * Empties the run, sweep, schedule and agent tables. Spring keeps the contexts of earlier test classes alive, and their
     * lease reapers may hold row locks at this moment: a deadlock here is retried, not a test failure.
     * Identities are not restarted: an earlier class's agent may still have a long-poll lease request waiting
     * in its (cached) server, and with a reused agent id it would lease this class's runs.
     */
    public static void truncateAll(JdbcClient jdbc) {
        for (int attempt = 1; ; attempt++) {
            try {
                jdbc.sql("TRUNCATE bisection_steps, bisections, regression_runs, regressions, sweep_analyses, run_events, measurements, series, runs, sweeps, schedule_fires, schedules, targets, agents CASCADE").update();
                return;
            } catch (PessimisticLockingFailureException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }
}
