package io.gapwatch.server.web;

import io.gapwatch.cli.Json;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request bodies have a bound, and every refusal is a whole answer the client can read: a 413 before the body is
 * read, or a 400 when the body was refused part-way (its rest is drained, so the connection does not break
 * under the answer). Found by BadInputFuzzTest: a 5.7 MB patch series refused at its first byte got a 400 cut off
 * mid-body ("chunked transfer encoding, state: READING_LENGTH"), since the server drained at most 4 MB of it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RequestSizeLimitTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void a_patch_series_refused_at_its_first_byte_gets_its_whole_answer() throws Exception {
        // 5.7 MB of patch text, within the series' 8 MiB bound, in an array where an object belongs: the reading stops
        // at the first byte and the rest is left to the server to drain
        String body = "[{\"base\":\"6.12.117\",\"patches\":[{\"text\":\"" + "Subject: x\\n\\ndiff ".repeat(300_000) + "\"}]}]";

        // the answer lost its end now and then, when a drain cut short reset the connection under it: with 4 MB
        // drained, 26 of 1000 answers here (about 10 s) were cut off, and none with the whole body drained
        List<String> broken = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            try {
                HttpResponse<String> answer = post("/api/v1/series", HttpRequest.BodyPublishers.ofString(body));
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
                assertThat(problem(answer).path("status").asInt()).isEqualTo(400);
            } catch (IOException e) {
                broken.add("request " + i + ": " + e);
            }
        }
        assertThat(broken).as("answers the client could not read").isEmpty();
    }

    @Test
    void a_declared_length_over_the_bound_is_refused_before_it_is_read() throws Exception {
        String twoMegabytes = "{\"variant\":\"" + "x".repeat(2_000_000) + "\"}";

        HttpResponse<String> answer = post("/api/v1/runs", HttpRequest.BodyPublishers.ofString(twoMegabytes));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(problem(answer).path("detail").asString()).isEqualTo("request bodies are limited to 1048576 bytes");
    }

    @Test
    void a_patch_series_has_a_bound_of_its_own() throws Exception {
        String nineMegabytes = "{\"base\":\"6.12.117\",\"patches\":[{\"text\":\"" + "x".repeat(9_000_000) + "\"}]}";

        HttpResponse<String> answer = post("/api/v1/series", HttpRequest.BodyPublishers.ofString(nineMegabytes));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
        assertThat(problem(answer).path("detail").asString()).isEqualTo("request bodies are limited to 8388608 bytes");
    }

    @Test
    void a_body_of_no_declared_length_is_cut_off_where_it_crosses_the_bound() throws Exception {
        // a 2 MB JSON document in chunks (no Content-Length: the client sends it chunked)
        List<byte[]> chunks = new ArrayList<>();
        chunks.add("{\"variant\":\"".getBytes(StandardCharsets.US_ASCII));
        chunks.addAll(Collections.nCopies(32, "x".repeat(64 * 1024).getBytes(StandardCharsets.US_ASCII)));
        chunks.add("\"}".getBytes(StandardCharsets.US_ASCII));
        HttpRequest.BodyPublisher chunked = HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofByteArrays(chunks));
        assertThat(chunked.contentLength()).isEqualTo(-1);

        HttpResponse<String> answer = post("/api/v1/runs", chunked);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(413);
        assertThat(problem(answer).path("detail").asString()).isEqualTo("request bodies are limited to 1048576 bytes");
    }

    private HttpResponse<String> post(String path, HttpRequest.BodyPublisher body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + Http.ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(body).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> answer) {
        return Json.MAPPER.readTree(answer.body());
    }
}
