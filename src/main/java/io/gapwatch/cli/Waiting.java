package io.gapwatch.cli;

import java.io.PrintStream;
import java.time.Duration;

/**
 * While a command waits for work on the server: Ctrl-C stops the waiting, never the work. The JVM runs this hook
 * on SIGINT and exits 130; nothing here asks the server to cancel, and the hook says so.
 */
final class Waiting implements AutoCloseable {
    static final Duration POLL = Duration.ofMillis(250);

    private final Thread hook;

    Waiting(PrintStream err, String what, String howToFollow) {
        hook = new Thread(() -> {
            err.println();
            err.println("gapwatch: stopped waiting; " + what + " goes on on the server (not cancelled): " + howToFollow);
            err.flush();
        }, "gapwatch-stop-waiting");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    static void pause() throws InterruptedException {
        Thread.sleep(POLL.toMillis()); // the poll interval of a client waiting on the server, not a test budget
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: the user pressed Ctrl-C
        }
    }
}
