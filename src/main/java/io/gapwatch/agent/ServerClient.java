package io.gapwatch.agent;

import io.gapwatch.cli.Json;
import io.gapwatch.client.BuildRecipe;
import io.gapwatch.probe.ProbeReport;
import io.gapwatch.probe.TargetInfo;
import io.gapwatch.probe.Variant;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The agent protocol over HTTP: register, lease (long poll), heartbeat, result. Given several servers
 * (one database behind them), it moves to the next one whenever the current one cannot be reached.
 */
public final class ServerClient {
    private final List<URI> servers;
    private final Credentials credentials;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private volatile int current;

    public ServerClient(List<URI> servers, Credentials credentials) {
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("at least one server");
        }
        this.servers = List.copyOf(servers);
        this.credentials = credentials;
    }

    public ServerClient(URI server, Credentials credentials) {
        this(List.of(server), credentials);
    }

    /** What the server answered to a registration; {@code secret} only at enrollment. */
    public record Registered(long id, String name, String secret) {
    }

    /** A leased run, as the server hands it out. */
    public record LeaseMessage(long token, Instant expiresAt, long leaseSeconds, Order run) {
    }

    /**
     * The run to execute and the target (backend, kernel) to execute it on. {@code build}: the recipe of the
     * kernel when it is one the lab builds ({@code kernelRelease} is then its {@link BuildRecipe#release()}); null
     * for a kernel the agent offers as it is.
     */
    public record Order(long id, Variant variant, int gapMs, int iterations, boolean strict, String backend,
                        String kernelRelease, BuildRecipe build) {
    }

    record Registration(String name, String hostname, String version, List<TargetInfo> targets) {
    }

    public Registered register(String name, String hostname, String version, List<TargetInfo> targets)
            throws ServerUnavailableException, RejectedException {
        var response = post("/api/v1/agents", new Registration(name, hostname, version, targets), Duration.ofSeconds(30));
        expectOk(response, "registration");
        return Json.MAPPER.readValue(response.body(), Registered.class);
    }

    public Optional<LeaseMessage> lease(long agentId, Duration wait) throws ServerUnavailableException, RejectedException {
        var response = post("/api/v1/agents/" + agentId + "/lease?waitSeconds=" + wait.toSeconds(), null,
                wait.plusSeconds(15));
        if (response.statusCode() == 204) {
            return Optional.empty();
        }
        expectOk(response, "lease");
        return Optional.of(Json.MAPPER.readValue(response.body(), LeaseMessage.class));
    }

    /**
     * Keeps a lease alive, saying how far the run has got ({@code progress}: what it waits for before its first
     * iteration, e.g. a kernel build; null when nothing); 409 means the run was cancelled or the lease lost.
     */
    public void heartbeat(long token, int iterationsDone, String progress) throws ServerUnavailableException, RejectedException {
        expectOk(post("/api/v1/leases/" + token + "/heartbeat", new Heartbeat(iterationsDone, progress), Duration.ofSeconds(15)),
                "heartbeat");
    }

    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Heartbeat(int iterationsDone, String progress) {
    }

    public void result(long token, ProbeReport report) throws ServerUnavailableException, RejectedException {
        expectOk(post("/api/v1/leases/" + token + "/result", report, Duration.ofSeconds(30)), "result");
    }

    private HttpResponse<String> post(String path, Object body, Duration timeout) throws ServerUnavailableException {
        int tried = current;
        URI base = servers.get(tried);
        HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path));
        String bearer = credentials.bearer();
        if (bearer != null) {
            builder.header("Authorization", "Bearer " + bearer);
        }
        HttpRequest request = builder
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 500) {
                throw new ServerUnavailableException(path + " answered " + response.statusCode());
            }
            return response;
        } catch (IOException e) {
            current = (tried + 1) % servers.size(); // try the next server on the next call
            throw new ServerUnavailableException(base.resolve(path) + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerUnavailableException(path + ": interrupted");
        }
    }

    private static void expectOk(HttpResponse<String> response, String what) throws RejectedException {
        if (response.statusCode() / 100 != 2) {
            throw new RejectedException(response.statusCode(), what + " refused with " + response.statusCode() + ": " + response.body());
        }
    }

    /** The server could not be reached or failed: try again later. */
    public static class ServerUnavailableException extends Exception {
        public ServerUnavailableException(String message) {
            super(message);
        }
    }

    /** The server answered 4xx: retrying the same request will not help. */
    public static class RejectedException extends Exception {
        private final int status;

        public RejectedException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }

        /** The server's 401 for a revoked agent (problem type urn:gapwatch:problem:agent-revoked): stop, do not re-enroll. */
        public boolean agentRevoked() {
            return status == 401 && getMessage().contains("urn:gapwatch:problem:agent-revoked");
        }
    }
}
