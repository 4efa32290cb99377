package io.gapwatch.server.support;

import io.gapwatch.cli.Json;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests that talk to a running server as a user would. */
public final class Http {
    /** The admin token every test server is configured with (src/test/resources/config). */
    public static final String ADMIN_TOKEN = "gw_a_test-admin-token-not-for-production";

    private final String base;
    private final String token;
    private final HttpClient client = HttpClient.newHttpClient();

    public Http(String base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same server, as another caller (null: no Authorization header). */
    public Http as(String otherToken) {
        return new Http(base, otherToken);
    }

    /** A new token of this role, created by the admin. */
    public String newToken(String role) {
        Response r = as(ADMIN_TOKEN).post("/api/v1/tokens", "{\"role\":\"" + role + "\",\"name\":\"test " + role + "\"}");
        if (r.status() != 201) {
            throw new IllegalStateException("cannot create a " + role + " token: " + r.status() + " " + r.body());
        }
        return r.json().path("token").asString();
    }

    public record Response(int status, String contentType, String location, String body) {
        public JsonNode json() {
            return Json.MAPPER.readTree(body);
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Response send(String method, String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    public Response post(String path, String contentType, String body) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** Polls a run until it is COMPLETED or CANCELLED. */
    public JsonNode awaitFinished(long runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode run = get("/api/v1/runs/" + runId).json();
            String state = run.path("state").asString();
            if (state.equals("COMPLETED") || state.equals("CANCELLED")) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run " + runId + " still " + state + " after " + timeout + ": " + run);
            }
            Thread.sleep(100);
        }
    }

    /** Polls a sweep until it is COMPLETED or CANCELLED. */
    public JsonNode awaitSweepFinished(long sweepId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode sweep = get("/api/v1/sweeps/" + sweepId).json();
            String state = sweep.path("state").asString();
            if (state.equals("COMPLETED") || state.equals("CANCELLED")) {
                return sweep;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("sweep " + sweepId + " still " + state + " after " + timeout + ": "
                        + sweep.path("progress"));
            }
            Thread.sleep(100);
        }
    }

    private Response send(HttpRequest.Builder request) {
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""),
                    r.headers().firstValue("Location").orElse(null), r.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
