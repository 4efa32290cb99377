package io.gapwatch.server;

import io.gapwatch.server.support.Fleet;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fleet rollout starts several server replicas at once on an empty database (the Helm chart's default is two):
 * they take turns on Flyway's lock, both come up, and every migration is applied exactly once.
 */
class ReplicasStartTogetherTest {
    static final String ENROLLMENT_TOKEN = "gw_e_fleet-enrollment-token-from-a-secret";
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void twoServersStartedTogetherOnAnEmptyDatabaseBothComeUpAndMigrateOnce() throws Exception {
        String url = TestDatabase.createDatabase("replicas_start_together");
        try (Fleet fleet = new Fleet(dir)) {
            int portA = Fleet.freePort();
            int portB = Fleet.freePort();
            // as the chart starts them: both with the enrollment token of the same Secret
            var a = CompletableFuture.supplyAsync(() -> start(fleet, "replica-a", portA, url));
            var b = CompletableFuture.supplyAsync(() -> start(fleet, "replica-b", portB, url));
            assertThat(a.get().isAlive()).as("replica a is up").isTrue();
            assertThat(b.get().isAlive()).as("replica b is up").isTrue();

            try (var c = DriverManager.getConnection(url, TestDatabase.user(), TestDatabase.password());
                 var rs = c.createStatement().executeQuery(
                         "SELECT version, count(*), bool_and(success) FROM flyway_schema_history WHERE version IS NOT NULL "
                                 + "GROUP BY version ORDER BY version")) {
                List<String> applied = new ArrayList<>();
                while (rs.next()) {
                    assertThat(rs.getInt(2)).as("migration V%s applied", rs.getString(1)).isEqualTo(1);
                    assertThat(rs.getBoolean(3)).as("migration V%s succeeded", rs.getString(1)).isTrue();
                    applied.add(rs.getString(1));
                }
                System.out.printf("replicas started together: both up, migrations applied once each: %s%n", applied);
                assertThat(applied).contains("1", "2");
            }

            // the configured enrollment token is recorded once and enrolls an agent through either replica
            for (int port : new int[]{portA, portB}) {
                var registered = new Http("http://127.0.0.1:" + port, ENROLLMENT_TOKEN).post("/api/v1/agents",
                        "{\"name\":\"node-" + port + "\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"sim:6.12-model\"}]}");
                assertThat(registered.status()).as(registered.body()).isIn(200, 201);
            }
            try (var c = DriverManager.getConnection(url, TestDatabase.user(), TestDatabase.password());
                 var rs = c.createStatement().executeQuery("SELECT count(*) FROM api_tokens WHERE role = 'enrollment'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("enrollment tokens recorded").isEqualTo(1);
            }
        }
    }

    private static Process start(Fleet fleet, String name, int port, String url) {
        try {
            return fleet.server(name, port, url, Map.of("GAPWATCH_ENROLLMENT_TOKEN", ENROLLMENT_TOKEN));
        } catch (Exception e) {
            throw new IllegalStateException(name + " did not start", e);
        }
    }
}
