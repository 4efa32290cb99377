package io.gapwatch.server.web;

/** The caller is known but may not do this (another agent's lease, say): 403. */
public class ForbiddenException extends RuntimeException {
    public ForbiddenException(String message) {
        super(message);
    }
}
