package io.gapwatch.server;

import io.gapwatch.agent.Agent;
import io.gapwatch.agent.AgentCommand;
import io.gapwatch.agent.Credentials;
import io.gapwatch.agent.ServerClient;
import io.gapwatch.agent.Spool;
import io.gapwatch.cli.Options;
import io.gapwatch.server.support.Http;
import io.gapwatch.server.support.Tables;
import io.gapwatch.server.support.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Revoking an agent holds: enrollment only creates new agents, a revoked agent stays revoked (and stops,
 * saying why) until an admin deletes it, after which its name may enroll again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AgentRevocationTest {
    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
    }

    @LocalServerPort
    int port;
    @Autowired
    JdbcClient jdbc;
    @TempDir
    Path home;

    Http admin;

    @BeforeEach
    void clean() {
        Tables.truncateAll(jdbc);
        admin = new Http("http://127.0.0.1:" + port, Http.ADMIN_TOKEN);
    }

    private static String registration(String name, String kernel) {
        return "{\"name\":\"" + name + "\",\"targets\":[{\"backend\":\"sim\",\"kernelRelease\":\"" + kernel + "\"}]}";
    }

    private Http.Response enroll(String name, String kernel) {
        return admin.as(admin.newToken("enrollment")).post("/api/v1/agents", registration(name, kernel));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void a_revoked_agent_stops_says_why_and_stays_revoked() throws InterruptedException {
        List<String> log = new CopyOnWriteArrayList<>();
        Credentials credentials = new Credentials(home.resolve("doomed.secret"), admin.newToken("enrollment"));
        Agent agent = new Agent("doomed", new ServerClient(URI.create("http://127.0.0.1:" + port + "/"), credentials),
                credentials, new Spool(home.resolve("spool")),
                AgentCommand.executors("sim", Options.parse("t", new String[0], Set.of(), Set.of())), log::add);
        Thread thread = new Thread(agent, "doomed-agent");
        thread.start();
        JsonNode registered = awaitAgent("doomed");

        assertThat(admin.post("/api/v1/agents/" + registered.path("id").asLong() + "/revoke", "").status()).isEqualTo(200);

        // the agent learns it at its next call (its current long poll ends within 20 s) and stops
        thread.join(TimeUnit.SECONDS.toMillis(90));
        assertThat(thread.isAlive()).as("the revoked agent's thread should have stopped; its log: " + log).isFalse();
        assertThat(agent.refusal()).hasValueSatisfying(why -> assertThat(why).contains("revoked").contains("DELETE /api/v1/agents/"));
        JsonNode agents = admin.get("/api/v1/agents").json();
        assertThat(agents).hasSize(1);
        assertThat(agents.get(0).path("name").asString()).isEqualTo("doomed");
        assertThat(agents.get(0).path("revokedAt").isNull()).as("still revoked: " + agents).isFalse();
        assertThat(log).noneMatch(line -> line.contains("; enrolling again"));
    }

    private JsonNode awaitAgent(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (JsonNode a : admin.get("/api/v1/agents").json()) {
                if (a.path("name").asString().equals(name)) {
                    return a;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("agent " + name + " did not register within 60 s");
    }

    @Test
    void enrollment_creates_new_agents_only_and_an_agent_re_registers_itself_with_its_own_secret() {
        Http.Response victim = enroll("victim", "sim:6.12-model");
        assertThat(victim.status()).isEqualTo(200);
        long id = victim.json().path("id").asLong();

        Http.Response takeover = enroll("victim", "sim:evil");
        assertThat(takeover.status()).as(takeover.body()).isEqualTo(409);
        assertThat(takeover.contentType()).startsWith("application/problem+json");
        assertThat(takeover.body()).contains("already registered");
        Http.Response asAdmin = admin.post("/api/v1/agents", registration("victim", "sim:evil"));
        assertThat(asAdmin.status()).isEqualTo(409);
        assertThat(admin.get("/api/v1/agents/" + id).json().path("targets").get(0).path("kernelRelease").asString())
                .isEqualTo("sim:6.12-model");
        assertThat(jdbc.sql("SELECT count(*) FROM agents").query(Long.class).single()).isEqualTo(1);

        Http self = admin.as(victim.json().path("secret").asString());
        Http.Response again = self.post("/api/v1/agents", registration("victim", "sim:6.12.100"));
        assertThat(again.status()).as(again.body()).isEqualTo(200);
        assertThat(again.json().path("id").asLong()).isEqualTo(id);
        assertThat(again.json().path("secret").isNull() || again.json().path("secret").isMissingNode()).isTrue();
        assertThat(self.post("/api/v1/agents", registration("someone-else", "sim:6.12-model")).status()).isEqualTo(403);
    }

    @Test
    void a_revoked_agent_cannot_re_register_nor_be_enrolled_again_until_an_admin_deletes_it() {
        Http.Response enrolled = enroll("retired", "sim:6.12-model");
        long id = enrolled.json().path("id").asLong();
        Http asAgent = admin.as(enrolled.json().path("secret").asString());
        admin.post("/api/v1/agents/" + id + "/revoke", "");

        Http.Response selfRegistration = asAgent.post("/api/v1/agents", registration("retired", "sim:6.12-model"));
        assertThat(selfRegistration.status()).isEqualTo(401);
        assertThat(selfRegistration.json().path("type").asString()).isEqualTo("urn:gapwatch:problem:agent-revoked");
        assertThat(selfRegistration.json().path("detail").asString()).contains("DELETE /api/v1/agents/" + id);
        assertThat(enroll("retired", "sim:6.12-model").status()).isEqualTo(409);
        assertThat(admin.get("/api/v1/agents/" + id).json().path("revokedAt").isNull()).isFalse();

        assertThat(admin.as(admin.newToken("operator")).send("DELETE", "/api/v1/agents/" + id, null).status()).isEqualTo(403);
        assertThat(admin.send("DELETE", "/api/v1/agents/" + id, null).status()).isEqualTo(204);
        assertThat(admin.get("/api/v1/agents/" + id).status()).isEqualTo(404);
        assertThat(admin.send("DELETE", "/api/v1/agents/" + id, null).status()).isEqualTo(404);
        Http.Response old = asAgent.post("/api/v1/agents/" + id + "/lease?waitSeconds=0", "");
        assertThat(old.status()).isEqualTo(401);
        assertThat(old.body()).doesNotContain("agent-revoked");

        Http.Response reborn = enroll("retired", "sim:6.12-model");
        assertThat(reborn.status()).as(reborn.body()).isEqualTo(200);
        assertThat(reborn.json().path("id").asLong()).isNotEqualTo(id);
        assertThat(reborn.json().path("secret").asString()).isNotEqualTo(enrolled.json().path("secret").asString());
    }
}
