package io.gapwatch.server.web;

import jakarta.servlet.http.HttpServletRequest;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every error as RFC 9457 application/problem+json. Bad input names its field in {@code field}
 * and in {@code errors[]}; nothing a client sends may produce a 500.
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

    @ExceptionHandler(InvalidRequestException.class)
    ResponseEntity<Object> invalid(InvalidRequestException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getMessage(), e.problems(), request);
    }

    @ExceptionHandler(UnservableTargetException.class)
    ResponseEntity<Object> unservable(UnservableTargetException e, HttpServletRequest request) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "No agent serves this target", e.getMessage(),
                List.of(new FieldProblem(e.field(), e.getMessage())), request);
    }

    @ExceptionHandler(NotFoundException.class)
    ResponseEntity<Object> notFound(NotFoundException e, HttpServletRequest request) {
        return problem(HttpStatus.NOT_FOUND, "Not found", e.getMessage(), List.of(), request);
    }

    @ExceptionHandler(ForbiddenException.class)
    ResponseEntity<Object> forbidden(ForbiddenException e, HttpServletRequest request) {
        return problem(HttpStatus.FORBIDDEN, "Forbidden", e.getMessage(), List.of(), request);
    }

    @ExceptionHandler(ConflictException.class)
    ResponseEntity<Object> conflict(ConflictException e, HttpServletRequest request) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage(), List.of(), request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException e, HttpServletRequest request) {
        String expected = e.getRequiredType() == null ? "a different type" : e.getRequiredType().getSimpleName();
        String message = "'" + e.getValue() + "' is not a valid " + expected;
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getName() + ": " + message,
                List.of(new FieldProblem(e.getName(), message)), request);
    }

    /**
     * The database is down or overloaded: the client should come back (agents keep their results spooled). A commit
     * or rollback that fails (TransactionSystemException) is a connection that broke, as when PostgreSQL stops.
     */
    @ExceptionHandler({CannotGetJdbcConnectionException.class, CannotCreateTransactionException.class,
            TransactionSystemException.class,
            DataAccessResourceFailureException.class, TransientDataAccessException.class,
            RecoverableDataAccessException.class})
    ResponseEntity<Object> databaseUnavailable(Exception e, HttpServletRequest request) {
        log.warn("database unavailable on {} {}: {}", request.getMethod(), request.getRequestURI(), e.getMessage());
        ResponseEntity<Object> response = problem(HttpStatus.SERVICE_UNAVAILABLE, "Database unavailable",
                "the database cannot be reached; retry later", List.of(), request);
        return ResponseEntity.status(response.getStatusCode()).headers(response.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, "5").body(response.getBody());
    }

    /** Spring Security's firewall refused something in the request (a parameter name, an encoded slash). */
    @ExceptionHandler(RequestRejectedException.class)
    ResponseEntity<Object> rejected(RequestRejectedException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", "the request was rejected: malformed path, "
                + "parameter or header", List.of(), request);
    }

    /** A form-encoded body Tomcat cannot decode (no endpoint takes forms, but the parameters still get parsed). */
    @ExceptionHandler(InvalidParameterException.class)
    ResponseEntity<Object> undecodable(InvalidParameterException e, HttpServletRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", "the request's parameters cannot be decoded", List.of(), request);
    }

    /** A long poll interrupted because the server is shutting down: the agent asks another server, or again. */
    @ExceptionHandler(InterruptedException.class)
    ResponseEntity<Object> shuttingDown(InterruptedException e, HttpServletRequest request) {
        Thread.currentThread().interrupt();
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "Shutting down", "the server is shutting down; retry", List.of(), request);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception e, HttpServletRequest request) {
        log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error",
                "the server failed; this is a bug, please report it with the time of the request", List.of(), request);
    }

    /** Unreadable bodies: malformed JSON, a field of the wrong type, an unknown field, an unknown enum value. */
    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException e, HttpHeaders headers,
                                                                  HttpStatusCode status, WebRequest request) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RequestSizeLimit.TooLargeException) {
                return problem(HttpStatus.PAYLOAD_TOO_LARGE, "Payload too large", t.getMessage(), List.of(), request);
            }
        }
        Throwable cause = e.getMostSpecificCause();
        FieldProblem p;
        if (cause instanceof UnrecognizedPropertyException u) {
            p = new FieldProblem(path(u), "unknown field; known fields are " + u.getKnownPropertyIds());
        } else if (cause instanceof StreamReadException s && s.getPath().isEmpty()) {
            p = new FieldProblem(null, "malformed JSON: " + s.getOriginalMessage());
        } else if (cause instanceof InvalidFormatException f && !f.getPath().isEmpty()) {
            p = new FieldProblem(path(f), describe(f));
        } else if (cause instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            p = new FieldProblem(path(m), "has the wrong type: expected " + expected(m.getTargetType()));
        } else if (cause instanceof JacksonException j && !j.getPath().isEmpty()) {
            p = new FieldProblem(path(j), describe(j));
        } else if (cause instanceof IllegalArgumentException iae) {
            p = new FieldProblem(null, iae.getMessage());
        } else {
            p = new FieldProblem(null, "the request body is missing or is not JSON");
        }
        String detail = p.field() == null ? p.message() : p.field() + ": " + p.message();
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", detail, List.of(p), request);
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
                                                             HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail pd && pd.getType() == null) {
            pd.setType(URI.create("about:blank"));
        }
        return super.handleExceptionInternal(ex, body, headers, statusCode, request);
    }

    private static String path(JacksonException e) {
        return e.getPath().stream()
                .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class || type.isEnum()) {
            return "a string";
        }
        if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    /** The first line of Jackson's message, which says what was expected; without the source excerpt. */
    private static String describe(JacksonException e) {
        String original = e.getOriginalMessage();
        if (original == null) {
            return "invalid value";
        }
        int cut = original.indexOf('\n');
        return cut < 0 ? original : original.substring(0, cut);
    }

    static ResponseEntity<Object> problem(HttpStatus status, String title, String detail, List<FieldProblem> errors,
                                                  Object request) {
        ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, detail);
        pd.setTitle(title);
        if (request instanceof HttpServletRequest http) {
            pd.setInstance(URI.create(http.getRequestURI()));
        }
        if (!errors.isEmpty()) {
            pd.setProperty("field", errors.get(0).field());
            pd.setProperty("errors", errors);
        }
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(pd);
    }
}
