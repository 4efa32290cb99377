package io.gapwatch.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** The embedded default keeps its data under $GAPWATCH_HOME across restarts. */
class EmbeddedDatabaseTest {

    @Test
    void data_written_before_a_restart_is_there_after_it(@TempDir Path home) throws SQLException {
        try (EmbeddedDatabase db = EmbeddedDatabase.start(home); Connection c = connect(db)) {
            c.createStatement().execute("CREATE TABLE kept (v text)");
            c.createStatement().execute("INSERT INTO kept VALUES ('before restart')");
        }
        try (EmbeddedDatabase db = EmbeddedDatabase.start(home); Connection c = connect(db);
             ResultSet rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("before restart");
        }
        assertThat(home.resolve("pgdata").resolve("PG_VERSION")).exists();
    }

    private static Connection connect(EmbeddedDatabase db) throws SQLException {
        var p = db.springProperties();
        return DriverManager.getConnection((String) p.get("gapwatch.embedded.url"), (String) p.get("gapwatch.embedded.user"), "");
    }
}
