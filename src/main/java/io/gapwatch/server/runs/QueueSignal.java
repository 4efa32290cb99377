package io.gapwatch.server.runs;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The queue's doorbell. {@link #runQueued()} sends a PostgreSQL NOTIFY inside the caller's transaction, so
 * every server (this one included, through its {@link QueueListener}) hears of the run once it is committed,
 * and never of one rolled back. Within a server, {@link #wake()} and {@link #awaitChange} pass the ring on to
 * the lease dispatcher.
 */
@Component
public class QueueSignal {
    static final String CHANNEL = "gapwatch_queue";

    private final JdbcClient jdbc;
    private final Object monitor = new Object();
    private long generation;

    public QueueSignal(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A run was queued (or requeued) in the current transaction: tell every server when it commits. */
    public void runQueued() {
        jdbc.sql("NOTIFY " + CHANNEL).update();
    }

    /** Something may have changed in the queue (a notification, a new waiting agent): look again. */
    public void wake() {
        synchronized (monitor) {
            generation++;
            monitor.notifyAll();
        }
    }

    /**
     * Waits up to {@code millis} for a wake after generation {@code seen}; returns the generation now. A wake
     * that came while the caller was busy is not lost: it returns at once.
     */
    public long awaitChange(long seen, long millis) throws InterruptedException {
        synchronized (monitor) {
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (generation == seen) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    break;
                }
                monitor.wait(left);
            }
            return generation;
        }
    }
}
