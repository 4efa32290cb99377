package io.gapwatch.lab;

import java.nio.file.Path;

/** Patch {@code position} of the series ({@code subject}) does not apply to the tree its predecessors left. */
public class PatchDoesNotApplyException extends KernelBuildException {
    private final int position;
    private final String subject;

    public PatchDoesNotApplyException(int position, String subject, String why, Path log) {
        super("patch " + position + " (" + subject + ") does not apply: " + why, log);
        this.position = position;
        this.subject = subject;
    }

    public int position() {
        return position;
    }

    public String subject() {
        return subject;
    }
}
