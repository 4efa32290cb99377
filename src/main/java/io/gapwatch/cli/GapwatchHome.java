package io.gapwatch.cli;

import java.nio.file.Path;

/** Where gapwatch keeps its state on this machine: $GAPWATCH_HOME, by default ~/.gapwatch. */
public final class GapwatchHome {
    private GapwatchHome() {
    }

    public static Path path() {
        String env = System.getenv("GAPWATCH_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".gapwatch");
    }
}
