package io.gapwatch.server.runs;

import org.springframework.stereotype.Component;

/**
 * Wakes lease requests waiting in this process when a run is queued, so a long poll answers at once
 * instead of at its next look; waiters still look at the database on their own (other servers queue runs too).
 */
@Component
public class QueueSignal {
    private final Object monitor = new Object();
    private long generation;

    public void runQueued() {
        synchronized (monitor) {
            generation++;
            monitor.notifyAll();
        }
    }

    /** Waits up to {@code millis} for a run to be queued in this process. */
    public void await(long millis) throws InterruptedException {
        synchronized (monitor) {
            long seen = generation;
            long deadline = System.nanoTime() + millis * 1_000_000L;
            while (generation == seen) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return;
                }
                monitor.wait(left);
            }
        }
    }
}
