package io.gapwatch.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel cannot be built from its recipe: the base source is not to be had, the config fragment asks for what
 * the kernel's Kconfig refuses, a patch does not apply ({@link PatchDoesNotApplyException}), the compiler fails.
 * The same recipe fails the same way again. {@code log} is the build's log on this host (null when the build
 * never started one); {@link #logTail(int)} has the lines of it that say why.
 */
public class KernelBuildException extends Exception {
    private final transient Path log;

    public KernelBuildException(String message, Path log) {
        super(message);
        this.log = log;
    }

    public Path log() {
        return log;
    }

    /** The last {@code n} lines of the build log, or why there are none. */
    public String logTail(int n) {
        if (log == null) {
            return "(no build log)";
        }
        try {
            return KernelCache.lastLines(Files.readString(log), n);
        } catch (IOException e) {
            return "(the build log " + log + " cannot be read: " + e.getMessage() + ")";
        }
    }
}
