package io.gapwatch.server.web;

/** No registered agent offers the requested target: 422 naming the field that asked for it. */
public class UnservableTargetException extends RuntimeException {
    private final String field;

    public UnservableTargetException(String message) {
        this("target", message);
    }

    /** @param field the request field naming what no agent serves */
    public UnservableTargetException(String field, String message) {
        super(message);
        this.field = field;
    }

    public String field() {
        return field;
    }
}
