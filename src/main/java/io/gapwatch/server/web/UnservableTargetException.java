package io.gapwatch.server.web;

/** No registered agent offers the requested target: 422 naming the target field. */
public class UnservableTargetException extends RuntimeException {
    public UnservableTargetException(String message) {
        super(message);
    }
}
