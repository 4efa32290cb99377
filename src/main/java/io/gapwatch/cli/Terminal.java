package io.gapwatch.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a human watches stderr: progress is redrawn in place only then; a CI log gets a line per change. */
public final class Terminal {
    private Terminal() {
    }

    /** stderr (fd 2) is a terminal device; System.console() would look at stdin and stdout instead. */
    public static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null;
        }
    }
}
