package io.gapwatch.client;

/**
 * The server refused a request with an application/problem+json answer: its {@code detail} and, for bad input,
 * the {@code field} it names.
 */
public class ProblemException extends RuntimeException {
    private final int status;
    private final String field;

    public ProblemException(int status, String detail, String field) {
        super(detail);
        this.status = status;
        this.field = field;
    }

    public int status() {
        return status;
    }

    /** The request field the server named, or null. */
    public String field() {
        return field;
    }
}
