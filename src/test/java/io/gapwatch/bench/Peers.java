package io.gapwatch.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the same PostgreSQL cluster reaches without gapwatch: pgbench, and db-scheduler as the peer job queue. */
final class Peers {
    private final Cluster cluster;

    Peers(Cluster cluster) {
        this.cluster = cluster;
    }

    /** The cluster the benchmarks share: where it listens and where PostgreSQL's own tools are. */
    record Cluster(String host, int port, String user, String pgBin) {
        String jdbcUrl(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }

        Connection connect(String database) throws java.sql.SQLException {
            return DriverManager.getConnection(jdbcUrl(database), user, "");
        }
    }

    /** Creates and fills pgbench's tables (scale 10) in a database of their own. */
    void pgbenchInit() throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS pgbench");
            s.execute("CREATE DATABASE pgbench");
        }
        exec(List.of(cluster.pgBin() + "/pgbench", "-i", "-q", "-s", "10", "-h", cluster.host(), "-p",
                String.valueOf(cluster.port()), "-U", cluster.user(), "pgbench"));
    }

    /** {@code pgbench -N -c K -T seconds}: transactions per second, without the initial connection time. */
    double pgbench(int clients, int seconds) throws Exception {
        String out = exec(List.of(cluster.pgBin() + "/pgbench", "-N", "-c", String.valueOf(clients), "-j", "2",
                "-T", String.valueOf(seconds), "-h", cluster.host(), "-p", String.valueOf(cluster.port()),
                "-U", cluster.user(), "pgbench"));
        Matcher m = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)").matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /**
     * db-scheduler 16.7.1 with K threads on its own table in this cluster: {@code tasks} one-time no-op tasks, all
     * due now, scheduled before it starts; executions per second from its start to the last execution. Polling as
     * its documentation recommends for throughput (lock-and-fetch, immediate execution).
     */
    double dbScheduler(int threads, int tasks) throws Exception {
        try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS dbscheduler");
            s.execute("CREATE DATABASE dbscheduler");
        }
        try (Connection c = cluster.connect("dbscheduler"); Statement s = c.createStatement()) {
            // db-scheduler's PostgreSQL schema (its repository's postgresql_tables.sql)
            s.execute("""
                    CREATE TABLE scheduled_tasks (
                        task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,
                        execution_time timestamptz NOT NULL, picked boolean NOT NULL, picked_by text,
                        last_success timestamptz, last_failure timestamptz, consecutive_failures int,
                        last_heartbeat timestamptz, version bigint NOT NULL, priority smallint,
                        PRIMARY KEY (task_name, task_instance));
                    CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
                    CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
                    CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC, execution_time ASC)""");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(cluster.jdbcUrl("dbscheduler"));
        config.setUsername(cluster.user());
        config.setPassword("");
        config.setMaximumPoolSize(threads + 4);
        try (HikariDataSource ds = new HikariDataSource(config)) {
            CountDownLatch done = new CountDownLatch(tasks);
            OneTimeTask<Void> noop = Tasks.oneTime("noop").execute((instance, context) -> done.countDown());
            SchedulerClient client = SchedulerClient.Builder.create(ds, noop).build();
            List<TaskInstance<?>> instances = new ArrayList<>(tasks);
            for (int i = 0; i < tasks; i++) {
                instances.add(noop.instance("t" + i));
            }
            Instant now = Instant.now();
            for (int from = 0; from < tasks; from += 1000) {
                client.scheduleBatch(instances.subList(from, Math.min(tasks, from + 1000)), now);
            }
            Scheduler scheduler = Scheduler.create(ds, noop).threads(threads)
                    .pollingInterval(Duration.ofMillis(100))
                    .pollUsingLockAndFetch(0.5, 1.0)
                    .enableImmediateExecution()
                    .build();
            long start = System.nanoTime();
            scheduler.start();
            try {
                if (!done.await(10, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("db-scheduler: " + done.getCount() + " of " + tasks + " not executed in 10 min");
                }
                return tasks / ((System.nanoTime() - start) / 1e9);
            } finally {
                scheduler.stop();
            }
        }
    }

    static String exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out;
    }
}
