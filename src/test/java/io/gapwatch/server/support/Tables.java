package io.gapwatch.server.support;

import org.springframework.jdbc.core.simple.JdbcClient;

/** Every test starts from empty tables. */
public final class Tables {
    private Tables() {
    }

    public static void truncateAll(JdbcClient jdbc) {
        jdbc.sql("TRUNCATE run_events, measurements, runs, targets, agents RESTART IDENTITY CASCADE").update();
    }
}
