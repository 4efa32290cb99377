package io.gapwatch.server;

import org.springframework.jdbc.core.simple.JdbcClient;

import java.time.Instant;
import java.time.OffsetDateTime;

/** The database's clock_timestamp(): one time source for all servers sharing the database. */
public final class DatabaseClock implements ServerClock {
    private final JdbcClient jdbc;

    public DatabaseClock(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public Instant now() {
        return jdbc.sql("SELECT clock_timestamp()").query(OffsetDateTime.class).single().toInstant();
    }
}
