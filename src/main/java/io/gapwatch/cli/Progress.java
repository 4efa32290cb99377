package io.gapwatch.cli;

import java.io.PrintStream;

/**
 * Progress on stderr. On a terminal one line redrawn in place (state, iteration i of n, elapsed); elsewhere (a CI
 * log) one line each time what it says changes, elapsed time aside.
 */
public final class Progress {
    private final PrintStream err;
    private final boolean terminal;
    private String last;
    private boolean drawn;

    public Progress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /**
     * @param state  the state the line reports: off a terminal a new line is printed when it changes
     * @param detail how far within the state (e.g. ", iteration 2 of 5"): shown on a terminal only
     */
    public void show(String state, String detail, double elapsedSeconds) {
        if (terminal) {
            err.print("\r\033[K" + state + detail + String.format(java.util.Locale.ROOT, "  %.1f s", elapsedSeconds));
            err.flush();
            drawn = true;
        } else if (!state.equals(last)) {
            err.println(state);
        }
        last = state;
    }

    /** Leaves the redrawn line standing. */
    public void end() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
