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

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A month of nightly runs of one sim kernel, served downsampled: the kernel accounts the gap right for 15 nights,
 * then books 3 ms too much (extra-error-ns=3000000) for 15 more. The runs go through the agent protocol; only
 * the night each was measured is set afterwards (a test cannot wait a month), one run a day at midnight.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeriesPointsApiTest {
    private static final String KERNEL = "sim:6.12.107";
    private static final int NIGHTS = 30;
    private static final int ITERATIONS = 4;
    private static final Instant FIRST_NIGHT = Instant.parse("2026-10-01T00:00:00Z");

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
    void aMonthOfNights() {
        Tables.truncateAll(jdbc);
        http = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        SimDelivery agent = new SimDelivery(http, "points-agent", List.of(KERNEL));
        List<Long> runs = new ArrayList<>();
        for (int night = 0; night < NIGHTS; night++) {
            runs.add(agent.run(KERNEL, Variant.CLOCK_REALTIME, 10, ITERATIONS, night < NIGHTS / 2 ? "" : "extra-error-ns=3000000"));
        }
        for (int night = 0; night < NIGHTS; night++) {
            jdbc.sql("UPDATE measurements SET measured_at = :at WHERE run_id = :run")
                    .param("at", java.time.OffsetDateTime.ofInstant(FIRST_NIGHT.plus(night, ChronoUnit.DAYS), java.time.ZoneOffset.UTC))
                    .param("run", runs.get(night)).update();
        }
    }

    private JsonNode points(String query) {
        Http.Response r = http.get("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10" + query);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json();
    }

    @Test
    void by_default_the_whole_series_in_buckets_with_every_measurement_counted_once() {
        JsonNode s = points("&buckets=10");
        assertThat(s.path("simulated").asBoolean()).isTrue();
        assertThat(s.path("backend").asString()).isEqualTo("sim");
        assertThat(Instant.parse(s.path("from").asString())).isEqualTo(FIRST_NIGHT);
        assertThat(Instant.parse(s.path("to").asString())).isEqualTo(FIRST_NIGHT.plus(NIGHTS - 1, ChronoUnit.DAYS));
        assertThat(s.path("measurements").asLong()).isEqualTo(NIGHTS * ITERATIONS);
        JsonNode p = s.path("points");
        assertThat(p).hasSize(10);
        long n = 0;
        for (JsonNode point : p) {
            assertThat(point.path("runs").asLong()).as(point.toString()).isEqualTo(3);
            assertThat(point.path("p5ErrorNs").asDouble()).isLessThanOrEqualTo(point.path("medianErrorNs").asDouble());
            assertThat(point.path("medianErrorNs").asDouble()).isLessThanOrEqualTo(point.path("p95ErrorNs").asDouble());
            assertThat(point.path("minErrorNs").asDouble()).isLessThanOrEqualTo(point.path("p5ErrorNs").asDouble());
            assertThat(point.path("maxErrorNs").asDouble()).isGreaterThanOrEqualTo(point.path("p95ErrorNs").asDouble());
            n += point.path("n").asLong();
        }
        assertThat(n).isEqualTo(NIGHTS * ITERATIONS);
        assertThat(p.get(0).path("medianErrorNs").asDouble()).as("the good nights").isLessThan(1_000_000);
        assertThat(p.get(9).path("medianErrorNs").asDouble()).as("the bad nights").isGreaterThan(2_500_000);
    }

    @Test
    void one_bucket_has_the_median_the_series_statistics_have() {
        JsonNode s = points("&buckets=1");
        assertThat(s.path("points")).hasSize(1);
        double stats = http.get("/api/v1/series?kernel=" + KERNEL).json().path("items").get(0)
                .path("statistics").path("medianErrorNs").asDouble();
        assertThat(s.path("points").get(0).path("medianErrorNs").asDouble()).isCloseTo(stats, within(1.0));
    }

    @Test
    void the_change_of_level_is_a_change_point_at_the_first_bad_night() {
        JsonNode s = points("&buckets=" + NIGHTS);
        assertThat(s.path("points")).hasSize(NIGHTS);
        JsonNode changes = s.path("changePoints");
        assertThat(changes).as(changes.toString()).hasSize(1);
        // the change is at the start of the bucket that holds the first bad night (a bucket is a little under a day)
        assertThat(Instant.parse(changes.get(0).path("at").asString()))
                .isAfter(FIRST_NIGHT.plus(NIGHTS / 2 - 1, ChronoUnit.DAYS))
                .isBeforeOrEqualTo(FIRST_NIGHT.plus(NIGHTS / 2, ChronoUnit.DAYS));
        assertThat(changes.get(0).path("meanAfterNs").asDouble() - changes.get(0).path("meanBeforeNs").asDouble())
                .isGreaterThan(2_500_000);
    }

    @Test
    void a_range_holds_only_its_nights() {
        Instant from = FIRST_NIGHT.plus(5, ChronoUnit.DAYS);
        Instant to = FIRST_NIGHT.plus(9, ChronoUnit.DAYS);
        JsonNode s = points("&from=" + from + "&to=" + to + "&buckets=100");
        assertThat(s.path("measurements").asLong()).isEqualTo(5 * ITERATIONS);
        assertThat(s.path("points")).hasSize(5);
        assertThat(Instant.parse(s.path("points").get(0).path("start").asString())).isEqualTo(from);
    }

    @Test
    void bad_input_is_a_400_naming_the_field() {
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&gapMs=10", "variant");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime", "gapMs");
        assertField("/api/v1/series/points?variant=clock-realtime&gapMs=10", "kernel");
        assertField("/api/v1/series/points?kernel=sim:9.9.9&variant=clock-realtime&gapMs=10", "kernel");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=0", "gapMs");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&buckets=0", "buckets");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&buckets=x", "buckets");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&buckets=1001", "buckets");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&from=yesterday", "from");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&to=-999999999-01-01T00:00:00Z", "to");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10"
                + "&from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", "from");
        assertField("/api/v1/series/points?kernel=" + KERNEL + "&variant=clock-realtime&gapMs=10&backend=qemu", "backend");
    }

    private void assertField(String path, String field) {
        Http.Response r = http.get(path);
        assertThat(r.status()).as(path + ": " + r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asString()).as(r.body()).isEqualTo(field);
    }
}
