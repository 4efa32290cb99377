package io.gapwatch.bench;

import io.gapwatch.cli.Json;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The server's REST API as the benchmarks call it: JSON in and out, a bearer token, time to first byte. */
final class Api {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final URI base;
    private final String token;

    Api(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    Api as(String otherToken) {
        return new Api(base, otherToken);
    }

    URI base() {
        return base;
    }

    /** A response and the nanoseconds from sending the request to its status line and headers (time to first byte). */
    record Timed(int status, String body, long firstByteNs) {
        JsonNode json() {
            return Json.MAPPER.readTree(body);
        }
    }

    Timed get(String path) {
        return send(request(path).GET().build());
    }

    Timed post(String path, Object body) {
        String json = body instanceof String s ? s : Json.MAPPER.writeValueAsString(body);
        return send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    JsonNode postOk(String path, Object body) {
        Timed t = post(path, body);
        if (t.status() / 100 != 2) {
            throw new IllegalStateException("POST " + path + " answered " + t.status() + ": " + t.body());
        }
        return t.json();
    }

    JsonNode getOk(String path) {
        Timed t = get(path);
        if (t.status() / 100 != 2) {
            throw new IllegalStateException("GET " + path + " answered " + t.status() + ": " + t.body());
        }
        return t.json();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120))
                .header("Accept", "application/json");
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private Timed send(HttpRequest request) {
        long start = System.nanoTime();
        long[] firstByte = new long[1];
        try {
            HttpResponse<String> r = http.send(request, info -> {
                firstByte[0] = System.nanoTime() - start;
                return HttpResponse.BodyHandlers.ofString().apply(info);
            });
            return new Timed(r.statusCode(), r.body(), firstByte[0]);
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
