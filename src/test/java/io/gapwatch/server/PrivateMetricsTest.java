package io.gapwatch.server;

import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code gapwatch.security.public-metrics=false}: Prometheus is for viewers and up; health stays open. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gapwatch.security.public-metrics=false")
class PrivateMetricsTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;

    @Test
    void prometheus_needs_a_viewer_token_and_health_needs_none() {
        Http admin = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
        Http.Response anonymous = admin.as(null).get("/actuator/prometheus");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(admin.as("gw_a_not-a-real-token").get("/actuator/prometheus").status()).isEqualTo(401);
        assertThat(admin.as(admin.newToken("enrollment")).get("/actuator/prometheus").status()).isEqualTo(403);
        Http.Response viewer = admin.as(admin.newToken("viewer")).get("/actuator/prometheus");
        assertThat(viewer.status()).isEqualTo(200);
        assertThat(viewer.body()).contains("# TYPE ");
        assertThat(admin.get("/actuator/prometheus").status()).isEqualTo(200);

        assertThat(admin.as(null).get("/actuator/health").status()).isEqualTo(200);
        assertThat(admin.as(null).get("/actuator/health/readiness").status()).isEqualTo(200);
    }
}
