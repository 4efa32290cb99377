package io.gapwatch.server;

import io.gapwatch.server.support.Processes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The embedded default: its data survives restarts, nobody gets in without the password it keeps in
 * $GAPWATCH_HOME, and a start copes with what an older or a killed gapwatch left behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EmbeddedDatabaseTest {
    private final List<String> said = new ArrayList<>();

    @Test
    void data_written_before_a_restart_is_there_after_it(@TempDir Path home) throws SQLException {
        try (EmbeddedDatabase db = start(home); Connection c = connect(db)) {
            c.createStatement().execute("CREATE TABLE kept (v text)");
            c.createStatement().execute("INSERT INTO kept VALUES ('before restart')");
        }
        try (EmbeddedDatabase db = start(home); Connection c = connect(db)) {
            assertThat(query(c, "SELECT v FROM kept")).isEqualTo("before restart");
        }
        assertThat(home.resolve("pgdata").resolve("PG_VERSION")).exists();
        assertThat(said).as("a normal restart has nothing to report").isEmpty();
    }

    @Test
    void only_the_password_kept_in_a_0600_file_gets_in_and_only_over_loopback(@TempDir Path home) throws Exception {
        try (EmbeddedDatabase db = start(home); Connection c = connect(db)) {
            Path passwordFile = home.resolve("db.password");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
            assertThat(Files.readString(passwordFile).trim()).isEqualTo(db.springProperties().get("gapwatch.embedded.password"));

            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), "postgres", "")).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), "postgres", "wrong"))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(query(c, "SHOW listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(query(c, "SHOW unix_socket_directories")).as("no socket for local users to come in by").isEmpty();
            assertThat(query(c, "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules")).isEqualTo("scram-sha-256");
        }
    }

    @Test
    void the_server_keeps_durability_on_and_the_demo_trades_fsync_for_speed(@TempDir Path home) throws SQLException {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(home, EmbeddedDatabase.Durability.DURABLE, said::add);
             Connection c = connect(db)) {
            assertThat(query(c, "SHOW fsync")).isEqualTo("on");
            assertThat(query(c, "SHOW synchronous_commit")).isEqualTo("on");
            assertThat(query(c, "SHOW full_page_writes")).isEqualTo("on");
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.start(home, EmbeddedDatabase.Durability.FAST, said::add);
             Connection c = connect(db)) {
            assertThat(query(c, "SHOW fsync")).isEqualTo("off");
            assertThat(query(c, "SHOW synchronous_commit")).as("a commit still reaches the OS before it is acknowledged").isEqualTo("on");
        }
    }

    @Test
    void a_data_directory_of_an_older_gapwatch_that_trusted_every_local_user_now_asks_for_the_password(@TempDir Path home)
            throws Exception {
        EmbeddedPostgres old = olderGapwatch(home);
        try (Connection c = old.getPostgresDatabase().getConnection()) {
            c.createStatement().execute("CREATE TABLE kept (v text)");
            c.createStatement().execute("INSERT INTO kept VALUES ('from the older gapwatch')");
        }
        old.close();

        try (EmbeddedDatabase db = start(home); Connection c = connect(db)) {
            assertThat(query(c, "SELECT v FROM kept")).isEqualTo("from the older gapwatch");
            assertThatThrownBy(() -> DriverManager.getConnection(db.jdbcUrl(), "postgres", "")).isInstanceOf(SQLException.class);
            assertThat(query(c, "SELECT string_agg(DISTINCT auth_method, ',') FROM pg_hba_file_rules")).isEqualTo("scram-sha-256");
        }
        assertThat(said).singleElement().asString().contains("password logins only", "trusted every local user before");
    }

    @Test
    void a_postgres_left_running_by_a_killed_gapwatch_is_stopped_at_the_next_start(@TempDir Path home) throws Exception {
        olderGapwatch(home); // never closed: its PostgreSQL runs on, as after a SIGKILL of the older gapwatch
        long orphan = Long.parseLong(Files.readAllLines(home.resolve("pgdata").resolve("postmaster.pid")).get(0).trim());
        assertThat(ProcessHandle.of(orphan)).as("the leftover PostgreSQL runs").isPresent();

        try (EmbeddedDatabase db = start(home); Connection c = connect(db)) {
            assertThat(query(c, "SELECT 'started'")).isEqualTo("started");
        }
        assertThat(Processes.awaitGone(orphan, Duration.ofSeconds(30))).as("the leftover PostgreSQL pid %d is gone", orphan).isTrue();
        assertThat(said).anySatisfy(line -> assertThat(line).contains("stopped PostgreSQL pid " + orphan, "did not stop"));
    }

    @Test
    void a_second_gapwatch_on_the_same_home_is_refused_and_the_first_goes_on(@TempDir Path home) throws SQLException {
        try (EmbeddedDatabase first = start(home)) {
            assertThatThrownBy(() -> start(home)).hasMessageContaining("another gapwatch runs the embedded PostgreSQL");
            try (Connection c = connect(first)) {
                assertThat(query(c, "SELECT 'still here'")).isEqualTo("still here");
            }
        }
    }

    /** A home as the gapwatch before this one made it: zonky's EmbeddedPostgres, initialised with trust. */
    private static EmbeddedPostgres olderGapwatch(Path home) throws Exception {
        return EmbeddedPostgres.builder().setDataDirectory(home.resolve("pgdata")).setCleanDataDirectory(false)
                .setOverrideWorkingDirectory(home.resolve("pgbin").toFile()).setRegisterShutdownHook(false).start();
    }

    private EmbeddedDatabase start(Path home) {
        return EmbeddedDatabase.start(home, EmbeddedDatabase.Durability.DURABLE, said::add);
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(1);
        }
    }

    private static Connection connect(EmbeddedDatabase db) throws SQLException {
        var p = db.springProperties();
        return DriverManager.getConnection((String) p.get("gapwatch.embedded.url"), (String) p.get("gapwatch.embedded.user"),
                (String) p.get("gapwatch.embedded.password"));
    }
}
