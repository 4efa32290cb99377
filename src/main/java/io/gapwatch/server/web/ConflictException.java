package io.gapwatch.server.web;

/** The request contradicts the current state (a stale lease token, cancelling a finished run): 409. */
public class ConflictException extends RuntimeException {
    public ConflictException(String message) {
        super(message);
    }
}
