package io.gapwatch.cli;

import java.io.PrintStream;

/**
 * Progress on stderr. On a terminal one line redrawn in place (state, iteration i of n, elapsed); elsewhere (a CI
 * log) one line each time what it says changes, elapsed time aside.
 */
final class Progress {
    private final PrintStream err;
    private final boolean terminal;
    private String last;
    private boolean drawn;

    Progress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    /** @param state what the line says without the elapsed time: a new line is printed off-terminal when it changes */
    void show(String state, double elapsedSeconds) {
        if (terminal) {
            err.print("\r\033[K" + state + String.format(java.util.Locale.ROOT, "  %.1f s", elapsedSeconds));
            err.flush();
            drawn = true;
        } else if (!state.equals(last)) {
            err.println(state);
        }
        last = state;
    }

    /** Leaves the redrawn line standing. */
    void end() {
        if (drawn) {
            err.println();
            drawn = false;
        }
    }
}
