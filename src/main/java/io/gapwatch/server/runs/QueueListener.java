package io.gapwatch.server.runs;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * LISTENs on the queue's channel with one connection per server and rings {@link QueueSignal#wake()} on every
 * notification. Waiting for notifications reads the socket only: no query, no transaction. When the database
 * goes away it reconnects, and wakes the dispatcher on reconnecting (notifications sent meanwhile are lost).
 */
@Component
class QueueListener implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(QueueListener.class);
    private static final int RECEIVE_MILLIS = 1000;
    private static final long RECONNECT_MILLIS = 2000;

    private final DataSource dataSource;
    private final QueueSignal signal;
    private volatile boolean running;
    private Thread thread;

    QueueListener(DataSource dataSource, QueueSignal signal) {
        this.dataSource = dataSource;
        this.signal = signal;
    }

    @Override
    public void start() {
        running = true;
        thread = new Thread(this::listen, "queue-listener");
        thread.setDaemon(true);
        thread.start();
    }

    /** Returns once the connection is back in the pool (within a receive timeout), before the pool closes. */
    @Override
    public void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(2 * RECEIVE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    private void listen() {
        boolean warned = false;
        while (running) {
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + QueueSignal.CHANNEL);
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
                PGConnection pg = connection.unwrap(PGConnection.class);
                if (warned) {
                    log.info("queue listener: listening again");
                    warned = false;
                }
                signal.wake();
                while (running) {
                    PGNotification[] notifications = pg.getNotifications(RECEIVE_MILLIS);
                    if (notifications != null && notifications.length > 0) {
                        signal.wake();
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (running && !warned) {
                    log.warn("queue listener: {}; waiting agents fall back to polling until it reconnects", e.getMessage());
                    warned = true;
                }
                sleep();
            }
        }
    }

    private void sleep() {
        try {
            Thread.sleep(RECONNECT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
