package io.gapwatch.server.web;

/** The thing named in the path does not exist: 404. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
