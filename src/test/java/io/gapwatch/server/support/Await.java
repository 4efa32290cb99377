package io.gapwatch.server.support;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Waiting for an event, with a bound: polls until the condition holds, or fails naming what it waited for,
 * how long, and what it saw last. The bounds are generous (a slow or busy machine is slow, not wrong); the
 * test goes on the moment the event happens.
 */
public final class Await {
    private static final Duration POLL = Duration.ofMillis(100);

    private Await() {
    }

    /** Waits until {@code probe} gives a value; returns it. */
    public static <T> T until(String what, Duration within, Supplier<Optional<T>> probe) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + within.toSeconds() + " s for " + what + ", in vain");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /** Waits until {@code condition} holds; {@code lastSeen} describes the state when it did not, for the failure. */
    public static void until(String what, Duration within, Supplier<Boolean> condition, Supplier<String> lastSeen)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + within.toSeconds() + " s for " + what + "; last seen: " + lastSeen.get());
            }
            Thread.sleep(POLL.toMillis());
        }
    }
}
