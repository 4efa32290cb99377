package io.gapwatch.client;

/** The server could not be reached (refused, timed out, not HTTP). */
public class UnreachableException extends RuntimeException {
    public UnreachableException(String message) {
        super(message);
    }
}
