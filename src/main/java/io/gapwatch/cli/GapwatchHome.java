package io.gapwatch.cli;

import java.nio.file.Path;

/**
 * Where gapwatch keeps its state on this machine: $GAPWATCH_HOME, else $HOME/.gapwatch. $HOME comes before
 * Java's user.home, which is read from the passwd entry and is /nonexistent for "nobody", as root appears
 * in the user namespace (unshare -U) that the embedded database runs in.
 */
public final class GapwatchHome {
    private GapwatchHome() {
    }

    public static Path path() {
        String env = System.getenv("GAPWATCH_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String home = System.getenv("HOME");
        return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".gapwatch");
    }
}
