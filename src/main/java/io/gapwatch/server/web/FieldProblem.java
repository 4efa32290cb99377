package io.gapwatch.server.web;

/** One thing wrong with a request, and the field (JSON path or parameter name) it is about. */
public record FieldProblem(String field, String message) {
}
