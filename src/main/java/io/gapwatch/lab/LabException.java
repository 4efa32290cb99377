package io.gapwatch.lab;

/**
 * The lab cannot start a run: a tool is missing, the kernel is unknown or cannot be fetched, a path is
 * unusable. Says nothing about the kernel under test; a run that meets it reports ERROR with this message.
 */
public class LabException extends Exception {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
