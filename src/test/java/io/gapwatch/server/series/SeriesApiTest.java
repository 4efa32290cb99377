package io.gapwatch.server.series;

import io.gapwatch.probe.Variant;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.SimDelivery;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Series statistics and compare over HTTP, on measurements delivered through the agent protocol by the sim
 * model: sim:6.12.107 accounts the gap right, sim:6.12.111 books 3 ms too much (extra-error-ns=3000000).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeriesApiTest {
    private static final String GOOD = "sim:6.12.107";
    private static final String BAD = "sim:6.12.111";

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    Http http;

    @BeforeAll
    void measure() {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        SimDelivery agent = new SimDelivery(http, "series-agent", List.of(GOOD, BAD));
        for (int repeat = 0; repeat < 2; repeat++) {
            agent.run(GOOD, Variant.CLOCK_REALTIME, 2, 6, "");
            agent.run(BAD, Variant.CLOCK_REALTIME, 2, 6, "extra-error-ns=3000000");
        }
    }

    @Test
    void a_series_has_statistics_from_every_measurement_and_says_it_is_simulated() {
        JsonNode page = http.get("/api/v1/series?kernel=" + BAD).json();
        assertThat(page.path("total").asLong()).isEqualTo(1);
        JsonNode s = page.path("items").get(0);
        assertThat(s.path("variant").asString()).isEqualTo("clock-realtime");
        assertThat(s.path("gapMs").asInt()).isEqualTo(2);
        assertThat(s.path("backend").asString()).isEqualTo("sim");
        assertThat(s.path("simulated").asBoolean()).isTrue();
        JsonNode stats = s.path("statistics");
        assertThat(stats.path("n").asInt()).isEqualTo(12);
        assertThat(stats.path("passRate").asDouble()).isEqualTo(1.0);
        assertThat(stats.path("medianErrorNs").asDouble()).isGreaterThan(2_500_000);
        assertThat(stats.has("p95ErrorNs")).isTrue();
        assertThat(stats.has("madErrorNs")).isTrue();
        assertThat(http.get("/api/v1/series").json().path("total").asLong()).isEqualTo(2);
    }

    @Test
    void compare_calls_three_milliseconds_more_error_a_regression_with_its_numbers() {
        JsonNode c = http.get("/api/v1/compare?base=" + GOOD + "&head=" + BAD).json();
        assertThat(c.path("simulated").asBoolean()).isTrue();
        assertThat(c.path("summary").path("regression").asLong()).isEqualTo(1);
        JsonNode row = c.path("series").get(0);
        assertThat(row.path("category").asString()).as(row.toString()).isEqualTo("regression");
        assertThat(row.path("base").path("n").asInt()).isEqualTo(12);
        assertThat(row.path("head").path("n").asInt()).isEqualTo(12);
        assertThat(row.path("head").path("medianErrorNs").asDouble() - row.path("base").path("medianErrorNs").asDouble())
                .isGreaterThan(2_500_000);
        JsonNode rank = row.path("tests").get(0);
        assertThat(rank.path("test").asString()).isEqualTo("mann-whitney-u");
        assertThat(rank.path("pValue").asDouble()).isLessThan(0.001);
        assertThat(rank.path("effect").asDouble()).isGreaterThan(2_500_000);
        assertThat(row.path("effectFloorNs").asDouble()).isEqualTo(1_000_000);
        assertThat(row.path("baselineStable").asBoolean()).isTrue();
    }

    @Test
    void a_kernel_compared_with_itself_is_unchanged_and_the_way_back_is_fixed() {
        assertThat(http.get("/api/v1/compare?base=" + GOOD + "&head=" + GOOD).json().path("series").get(0)
                .path("category").asString()).isEqualTo("unchanged");
        assertThat(http.get("/api/v1/compare?base=" + BAD + "&head=" + GOOD).json().path("series").get(0)
                .path("category").asString()).isEqualTo("fixed");
    }

    @Test
    void an_unmeasured_kernel_or_a_missing_parameter_is_a_400_naming_the_field() {
        Http.Response unknown = http.get("/api/v1/compare?base=sim:9.9.9&head=" + BAD);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(unknown.json().path("field").asString()).isEqualTo("base");
        assertThat(http.get("/api/v1/compare?base=" + GOOD).json().path("field").asString()).isEqualTo("head");
        assertThat(http.get("/api/v1/compare?base=" + GOOD + "&head=" + BAD + "&variant=nope").json()
                .path("field").asString()).isEqualTo("variant");
        assertThat(http.get("/api/v1/series?gapMs=0").json().path("field").asString()).isEqualTo("gapMs");
    }
}
