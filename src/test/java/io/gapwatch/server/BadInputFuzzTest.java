package io.gapwatch.server;

import io.gapwatch.cli.Json;
import io.gapwatch.probe.SimReports;
import io.gapwatch.probe.Variant;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Generated and mutated requests against every documented endpoint of a running server: wrong types, huge
 * numbers and bodies, unicode and NUL, missing and unknown fields, wrong content types, garbage in paths
 * and parameters, from every kind of caller. It counts what was really sent and answered, per endpoint and
 * caller (a path that is not even a URI is never sent, and counted apart); none may be answered 5xx, every
 * endpoint must have been reached by its rightful caller, and the fuzzer's own agent and admin stay valid to
 * the end (revoking them would leave the rest of the run fuzzing only the 401 path). The seed is printed;
 * GAPWATCH_FUZZ_SEED replays a run.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class BadInputFuzzTest {
    private static final int REQUESTS = 6000;
    private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json", "application/json",
            "application/json", "text/plain", "application/xml", "application/x-www-form-urlencoded",
            "application/json; charset=ISO-8859-1", "multipart/form-data; boundary=x", "application/problem+json"};
    private static final String[] BAD_SEGMENTS = {"-1", "0", "99999999999999999999999", "abc", "%00", "%F0%9F%98%80",
            "..%2F..%2Fetc%2Fpasswd", "9".repeat(400), "1.5", "1e3", "%20", "null", "%E2%80%AE", "0x10", "-0"};
    private static final String[] STRINGS = {"", " ", "clock-realtime", "\u0000", "a\u0000b", "\uD83D\uDE00",
            "\u202Egnirts", "x".repeat(5000), "\\", "\"", "'; DROP TABLE runs; --", "sim", "kvm", "lab",
            "6.12.117+deb12-amd64", "sim:6.12-model", "\uFFFF", "\uD800", "PASS", "viewer", "admin"};

    private static final String SWEEP = "{\"matrix\":{\"kernels\":[\"sim:6.12-model\"],\"variants\":[\"clock-realtime\"],"
            + "\"gapsMs\":[10],\"iterations\":1,\"repeats\":1},\"baseline\":{\"kernel\":\"sim:6.12-model\"}}";
    private static final String SCHEDULE = "{\"name\":\"fuzz-schedule\",\"cron\":\"0 2 * * *\",\"timeZone\":\"UTC\","
            + "\"enabled\":false," + SWEEP.substring(1);
    /** A matrix of 10^6 cells: 1000 kernels x 2 variants x 50 gaps x 10 repeats. */
    private static final String MILLION = "{\"matrix\":{\"kernels\":[" + java.util.stream.IntStream.range(0, 1000)
            .mapToObj(i -> "\"6.12." + i + "+deb12-amd64\"").collect(java.util.stream.Collectors.joining(",")) + "],"
            + "\"variants\":[\"clock-realtime\",\"clock-frozen\"],\"gapsMs\":[" + java.util.stream.IntStream.rangeClosed(1, 50)
            .mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining(",")) + "],\"repeats\":10}}";
    private static final String[] SWEEP_BODIES = {SWEEP, SWEEP, MILLION,
            "{\"matrix\":{}}", "{\"matrix\":{\"kernels\":[]}}", "{\"matrix\":{\"variants\":[],\"gapsMs\":[]}}",
            "{\"matrix\":{\"kernels\":[\"6.12.999+deb12-amd64\",\"sim:6.12.404\"]}}", "{\"matrix\":{},\"baseline\":{}}"};
    private static final String[] SCHEDULE_BODIES = {SCHEDULE, SCHEDULE, "{\"enabled\":true}", "{\"cron\":\"0 3 * * *\"}",
            SCHEDULE.replace("0 2 * * *", "0 0 2 * * *"), SCHEDULE.replace("0 2 * * *", "61 25 32 13 8"),
            SCHEDULE.replace("0 2 * * *", "0 2 30 2 *"), SCHEDULE.replace("UTC", "Mars/Olympus"),
            "{\"name\":\"fuzz-million\",\"cron\":\"0 2 * * *\"," + MILLION.substring(1),
            SCHEDULE.replace("[\"sim:6.12-model\"]", "[]")};

    private static final String PATCH_SERIES = "{\"base\":\"6.12.117\",\"variant\":\"clock-realtime\",\"gapMs\":10,"
            + "\"iterations\":5,\"configFragment\":\"CONFIG_KVM_XEN=y\",\"patches\":[{\"text\":"
            + "\"From: a@b\\nSubject: [PATCH 1/1] KVM: x86/xen: a comment\\n\\n---\\ndiff --git a/x b/x\\n\"}]}";
    private static final String[] PATCH_SERIES_BODIES = {PATCH_SERIES, PATCH_SERIES,
            PATCH_SERIES.replace("6.12.117", "6.12.999"), PATCH_SERIES.replace("6.12.117", "v6.12"),
            PATCH_SERIES.replace("Subject:", "Subjekt:"), PATCH_SERIES.replace("diff --git", "no diff"),
            "{\"base\":\"6.12.117\",\"patches\":[]}", "{\"base\":\"6.12.117\",\"patches\":[{}]}",
            PATCH_SERIES.replace("CONFIG_KVM_XEN=y", "\\u0000"),
            "{\"base\":\"6.12.117\",\"patches\":[{\"text\":\"" + "Subject: x\\n\\ndiff ".repeat(300_000) + "\"}]}"};

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;

    private Random random;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Endpoint(String method, String template) {
        boolean forAgents() {
            return template.contains("lease");
        }

        @Override
        public String toString() {
            return method + " " + template;
        }
    }

    enum Caller { NONE, BAD_TOKEN, VIEWER, AGENT, ADMIN }

    /** The answers to what one kind of caller sent to one endpoint: by status class (index 2..5), and the 401s. */
    static final class Tally {
        final int[] byClass = new int[6];
        int unauthorized;

        void count(int status) {
            byClass[status / 100]++;
            if (status == 401) {
                unauthorized++;
            }
        }

        int sent() {
            return java.util.Arrays.stream(byClass).sum();
        }
    }

    @Test
    void thousands_of_malformed_requests_get_no_5xx() throws Exception {
        long seed = Long.parseLong(System.getenv().getOrDefault("GAPWATCH_FUZZ_SEED", Long.toString(System.nanoTime())));
        random = new Random(seed);
        Tables.truncateAll(jdbc);
        Http admin = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        JsonNode agent = admin.as(admin.newToken("enrollment")).post("/api/v1/agents", """
                {"name":"fuzz-agent","targets":[{"backend":"sim","kernelRelease":"sim:6.12-model"},
                 {"backend":"sim","kernelRelease":"build:6.12.117"}]}""").json();
        String agentSecret = agent.path("secret").asString();
        String viewer = admin.newToken("viewer");
        long runId = admin.post("/api/v1/runs", """
                {"variant":"clock-realtime","iterations":1,"target":{"agent":"fuzz-agent"}}""").json().path("id").asLong();
        long leaseToken = admin.as(agentSecret).post("/api/v1/agents/" + agent.path("id").asLong() + "/lease?waitSeconds=5", "")
                .json().path("token").asLong();

        List<Endpoint> endpoints = new ArrayList<>();
        admin.as(null).get("/v3/api-docs").json().path("paths").properties().forEach(p ->
                p.getValue().properties().forEach(op -> endpoints.add(new Endpoint(op.getKey().toUpperCase(), p.getKey()))));
        Map<String, String> valid = Map.of(
                "{id}", Long.toString(runId), "{agentId}", agent.path("id").asText(), "{token}", Long.toString(leaseToken));
        Map<String, String> validForSweeps = Map.of("{id}",
                admin.post("/api/v1/sweeps", SWEEP).json().path("id").asText());
        Map<String, String> validForSchedules = Map.of("{id}",
                admin.post("/api/v1/schedules", SCHEDULE).json().path("id").asText());
        Map<String, String> validForPatchSeries = Map.of("{id}",
                admin.post("/api/v1/series", PATCH_SERIES).json().path("id").asText());
        // the admin token and the fuzzer's agent must survive: token and agent paths (revoke, delete, and any
        // method the fuzzer swaps in) get a throwaway token's or agent's id (the run's id may well be the id of
        // the fuzzer's own agent: both sequences start low)
        Map<String, String> validForTokens = Map.of("{id}",
                admin.post("/api/v1/tokens", "{\"role\":\"viewer\",\"name\":\"fuzz target\"}").json().path("id").asText());
        Map<String, String> validForDoomedAgent = Map.of("{id}", admin.as(admin.newToken("enrollment")).post("/api/v1/agents", """
                {"name":"fuzz-doomed","targets":[{"backend":"sim","kernelRelease":"sim:6.12-model"}]}""").json().path("id").asText());

        // cancelling the leased run would leave its heartbeat and result endpoints nothing but 409s to answer
        Map<String, String> validForCancel = Map.of("{id}", admin.post("/api/v1/runs", """
                {"variant":"clock-realtime","iterations":1,"target":{"backend":"sim"}}""").json().path("id").asText());

        Map<Endpoint, Map<Caller, Tally>> answers = new java.util.LinkedHashMap<>();
        int notSent = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            Endpoint e = endpoints.get(random.nextInt(endpoints.size()));
            String method = random.nextInt(100) < 85 ? e.method() : pick(METHODS);
            String path = path(e.template(), e.template().startsWith("/api/v1/tokens") ? validForTokens
                    : e.template().startsWith("/api/v1/sweeps") ? validForSweeps
                    : e.template().startsWith("/api/v1/schedules") ? validForSchedules
                    : e.template().startsWith("/api/v1/series") ? validForPatchSeries
                    : e.template().startsWith("/api/v1/agents/{id}") ? validForDoomedAgent
                    : e.template().equals("/api/v1/runs/{id}/cancel") ? validForCancel : valid);
            String body = body(e.template());
            Caller caller = switch (random.nextInt(10)) {
                case 0 -> Caller.NONE;
                case 1 -> Caller.BAD_TOKEN;
                case 2 -> Caller.VIEWER;
                default -> e.forAgents() ? Caller.AGENT : Caller.ADMIN;
            };
            String bearer = switch (caller) {
                case NONE -> null;
                case BAD_TOKEN -> "gw_a_" + pick(STRINGS).replaceAll("[^A-Za-z0-9]", "");
                case VIEWER -> viewer;
                case AGENT -> agentSecret;
                case ADMIN -> Http.ADMIN_TOKEN;
            };
            OptionalInt status = send(method, path, pick(CONTENT_TYPES), bearer, body);
            if (status.isEmpty()) {
                notSent++;
                continue;
            }
            answers.computeIfAbsent(e, k -> new EnumMap<>(Caller.class)).computeIfAbsent(caller, k -> new Tally())
                    .count(status.getAsInt());
            if (status.getAsInt() >= 500) {
                failures.add(status.getAsInt() + " for " + caller + " " + method + " " + path + " body " + abbreviate(body));
            }
        }

        int sent = 0;
        int[] total = new int[6];
        System.out.printf("bad input (seed %d): %d requests generated, %d not sent (not even a URI)%n", seed, REQUESTS, notSent);
        for (Endpoint e : endpoints) {
            for (var byCaller : answers.getOrDefault(e, Map.of()).entrySet()) {
                int[] c = byCaller.getValue().byClass;
                sent += byCaller.getValue().sent();
                for (int k = 0; k < 6; k++) {
                    total[k] += c[k];
                }
                System.out.printf("  %-42s %-9s sent %4d: 2xx %4d, 3xx %d, 4xx %4d (401 %4d), 5xx %d%n", e, byCaller.getKey(),
                        byCaller.getValue().sent(), c[2], c[3], c[4], byCaller.getValue().unauthorized, c[5]);
            }
        }
        System.out.printf("bad input (seed %d): %d requests sent to %d endpoints and answered: 2xx %d, 3xx %d, 4xx %d, 5xx %d%n",
                seed, sent, endpoints.size(), total[2], total[3], total[4], total[5]);

        assertThat(failures).as("5xx answers (seed " + seed + ")").isEmpty();
        assertThat(sent).as("requests really sent and answered").isEqualTo(REQUESTS - notSent).isGreaterThanOrEqualTo(5000);
        // requests are spread at random over the endpoints and callers: a quarter of an even share is a floor that
        // proves each endpoint was really fuzzed by its rightful caller, whatever the seed and however many endpoints
        int floor = REQUESTS / endpoints.size() / 4;
        for (Endpoint e : endpoints) {
            Caller rightful = e.forAgents() ? Caller.AGENT : Caller.ADMIN;
            Tally own = answers.getOrDefault(e, Map.of()).getOrDefault(rightful, new Tally());
            assertThat(own.sent()).as("requests to %s by %s (seed %d)", e, rightful, seed).isGreaterThanOrEqualTo(floor);
            assertThat(own.unauthorized).as("401 answers to %s by %s, whose credentials must stay valid", e, rightful).isZero();
        }
        // a revoked caller gets 401 for everything: neither the fuzzer's agent nor its admin may have been revoked
        Http asAgent = admin.as(agentSecret);
        assertThat(asAgent.post("/api/v1/agents/" + agent.path("id").asLong() + "/lease?waitSeconds=0", "").status())
                .as("the fuzzer's agent still leases at the end").isIn(200, 204);
        assertThat(admin.get("/api/v1/tokens").status()).as("the admin token still works at the end").isEqualTo(200);
    }

    private String path(String template, Map<String, String> valid) {
        String path = template;
        for (var param : valid.entrySet()) {
            if (path.contains(param.getKey())) {
                path = path.replace(param.getKey(), random.nextBoolean() ? param.getValue() : pick(BAD_SEGMENTS));
            }
        }
        if (random.nextInt(10) == 0) {
            path += "/" + pick(BAD_SEGMENTS);
        }
        if (template.endsWith("/lease")) {
            // a valid long poll would only make the fuzzer slow: waits stay at 0 or 1 s, or are not numbers
            return path + "?waitSeconds=" + pick(new String[]{"0", "1", "-1", "301", "x", "1e2", "%00"});
        }
        if (random.nextInt(3) == 0) {
            String[] params = {"state", "verdict", "kernel", "variant", "agent", "sweep", "schedule", "page", "size", "format",
                    "origin", "zzz", "base", "head", "gapMs", "backend", "from", "to", "buckets"};
            StringBuilder q = new StringBuilder("?");
            for (int i = random.nextInt(4); i >= 0; i--) {
                String name = pick(params);
                String value = random.nextBoolean() ? pick(BAD_SEGMENTS) : java.net.URLEncoder.encode(pick(STRINGS),
                        java.nio.charset.StandardCharsets.UTF_8);
                q.append(name).append('=').append(value).append('&');
            }
            path += q;
        }
        return path;
    }

    private String body(String template) {
        String base;
        if (template.startsWith("/api/v1/runs")) {
            base = "{\"variant\":\"clock-realtime\",\"gapMs\":10,\"iterations\":2,\"strict\":false,\"target\":{\"backend\":\"sim\"}}";
        } else if (template.equals("/api/v1/agents")) {
            base = "{\"name\":\"fuzz-new\",\"hostname\":\"h\",\"version\":\"v\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"sim:6.12-model\"}]}";
        } else if (template.startsWith("/api/v1/tokens")) {
            base = "{\"role\":\"viewer\",\"name\":\"fuzz\"}";
        } else if (template.startsWith("/api/v1/sweeps")) {
            base = pick(SWEEP_BODIES);
        } else if (template.startsWith("/api/v1/schedules")) {
            base = pick(SCHEDULE_BODIES);
        } else if (template.equals("/api/v1/series")) {
            base = pick(PATCH_SERIES_BODIES);
        } else if (template.startsWith("/api/v1/bisections")) {
            base = "{\"good\":\"sim:6.12-model\",\"bad\":\"sim:6.12-model\",\"variant\":\"clock-realtime\",\"gapMs\":10,\"iterations\":5}";
        } else if (template.endsWith("/acknowledge")) {
            base = "{\"reason\":\"known issue, fuzz\"}";
        } else if (template.endsWith("/result")) {
            base = Json.MAPPER.writeValueAsString(SimReports.of(Variant.CLOCK_REALTIME, 10, 1));
        } else {
            base = "{}";
        }
        return mutate(base);
    }

    /** One of many ways to break a valid body. */
    private String mutate(String json) {
        switch (random.nextInt(12)) {
            case 0:
                return json;
            case 1:
                return json.substring(0, random.nextInt(json.length() + 1));
            case 2:
                return "[" + json + "]";
            case 3: {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            case 4:
                return random.nextInt(5) == 0 ? "{\"variant\":\"" + "x".repeat(2_000_000) + "\"}" : "\"" + pick(STRINGS) + "\"";
            case 5:
                return "[".repeat(5000) + "]".repeat(5000);
            case 6:
                return "";
            default:
                return replaceAValue(json);
        }
    }

    /** Replaces a field's value, drops a field or adds an unknown one, somewhere in the document. */
    private String replaceAValue(String json) {
        JsonNode node = Json.MAPPER.readTree(json);
        if (!(node instanceof tools.jackson.databind.node.ObjectNode root)) {
            return json;
        }
        tools.jackson.databind.node.ObjectNode target = root;
        List<String> names = new ArrayList<>(target.propertyNames());
        if (names.isEmpty() || random.nextInt(8) == 0) {
            target.put("unknown" + random.nextInt(3), pick(STRINGS));
            return Json.MAPPER.writeValueAsString(root);
        }
        String name = names.get(random.nextInt(names.size()));
        if (target.get(name) instanceof tools.jackson.databind.node.ObjectNode nested && random.nextBoolean()
                && !nested.isEmpty()) {
            target = nested;
            names = new ArrayList<>(target.propertyNames());
            name = names.get(random.nextInt(names.size()));
        }
        if (random.nextInt(6) == 0) {
            target.remove(name);
            return Json.MAPPER.writeValueAsString(root);
        }
        String value = switch (random.nextInt(10)) {
            case 0 -> "1e400";
            case 1 -> "-9223372036854775809";
            case 2 -> Long.toString(random.nextLong());
            case 3 -> "null";
            case 4 -> "true";
            case 5 -> "[]";
            case 6 -> "{\"a\":{}}";
            case 7 -> "-0.0";
            case 8 -> Integer.toString(random.nextInt(200_000) - 100_000);
            default -> Json.MAPPER.writeValueAsString(pick(STRINGS));
        };
        target.put(name, "\u0001MARK\u0001");
        return Json.MAPPER.writeValueAsString(root).replace("\"\\u0001MARK\\u0001\"", value);
    }

    /** The status of the answer; empty when the request could not be sent at all (its path is not a URI). */
    private OptionalInt send(String method, String path, String contentType, String bearer, String body) throws InterruptedException {
        HttpRequest.Builder b;
        try {
            b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        } catch (IllegalArgumentException e) {
            return OptionalInt.empty();
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        boolean hasBody = !method.equals("GET") && !method.equals("OPTIONS") && random.nextInt(10) != 0;
        b.header("Content-Type", contentType);
        b.method(method, hasBody ? HttpRequest.BodyPublishers.ofString(body) : HttpRequest.BodyPublishers.noBody());
        try {
            return OptionalInt.of(client.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " (" + contentType + (hasBody ? ", a body of " + body.length()
                    + " characters: " + abbreviate(body) : ", no body") + "): " + e, e);
        }
    }

    private <T> T pick(T[] options) {
        return options[random.nextInt(options.length)];
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
