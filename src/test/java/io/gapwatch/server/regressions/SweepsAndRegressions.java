package io.gapwatch.server.regressions;

import io.gapwatch.server.support.Http;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** What the regression tests do over HTTP: trigger a sweep, wait for it and its analysis, wait for a regression. */
final class SweepsAndRegressions {
    private final Http http;
    private final JdbcClient jdbc;

    SweepsAndRegressions(Http http, JdbcClient jdbc) {
        this.http = http;
        this.jdbc = jdbc;
    }

    /** Runs a sweep over the kernels against a baseline kernel; returns once it is analysed. */
    long sweep(List<String> kernels, List<String> variants, String baseline, int gapMs, int iterations, int repeats)
            throws InterruptedException {
        String body = "{\"matrix\":{\"kernels\":[\"" + String.join("\",\"", kernels) + "\"],\"backend\":\"sim\","
                + "\"variants\":[\"" + String.join("\",\"", variants) + "\"],\"gapsMs\":[" + gapMs + "],\"iterations\":" + iterations
                + ",\"repeats\":" + repeats + "},\"baseline\":{\"kernel\":\"" + baseline + "\"}}";
        Http.Response created = http.post("/api/v1/sweeps", body);
        if (created.status() != 201) {
            throw new AssertionError("sweep not created: " + created.status() + " " + created.body());
        }
        long id = created.json().path("id").asLong();
        await("sweep " + id + " COMPLETED", Duration.ofSeconds(120),
                () -> http.get("/api/v1/sweeps/" + id).json().path("state").asString().equals("COMPLETED"));
        await("sweep " + id + " analysed", Duration.ofSeconds(60),
                () -> jdbc.sql("SELECT count(*) FROM sweep_analyses WHERE sweep_id = :id AND summary <> 'analysing'")
                        .param("id", id).query(Long.class).single() == 1);
        return id;
    }

    List<JsonNode> regressions(String state) {
        List<JsonNode> all = new ArrayList<>();
        http.get("/api/v1/regressions?size=500" + (state == null ? "" : "&state=" + state)).json().path("items")
                .forEach(all::add);
        return all;
    }

    JsonNode awaitRegression(String what, Duration timeout, Predicate<JsonNode> condition) throws InterruptedException {
        JsonNode[] found = new JsonNode[1];
        await(what, timeout, () -> {
            for (JsonNode r : regressions(null)) {
                if (condition.test(r)) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    interface Check {
        boolean holds() throws InterruptedException;
    }

    static void await(String what, Duration timeout, Check check) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout + " for " + what);
            }
            Thread.sleep(100);
        }
    }
}
