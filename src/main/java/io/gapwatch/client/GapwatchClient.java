package io.gapwatch.client;

import io.gapwatch.cli.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The REST API as the command line uses it: JSON in and out, every refusal a {@link ProblemException} carrying the
 * server's detail and field, every transport failure an {@link UnreachableException}.
 */
public final class GapwatchClient {
    private final Connection connection;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    public GapwatchClient(Connection connection) {
        this.connection = connection;
    }

    public Connection connection() {
        return connection;
    }

    public JsonNode get(String path) {
        return Json.MAPPER.readTree(send(request(path).GET().header("Accept", "application/json")));
    }

    /** A non-JSON answer (a report as KTAP or JUnit XML), as text. */
    public String getText(String path) {
        return send(request(path).GET());
    }

    public JsonNode post(String path, Object body) {
        String json = body == null ? "" : Json.MAPPER.writeValueAsString(body);
        return Json.MAPPER.readTree(send(request(path).header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))));
    }

    /** {@code ?a=1&b=x} from the non-null values, encoded. */
    public static String query(Map<String, Object> parameters) {
        String q = parameters.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue().toString(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return q.isEmpty() ? "" : "?" + q;
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(connection.server() + path)).timeout(Duration.ofSeconds(60));
        if (connection.token() != null) {
            b.header("Authorization", "Bearer " + connection.token());
        }
        return b;
    }

    private String send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UnreachableException("cannot reach " + connection.server() + " (from " + connection.origin() + "): "
                    + why(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while asking " + connection.server());
        }
        if (response.statusCode() / 100 == 2) {
            return response.body();
        }
        throw problem(response);
    }

    private static String why(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof java.net.http.HttpTimeoutException) {
            return "no answer in time";
        }
        return e.getMessage() == null ? "the connection failed" : e.getMessage();
    }

    private ProblemException problem(HttpResponse<String> response) {
        int status = response.statusCode();
        String detail = null;
        String field = null;
        try {
            JsonNode p = Json.MAPPER.readTree(response.body());
            detail = p.path("detail").isString() ? p.path("detail").asString() : null;
            field = p.path("field").isString() ? p.path("field").asString() : null;
            if (detail == null && p.path("title").isString()) {
                detail = p.path("title").asString();
            }
        } catch (JacksonException notJson) {
            // not a problem document (a proxy's error page): the status says enough
        }
        if (detail == null) {
            detail = status == 401 ? "not authenticated: give a token with --token or $GAPWATCH_TOKEN"
                    : "the server answered " + status;
        }
        if (status == 401 && connection.token() == null) {
            detail += " (no token given: --token or $GAPWATCH_TOKEN)";
        }
        return new ProblemException(status, detail, field);
    }
}
